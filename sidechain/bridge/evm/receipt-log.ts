// The log a deposit or withdrawal registration proves: the header must be accepted, the receipt proven at
// `txIndex` against its receiptsRoot, the transaction successful (EIP-658 status 1), and `logIndex` a log of it.
// Sizes are bounded before any hashing; the proof's bytes are paid for up front (methods.ts, `extra`).
import { fail, isCausewayError } from '../../../spv/base/errors.js'
import type { ReceiptLog } from '../../../spv/evm/receipt.js'
import { verifyReceiptProof } from '../../../spv/evm/receipt-proof.js'
import { evmChain, type EvmContext } from './context.js'
import { requireAcceptedHeader } from './headers.js'
import type { EvmChainConfig } from '../config.js'

/** Most nodes a receipt proof may have: a path to rlp(index) for index < 2^16 has at most 7. */
export const MAX_PROOF_NODES = 8
/** Most bytes of one proof node (a branch is ≤ 532; a leaf holds a whole receipt, logs and all). */
export const MAX_PROOF_NODE_BYTES = 32 * 1024
/** Most bytes of a whole proof. */
export const MAX_PROOF_BYTES = 48 * 1024
/** Indices a registration may name (no block holds 2^16 transactions, no receipt 2^16 logs within gas limits). */
export const MAX_INDEX = 0xffff

export interface ProvenLog {
  readonly chain: EvmChainConfig
  readonly blockHash: Uint8Array
  readonly txIndex: number
  readonly logIndex: number
  readonly log: ReceiptLog
}

function index(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(MAX_INDEX)) fail('BRIDGE_EVM_BAD_INDEX', `${what} must be in [0, ${MAX_INDEX}], got ${v}`)
  return Number(v)
}

/** Refuses a proof beyond the stated bounds, before any of it is hashed. */
export function checkProofBounds(proof: readonly Uint8Array[]): void {
  if (proof.length === 0 || proof.length > MAX_PROOF_NODES) fail('BRIDGE_EVM_PROOF_TOO_LARGE', `a receipt proof has 1 to ${MAX_PROOF_NODES} nodes, got ${proof.length}`)
  let total = 0
  for (const node of proof) {
    if (node.length > MAX_PROOF_NODE_BYTES) fail('BRIDGE_EVM_PROOF_TOO_LARGE', `a proof node may hold at most ${MAX_PROOF_NODE_BYTES} bytes`)
    total += node.length
  }
  if (total > MAX_PROOF_BYTES) fail('BRIDGE_EVM_PROOF_TOO_LARGE', `a receipt proof may hold at most ${MAX_PROOF_BYTES} bytes, got ${total}`)
}

export async function proveReceiptLog(
  ctx: EvmContext,
  chainId: bigint,
  rlpHeader: Uint8Array,
  txIndexArg: bigint,
  proof: readonly Uint8Array[],
  logIndexArg: bigint,
): Promise<ProvenLog> {
  const chain = evmChain(ctx, chainId)
  const txIndex = index(txIndexArg, 'txIndex')
  const logIndex = index(logIndexArg, 'logIndex')
  checkProofBounds(proof)
  const { header, hash } = await requireAcceptedHeader(ctx, chainId, rlpHeader)
  let proven: Awaited<ReturnType<typeof verifyReceiptProof>>
  try {
    proven = await verifyReceiptProof(header.receiptsRoot, txIndex, proof)
  } catch (e) {
    if (!isCausewayError(e)) throw e
    fail('BRIDGE_EVM_BAD_PROOF', `the receipt proof does not verify: ${e.message} (${e.code})`, { cause: e.code }, e)
  }
  const receipt = proven.receipt
  if (receipt.status === undefined) fail('BRIDGE_EVM_RECEIPT_PRE_BYZANTIUM', 'the receipt has no status (pre-Byzantium): its success cannot be told')
  if (receipt.status !== 1) fail('BRIDGE_EVM_RECEIPT_FAILED', 'the transaction reverted (receipt status 0): its logs never happened')
  const log = receipt.logs[logIndex]
  if (log === undefined) fail('BRIDGE_EVM_BAD_INDEX', `the receipt has ${receipt.logs.length} logs, no log ${logIndex}`)
  return { chain, blockHash: hash, txIndex, logIndex, log }
}
