// Peg-out requests (ARCHITECTURE.md decision 7): a user sends value to `pegOut(btcAddress)`. The bridge checks the
// address's network, the minimum and that the value is a whole number of satoshis — reverting with a clear reason
// and burning nothing otherwise — then burns the value and queues the request for the next batch. A peg-out never
// builds a batch itself (that is flushPegOuts' work, which the signers send and pay gas for as it grows), so its
// cost does not depend on the reserves' shape.
import { fail } from '../../../spv/base/errors.js'
import { buildBatch, parsePegOutAddress, pegOutFeeBound, pegOutSats, p2wshScriptPubKey } from '../../../peg/bitcoin/index.js'
import { burnNative } from '../../exec/system-supply.js'
import { emit, requireWritable } from '../context.js'
import type { BtcContext } from './context.js'
import { COUNTERS } from '../layout.js'
import { enqueueRequest } from './queue.js'
import { currentFeeRate, maxBatchInputs } from './batches.js'
import { federationScriptOf } from './unclaimed.js'

export async function pegOut(ctx: BtcContext, btcAddress: string): Promise<bigint> {
  requireWritable(ctx)
  const script = parsePegOutAddress(btcAddress, ctx.config.addressNetwork, { allowTaproot: ctx.config.allowTaproot })
  const sats = pegOutSats(ctx.value, ctx.config.minPegOutSats)
  // Paid to a federation script, the value would come back as an output no memo claims (issue 11 item 3).
  const federation = await federationScriptOf(ctx, script)
  if (federation !== null) fail('PEG_PAYS_FEDERATION', `a peg-out cannot pay ${federation}: its value would be stranded`)
  // Only pegged coin leaves: unpegged genesis money (a test-only or legacy allocation) is the same native coin,
  // so without this bound it could claim satoshis that back other users' pegged coin.
  const outstanding = (await ctx.state.counter(COUNTERS.minted)) - (await ctx.state.counter(COUNTERS.burned))
  if (ctx.value > outstanding) {
    fail('BRIDGE_EXCEEDS_PEGGED_SUPPLY', `a peg-out of ${sats} sats is more than the pegged supply left on the side chain (${outstanding / 10n ** 10n} sats): only pegged BTC can leave`)
  }
  await burnNative(ctx.stateManager, ctx.bridgeAddress, ctx.value)
  await ctx.state.addCounter(COUNTERS.burned, ctx.value)
  const id = await enqueueRequest(ctx, ctx.caller, script, sats)
  emit(ctx, 'PegOutRequested', [id, ctx.caller, script, sats])
  return id
}

export interface PegOutView {
  requester: Uint8Array
  btcScript: Uint8Array
  valueSats: bigint
  feeSats: bigint
  batchId: bigint
  status: number
  requestedAt: bigint
}

export async function getPegOut(ctx: BtcContext, id: bigint): Promise<PegOutView> {
  const q = await ctx.state.request(id)
  if (q === undefined) fail('BRIDGE_UNKNOWN_REQUEST', `there is no peg-out request ${id}`)
  let status: number = q.status
  if (q.batchId !== 0n) status = (await ctx.state.batch(q.batchId))?.status ?? status
  return {
    requester: q.requester,
    btcScript: q.scriptPubKey,
    valueSats: q.valueSats,
    feeSats: q.feeSats,
    batchId: q.batchId,
    status,
    requestedAt: q.requestedAt,
  }
}

/**
 * The fee a peg-out pays if it leaves alone in a batch spending one federation UTXO, at the current fee rate: the
 * least a peg-out pays. For what a given amount pays at most, see estimatePegOutFeeFor.
 */
export async function estimatePegOutFee(ctx: BtcContext): Promise<bigint> {
  const rate = await currentFeeRate(ctx)
  const big = 21_000_000n * 100_000_000n
  const batch = buildBatch(
    [{ txid: new Uint8Array(32), vout: 0, valueSats: big, recipient: null }],
    [{ id: 1n, scriptPubKey: p2wshScriptPubKey(new Uint8Array(1)), valueSats: big / 2n }],
    { fed: ctx.config.federation, chainId: ctx.config.chainId, feeRateSatPerVb: rate },
  )
  return batch.feeSats
}

/**
 * An upper bound of the fee a peg-out of `sats` to `btcAddress` pays (issue 11 item 5), at the current fee rate
 * and with the federation's UTXOs as they stand (peg/bitcoin/fee-bound.ts): a user receives at least
 * `sats − bound`. The address is checked as pegOut checks it.
 */
export async function estimatePegOutFeeFor(ctx: BtcContext, sats: bigint, btcAddress: string): Promise<bigint> {
  const script = parsePegOutAddress(btcAddress, ctx.config.addressNetwork, { allowTaproot: ctx.config.allowTaproot })
  if (sats <= 0n) fail('PEG_AMOUNT_INVALID', 'the amount to estimate for must be positive')
  const rate = await currentFeeRate(ctx)
  const maxInputs = maxBatchInputs(ctx)
  // Reading four consolidations' worth of the set bounds the view's cost; an amount that needs more of the set than
  // that is quoted for the part read (README "Limits": such a peg-out is a consolidation of the whole reserve).
  const head = await ctx.state.utxos(maxInputs * 4)
  return pegOutFeeBound(
    head.map((u) => u.utxo),
    script,
    sats,
    { fed: ctx.config.federation, chainId: ctx.config.chainId, feeRateSatPerVb: rate, maxInputs },
  )
}
