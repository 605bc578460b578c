// All of a main-chain block's receipts, as its receipt proofs need them: eth_getBlockReceipts where the node has it,
// else one eth_getTransactionReceipt per transaction (a bounded number in flight), each checked to be that block's
// at its index, and all of them refused (CLIENT_EVM_RECEIPTS_MISMATCH) unless they rebuild the header's
// receiptsRoot — the only thing a proof is checked against, so a lying node is caught here, not by the bridge.
import { equalBytes, toHex } from '../spv/base/bytes.js'
import { fail, isCausewayError } from '../spv/base/errors.js'
import { receiptFromRpc, receiptsRoot, type Receipt } from '../spv/evm/index.js'
import type { FetchedEvmHeader } from './evm-header.js'
import { CLIENT_EVM_RECEIPTS_MISMATCH, CLIENT_EVM_RPC_FAILED, objectOrNotFound, rpcCall, rpcCodeOf, type EvmRpc } from './evm-rpc.js'

/** Receipts asked for at once when the node lacks eth_getBlockReceipts. */
export const RECEIPT_CONCURRENCY = 8

/** Nodes known to lack eth_getBlockReceipts (asked once per client). */
const noBlockReceipts = new WeakSet<object>()

export interface BlockReceipts {
  readonly receipts: readonly Receipt[]
  /** How they were read: one call, or one per transaction. */
  readonly via: 'eth_getBlockReceipts' | 'eth_getTransactionReceipt'
}

/** The block's receipts in transaction order, checked against its header (CLIENT_EVM_RECEIPTS_MISMATCH). */
export async function fetchBlockReceipts(client: EvmRpc, block: FetchedEvmHeader, concurrency = RECEIPT_CONCURRENCY): Promise<BlockReceipts> {
  let json: readonly Record<string, unknown>[] | undefined
  let via: BlockReceipts['via'] = 'eth_getBlockReceipts'
  if (!noBlockReceipts.has(client)) {
    try {
      const got = await rpcCall(client, 'eth_getBlockReceipts', [toHex(block.hash)])
      if (Array.isArray(got)) json = got as Record<string, unknown>[]
    } catch (e) {
      if (!lacksMethod(e)) throw e
      noBlockReceipts.add(client)
    }
  }
  if (json === undefined) {
    via = 'eth_getTransactionReceipt'
    json = await mapBounded(block.transactions, concurrency, async (h) => objectOrNotFound(await rpcCall(client, 'eth_getTransactionReceipt', [h]), `receipt of ${h}`))
  }
  return { receipts: await checkedReceipts(block, json), via }
}

/** The pure check: one receipt per transaction, each naming this block and its index, rebuilding receiptsRoot. */
export async function checkedReceipts(block: FetchedEvmHeader, json: readonly Record<string, unknown>[]): Promise<Receipt[]> {
  const at = toHex(block.hash)
  if (json.length !== block.transactions.length) {
    fail(CLIENT_EVM_RECEIPTS_MISMATCH, `block ${at} has ${block.transactions.length} transactions, the node gave ${json.length} receipts`)
  }
  json.forEach((r, i) => {
    if (String(r['blockHash']).toLowerCase() !== at) fail(CLIENT_EVM_RECEIPTS_MISMATCH, `receipt ${i} names block ${String(r['blockHash'])}, not ${at}`)
    if (Number(r['transactionIndex']) !== i) fail(CLIENT_EVM_RECEIPTS_MISMATCH, `receipt ${i} names transaction index ${String(r['transactionIndex'])}`)
    if (String(r['transactionHash']).toLowerCase() !== block.transactions[i]) {
      fail(CLIENT_EVM_RECEIPTS_MISMATCH, `receipt ${i} is of transaction ${String(r['transactionHash'])}, not ${block.transactions[i]}`)
    }
  })
  const receipts = json.map((r) => receiptFromRpc(r))
  const root = await receiptsRoot(receipts)
  if (!equalBytes(root, block.header.receiptsRoot)) {
    fail(CLIENT_EVM_RECEIPTS_MISMATCH, `the receipts of block ${at} rebuild receiptsRoot ${toHex(root)}, the header has ${toHex(block.header.receiptsRoot)}`, {
      rebuilt: toHex(root),
      header: toHex(block.header.receiptsRoot),
    })
  }
  return receipts
}

/** -32601 (method not found) or a node's wording of it; -32602 too, for nodes that reject the hash form. */
function lacksMethod(e: unknown): boolean {
  if (!isCausewayError(e, CLIENT_EVM_RPC_FAILED)) return false
  const code = rpcCodeOf((e as { cause?: unknown }).cause)
  return code === -32601 || code === -32602 || /not (found|supported|available)|unsupported|unknown method/i.test(e.message)
}

/** `f` over `items` with at most `limit` in flight, results in order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return out
}
