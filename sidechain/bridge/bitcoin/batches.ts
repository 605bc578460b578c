// Batches (ARCHITECTURE.md decision 7): once a queued request has waited `batchIntervalBlocks`, the next bridge
// call that writes (a peg-out, or anyone's `flushPegOuts`, which signers send when a batch is due) turns the queue
// into one Bitcoin transaction with peg/'s deterministic `buildBatch`: federation UTXOs in acceptance order, one
// output per request less its fee share, change back to the federation. Members add one signature per input;
// once `threshold` members signed, the bridge assembles the transaction and emits it for anyone to broadcast.
// A proof of its confirmation (registerBtcTransaction) closes the requests and adds the change to the UTXO set.
import { Transaction } from 'bitcoinjs-lib'
import { fail } from '../../../spv/base/errors.js'
import {
  assembleBatch,
  checkReportedFeeRate,
  decodeSignatures,
  dueRequests,
  medianFeeRate,
  pegFail,
  queueHead,
  maxInputsFor,
  planBatch,
  WEI_PER_SAT,
  encodeSignatures,
  verifyBatchSignature,
  type Batch,
  type DueRequests,
  type FeeReport,
  type PegOutRequest,
} from '../../../peg/bitcoin/index.js'
import { mintNative } from '../../exec/system-supply.js'
import { isRefundRequest, queueRefund } from './unclaimed.js'
import { emit, requireMember, requireNoValue, requireWritable } from '../context.js'
import type { BtcContext } from './context.js'
import { COUNTERS } from '../layout.js'
import { REQUEST_STATUS, type StoredBatch } from './records.js'
import type { Evidence } from './evidence.js'

/**
 * The fee rate batches use (peg/bitcoin/fee-rate.ts): the median of the members' fresh reports, within the
 * configured floor and ceiling. One storage read per member, fresh or not.
 */
export async function currentFeeRate(ctx: BtcContext): Promise<bigint> {
  const reports: (FeeReport | undefined)[] = []
  for (let i = 0; i < ctx.config.members.length; i++) reports.push(await ctx.state.feeReport(i))
  return medianFeeRate(reports, {
    now: ctx.timestamp,
    maxAgeSeconds: ctx.config.feeReportMaxAgeSeconds,
    threshold: ctx.config.federation.threshold,
    floor: ctx.config.feeRateFloor,
    ceiling: ctx.config.feeRateCeiling,
  })
}

export async function reportFeeRate(ctx: BtcContext, satPerVb: bigint): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const member = requireMember(ctx)
  checkReportedFeeRate(satPerVb)
  await ctx.state.putFeeReport(member, satPerVb, ctx.timestamp)
  emit(ctx, 'FeeRateReported', [ctx.caller, satPerVb])
}

/** When the oldest queued request has waited the interval, the ids due for a batch (peg/bitcoin/batch-due.ts); else undefined. */
async function dueAt(ctx: BtcContext): Promise<DueRequests | undefined> {
  const queue = { queueStart: await ctx.state.counter(COUNTERS.queueStart), nextRequestId: await ctx.state.counter(COUNTERS.nextRequestId) }
  const first = queueHead(queue)
  if (first === undefined) return undefined
  const oldest = await ctx.state.request(first)
  if (oldest === undefined) fail('BRIDGE_STORE_CORRUPT', `queued request ${first} is missing`)
  return dueRequests(queue, oldest.requestedAt, ctx.blockNumber, ctx.config)
}

/** The most inputs one batch of this bridge takes: its configuration, within what stays standard and storable. */
export function maxBatchInputs(ctx: BtcContext): number {
  const bound = maxInputsFor(ctx.config.federation)
  return ctx.config.maxBatchInputs < bound ? ctx.config.maxBatchInputs : bound
}

/**
 * Acts on the due queue (peg/bitcoin/batch-plan.ts): pays the longest coverable prefix in one batch, refunding on
 * the side chain the requests that cannot pay their share, or consolidates the first UTXOs when even the first
 * request needs more inputs than a batch may take. Returns the batch id made (0n when only refunds were made);
 * refuses with PEG_BATCH_NOT_DUE or PEG_BATCH_DEFERRED (and the reason) when it can do nothing.
 */
async function makeBatch(ctx: BtcContext): Promise<bigint> {
  const due = await dueAt(ctx)
  if (due === undefined) pegFail('PEG_BATCH_NOT_DUE', 'no batch is due: the queue is empty or its oldest request has not waited the batch interval')
  const requests: PegOutRequest[] = []
  for (let id = due.first; id < due.end; id++) {
    const q = await ctx.state.request(id)
    if (q === undefined) fail('BRIDGE_STORE_CORRUPT', `queued request ${id} is missing`)
    requests.push({ id, scriptPubKey: q.scriptPubKey, valueSats: q.valueSats, prepaidFeeSats: q.prepaidFeeSats })
  }
  const maxInputs = maxBatchInputs(ctx)
  const head = await ctx.state.utxos(maxInputs + 1)
  const feeRate = await currentFeeRate(ctx)
  const plan = planBatch(
    head.map((u) => u.utxo),
    Number(await ctx.state.counter(COUNTERS.consolidating)),
    requests,
    { fed: ctx.config.federation, chainId: ctx.config.chainId, feeRateSatPerVb: feeRate, maxInputs },
  )
  if (plan.kind === 'wait') pegFail('PEG_BATCH_DEFERRED', `the due peg-outs wait (${plan.code}): ${plan.reason}`, { reason: plan.code })
  if (plan.kind === 'consolidate') return consolidate(ctx, plan.batch, plan.bearers, plan.parts, feeRate)
  for (const { request, reason } of plan.refunded) await refundRequest(ctx, request.id, reason)
  const lastId = plan.firstRequestId + BigInt(plan.requestCount)
  await ctx.state.setCounter(COUNTERS.queueStart, lastId)
  const batch = plan.batch
  if (batch === undefined) return 0n
  const batchId = await newBatch(ctx, batch, plan.firstRequestId, plan.requestCount)
  for (let i = 0; i < plan.paid.length; i++) {
    const id = plan.paid[i]!.id
    const q = (await ctx.state.request(id))!
    await ctx.state.putRequest(id, { ...q, feeSats: q.prepaidFeeSats + batch.feeShares[i]!, batchId, status: REQUEST_STATUS.batched })
  }
  emit(ctx, 'PegOutBatched', [batchId, batch.txid, batch.unsignedTx, batch.feeSats, feeRate, plan.firstRequestId, BigInt(plan.requestCount)])
  return batchId
}

/** Records a batch (payment or consolidation) and takes its inputs, a prefix of the set, out of the spendable set. */
async function newBatch(ctx: BtcContext, batch: Batch, firstRequestId: bigint, requestCount: number): Promise<bigint> {
  const batchId = (await ctx.state.counter(COUNTERS.nextBatchId)) || 1n
  await ctx.state.setCounter(COUNTERS.nextBatchId, batchId + 1n)
  await ctx.state.removeUtxoPrefix(batch.inputs.length)
  await ctx.state.putBatch(batchId, {
    status: REQUEST_STATUS.batched,
    txid: batch.txid,
    feeSats: batch.feeSats,
    changeSats: batch.changeSats,
    firstRequestId,
    requestCount,
    createdAt: ctx.blockNumber,
    signers: 0,
    inputs: batch.inputs,
    unsignedTx: batch.unsignedTx,
    signedTx: new Uint8Array(0),
  })
  await ctx.state.indexBatchTxid(batch.txid, batchId)
  await ctx.state.setPendingBatches([...(await ctx.state.pendingBatches()), batchId])
  return batchId
}

/**
 * A consolidation: the first UTXOs joined into one output back to the federation. The waiting requests bear its
 * fee (their prepaid part, paid from their value at their own batch); reserves and what is owed both fall by the
 * fee when it confirms, so the reserves never pay it.
 */
async function consolidate(ctx: BtcContext, batch: Batch, bearers: readonly PegOutRequest[], parts: readonly bigint[], feeRate: bigint): Promise<bigint> {
  const first = bearers[0]!.id
  const batchId = await newBatch(ctx, batch, first, 0)
  await ctx.state.addCounter(COUNTERS.consolidating, 1n)
  for (let i = 0; i < bearers.length; i++) {
    const id = bearers[i]!.id
    const q = (await ctx.state.request(id))!
    await ctx.state.putRequest(id, { ...q, prepaidFeeSats: q.prepaidFeeSats + parts[i]! })
  }
  emit(ctx, 'PegOutConsolidated', [batchId, first, BigInt(bearers.length), batch.feeSats, BigInt(batch.inputs.length)])
  emit(ctx, 'PegOutBatched', [batchId, batch.txid, batch.unsignedTx, batch.feeSats, feeRate, first, 0n])
  return batchId
}

/**
 * A request that cannot pay its fee share goes back to its requester on the side chain: its value less what it
 * already bore of consolidations is minted to it (counted in `minted`, as a peg-in is), and leaves what is owed.
 * A refund on Bitcoin the bridge itself queued (unclaimed.ts) burned nothing, so nothing is minted for it: it is
 * queued again at the end with the same script and what it is still owed, and tries the next batch.
 */
async function refundRequest(ctx: BtcContext, id: bigint, reason: string): Promise<void> {
  const q = await ctx.state.request(id)
  if (q === undefined) fail('BRIDGE_STORE_CORRUPT', `request ${id} is missing`)
  const sats = q.valueSats - q.prepaidFeeSats
  if (isRefundRequest(q, ctx.bridgeAddress)) {
    await ctx.state.addCounter(COUNTERS.pendingSats, -sats)
    await ctx.state.putRequest(id, { ...q, feeSats: q.prepaidFeeSats, status: REQUEST_STATUS.refunded })
    const again = await queueRefund(ctx, q.scriptPubKey, sats)
    emit(ctx, 'PegOutRefunded', [id, q.requester, sats, 0n, `${reason}; a Bitcoin refund of the bridge, queued again as request ${again}`])
    emit(ctx, 'PegOutRequested', [again, ctx.bridgeAddress, q.scriptPubKey, sats])
    return
  }
  const wei = sats * WEI_PER_SAT
  await mintNative(ctx.stateManager, q.requester, wei)
  await ctx.state.addCounter(COUNTERS.minted, wei)
  await ctx.state.addCounter(COUNTERS.pendingSats, -sats)
  await ctx.state.putRequest(id, { ...q, feeSats: q.prepaidFeeSats, status: REQUEST_STATUS.refunded })
  emit(ctx, 'PegOutRefunded', [id, q.requester, sats, wei, reason])
}

export async function flushPegOuts(ctx: BtcContext): Promise<bigint> {
  requireWritable(ctx)
  requireNoValue(ctx)
  return makeBatch(ctx)
}

/**
 * Rebuilds peg/'s view of a stored batch for signing checks and assembly: inputs from the record, outputs from its
 * transaction. Fee shares live with the requests and are not needed here (signatures cover the transaction), so
 * they are left empty rather than read back request by request.
 */
function toPegBatch(stored: StoredBatch): Batch {
  const tx = Transaction.fromBuffer(stored.unsignedTx)
  const payments = stored.changeSats > 0n ? tx.outs.length - 1 : tx.outs.length
  return {
    inputs: [...stored.inputs],
    outputs: tx.outs.map((o, i) => ({
      // Signing and assembly cover the transaction, not which request an output pays; 0n marks a payment.
      requestId: i < payments ? 0n : null,
      scriptPubKey: new Uint8Array(o.script),
      valueSats: BigInt(o.value),
    })),
    feeSats: stored.feeSats,
    feeShares: [],
    changeSats: stored.changeSats,
    // Only the fee computation used it; signing and assembly read the inputs and the transaction.
    vsize: 0,
    unsignedTx: stored.unsignedTx,
    txid: stored.txid,
  }
}

export async function addSignatures(ctx: BtcContext, batchId: bigint, encoded: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const member = requireMember(ctx)
  const stored = await ctx.state.batch(batchId)
  if (stored === undefined) fail('BRIDGE_UNKNOWN_BATCH', `there is no batch ${batchId}`)
  if (stored.status !== REQUEST_STATUS.batched) fail('BRIDGE_BATCH_NOT_SIGNABLE', `batch ${batchId} is already signed`)
  if ((stored.signers & (1 << member)) !== 0) fail('BRIDGE_ALREADY_SIGNED', `member ${member} already signed batch ${batchId}`)
  const sigs = decodeSignatures(encoded)
  if (sigs.length !== stored.inputs.length) {
    fail('BRIDGE_BAD_SIGNATURES', `batch ${batchId} has ${stored.inputs.length} inputs; ${sigs.length} signatures were given`)
  }
  const batch = toPegBatch(stored)
  const { federation, chainId } = ctx.config
  for (let i = 0; i < sigs.length; i++) {
    if (!verifyBatchSignature(batch, federation, chainId, i, member, sigs[i]!)) {
      fail('BRIDGE_BAD_SIGNATURES', `signature ${i} of member ${member} does not sign input ${i} of batch ${batchId}`, { input: i })
    }
  }
  await ctx.state.putSignatures(batchId, member, encodeSignatures(sigs))
  const signers = stored.signers | (1 << member)
  emit(ctx, 'PegOutSignatures', [batchId, ctx.caller, BigInt(member)])
  let next: StoredBatch = { ...stored, signers }
  if (popcount(signers) >= federation.threshold) {
    const byMember = new Map<number, Uint8Array[]>()
    for (let m = 0; m < ctx.config.members.length; m++) {
      if ((signers & (1 << m)) === 0) continue
      const s = m === member ? encodeSignatures(sigs) : await ctx.state.signatures(batchId, m)
      if (s !== undefined) byMember.set(m, decodeSignatures(s))
    }
    const signedTx = assembleBatch(batch, federation, chainId, byMember)
    await ctx.state.putSignedTx(batchId, signedTx)
    next = { ...next, status: REQUEST_STATUS.signed }
    emit(ctx, 'PegOutSigned', [batchId, stored.txid, signedTx])
  }
  await ctx.state.putBatch(batchId, next)
}

/**
 * A proven, confirmed batch transaction: spent value leaves the reserves and change joins them. A payment closes
 * its requests (what is owed falls by their value less what they prepaid, counted at their consolidation); a
 * consolidation's output goes to the head of the set, and what is owed falls by its fee, borne by the requests.
 */
export async function confirmBatch(ctx: BtcContext, batchId: bigint, evidence: Evidence): Promise<void> {
  const stored = await ctx.state.batch(batchId)
  if (stored === undefined) fail('BRIDGE_STORE_CORRUPT', `batch ${batchId} is indexed but missing`)
  if (stored.status === REQUEST_STATUS.confirmed) fail('PEG_ALREADY_REGISTERED', `batch ${batchId}'s transaction was registered before`)
  let spent = 0n
  for (const u of stored.inputs) spent += u.valueSats
  let owed = 0n
  for (let i = 0; i < stored.requestCount; i++) {
    const id = stored.firstRequestId + BigInt(i)
    const q = await ctx.state.request(id)
    if (q === undefined) fail('BRIDGE_STORE_CORRUPT', `request ${id} is missing`)
    if (q.status === REQUEST_STATUS.refunded) continue
    owed += q.valueSats - q.prepaidFeeSats
    await ctx.state.putRequest(id, { ...q, status: REQUEST_STATUS.confirmed })
  }
  if (stored.requestCount === 0) {
    owed = stored.feeSats
    await ctx.state.addCounter(COUNTERS.consolidating, -1n)
  }
  await ctx.state.addCounter(COUNTERS.federationSats, -spent)
  await ctx.state.addCounter(COUNTERS.pendingSats, -owed)
  if (stored.changeSats > 0n) {
    const vout = stored.requestCount === 0 ? 0 : Transaction.fromBuffer(stored.unsignedTx).outs.length - 1
    await ctx.state.markOutpoint(evidence.txid, vout)
    const change = { txid: evidence.txid, vout, valueSats: stored.changeSats, recipient: null }
    if (stored.requestCount === 0) await ctx.state.addUtxoFront(change)
    else await ctx.state.addUtxo(change)
  }
  await ctx.state.putBatch(batchId, { ...stored, status: REQUEST_STATUS.confirmed })
  await ctx.state.setPendingBatches((await ctx.state.pendingBatches()).filter((id) => id !== batchId))
  emit(ctx, 'PegOutConfirmed', [batchId, evidence.txid, evidence.blockHash, stored.changeSats])
}

export async function getBatch(ctx: BtcContext, batchId: bigint) {
  const b = await ctx.state.batch(batchId)
  if (b === undefined) fail('BRIDGE_UNKNOWN_BATCH', `there is no batch ${batchId}`)
  return {
    unsignedTx: b.unsignedTx,
    signedTx: (await ctx.state.signedTx(batchId)) ?? b.signedTx,
    txid: b.txid,
    feeSats: b.feeSats,
    firstRequestId: b.firstRequestId,
    requestCount: BigInt(b.requestCount),
    status: b.status,
    createdAt: b.createdAt,
    signers: BigInt(b.signers),
  }
}

export async function getPendingBatches(ctx: BtcContext): Promise<bigint[]> {
  return ctx.state.pendingBatches()
}

function popcount(n: number): number {
  let c = 0
  for (; n !== 0; n &= n - 1) c++
  return c
}
