// Bridge methods over its Bitcoin header chain (ARCHITECTURE.md decision 5): anyone submits headers; each is
// checked for linkage, proof of work and the network's difficulty rule by spv/bitcoin's HeaderChain, which keeps
// the most-work chain and follows reorgs. The side-chain block time is the clock of the 2-hour rule.
import { fail } from '../../../spv/base/errors.js'
import { HEADER_SIZE } from '../../../spv/bitcoin/header.js'
import { emit, requireNoValue, requireWritable } from '../context.js'
import type { BtcContext } from './context.js'

/** Most headers one call may carry; relayers send longer runs in several transactions. */
export const MAX_HEADERS_PER_CALL = 500

export async function receiveBtcHeaders(ctx: BtcContext, raw: Uint8Array): Promise<bigint> {
  requireWritable(ctx)
  requireNoValue(ctx)
  if (raw.length === 0 || raw.length % HEADER_SIZE !== 0) {
    fail('BRIDGE_BAD_HEADERS', `headers must be a non-empty run of ${HEADER_SIZE}-byte headers, got ${raw.length} bytes`)
  }
  const count = raw.length / HEADER_SIZE
  if (count > MAX_HEADERS_PER_CALL) fail('BRIDGE_BAD_HEADERS', `at most ${MAX_HEADERS_PER_CALL} headers per call, got ${count}`)
  const headers: Uint8Array[] = []
  for (let i = 0; i < count; i++) headers.push(raw.slice(i * HEADER_SIZE, (i + 1) * HEADER_SIZE))
  const chain = await ctx.state.headerChain(ctx.config)
  const result = await chain.add(headers, { now: Number(ctx.timestamp) })
  // Only what changed is announced: a run of headers the bridge already had emits nothing (issue 12 item 3: each
  // such event cost little and stuffed the log range every signer reads).
  if (result.connected.length > 0) emit(ctx, 'BtcHeadersReceived', [result.tip.hash, result.tip.height, result.connected.length])
  return BigInt(result.connected.length)
}

export async function getBtcBestBlock(ctx: BtcContext): Promise<[Uint8Array, bigint]> {
  const tip = await (await ctx.state.headerChain(ctx.config)).tip()
  return [tip.hash, BigInt(tip.height)]
}

/** Confirmations on the best chain: ≥ 1 on it, 0 on a side branch, −1 unknown (hash in internal byte order). */
export async function getBtcConfirmations(ctx: BtcContext, blockHash: Uint8Array): Promise<bigint> {
  return BigInt(await (await ctx.state.headerChain(ctx.config)).confirmations(blockHash))
}

export async function getBtcBlockHash(ctx: BtcContext, height: bigint): Promise<Uint8Array> {
  if (height > 0xffffffffn) return new Uint8Array(32)
  const hash = await (await ctx.state.headerChain(ctx.config)).getHashAt(Number(height))
  return hash ?? new Uint8Array(32)
}
