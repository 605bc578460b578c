// A main-chain header as a member attests it and a proof names it: the node's block rebuilt into its RLP with
// spv/evm and refused (CLIENT_EVM_HEADER_MISMATCH) unless it hashes to the block hash the node claims — and to the
// hash asked for — so a node cannot hand over a header it made up under a real block's hash.
import { toHex, equalBytes, toQuantity, hexToBytes, type Hex } from '../spv/base/bytes.js'
import { fail } from '../spv/base/errors.js'
import { encodeEvmHeader, evmHeaderFromRpc, evmHeaderHash, type EvmHeader } from '../spv/evm/index.js'
import { CLIENT_EVM_HEADER_MISMATCH, CLIENT_EVM_RPC_FAILED, objectOrNotFound, rpcCall, type EvmRpc } from './evm-rpc.js'

export interface FetchedEvmHeader {
  readonly header: EvmHeader
  /** The header's RLP: what attestEvmHeader and the register calls take. */
  readonly rlp: Uint8Array
  /** keccak256(rlp), checked equal to the node's claimed hash. */
  readonly hash: Uint8Array
  readonly number: bigint
  /** The block's transaction hashes, in block order. */
  readonly transactions: readonly Hex[]
}

/** Which block: a number, a 32-byte hash, or the node's latest. */
export type EvmBlockRef = { readonly number: bigint } | { readonly hash: Uint8Array } | 'latest'

/** Fetches a block's header, rebuilds its RLP and checks its hash (CLIENT_EVM_HEADER_MISMATCH otherwise). */
export async function fetchEvmHeader(client: EvmRpc, at: EvmBlockRef): Promise<FetchedEvmHeader> {
  const raw =
    at === 'latest'
      ? await rpcCall(client, 'eth_getBlockByNumber', ['latest', false])
      : 'hash' in at
        ? await rpcCall(client, 'eth_getBlockByHash', [toHex(at.hash), false])
        : await rpcCall(client, 'eth_getBlockByNumber', [toQuantity(at.number), false])
  const what = at === 'latest' ? 'latest block' : 'hash' in at ? `block ${toHex(at.hash)}` : `block ${at.number}`
  const block = objectOrNotFound(raw, what)
  return checkedHeader(block, at, what)
}

/** The pure check of a block answer: its header rebuilt, hashed and compared with what was claimed and asked. */
export function checkedHeader(block: Record<string, unknown>, at: EvmBlockRef, what = 'block'): FetchedEvmHeader {
  const header = evmHeaderFromRpc(block)
  const rlp = encodeEvmHeader(header)
  const hash = evmHeaderHash(header)
  const claimed = hexToBytes(String(block['hash']), 'block hash', 32)
  if (!equalBytes(hash, claimed)) {
    fail(CLIENT_EVM_HEADER_MISMATCH, `the ${what} the node returned hashes to ${toHex(hash)}, not the ${toHex(claimed)} it claims`, { claimed: toHex(claimed), rebuilt: toHex(hash) })
  }
  if (at !== 'latest' && 'hash' in at && !equalBytes(hash, at.hash)) {
    fail(CLIENT_EVM_HEADER_MISMATCH, `asked for block ${toHex(at.hash)}, the node returned ${toHex(hash)}`)
  }
  if (at !== 'latest' && 'number' in at && header.number !== at.number) {
    fail(CLIENT_EVM_HEADER_MISMATCH, `asked for block ${at.number}, the node returned block ${header.number}`)
  }
  const txs = block['transactions']
  if (!Array.isArray(txs)) fail(CLIENT_EVM_RPC_FAILED, `the ${what} has no transaction list`)
  const transactions = txs.map((t) => (typeof t === 'string' ? t : String((t as { hash?: unknown }).hash)).toLowerCase() as Hex)
  return { header, rlp, hash, number: header.number, transactions }
}

/** The RLP of the header at `at` (checked as fetchEvmHeader does): what a member attests. */
export async function fetchEvmHeaderRlp(client: EvmRpc, at: EvmBlockRef): Promise<Uint8Array> {
  return (await fetchEvmHeader(client, at)).rlp
}
