// Payments to the plain federation address that no memo can speak for — none, a malformed one, more than one
// (ARCHITECTURE.md decision 6: every peg-in is minted or refunded, with an event; issue 11 item 3). Nothing is
// minted for them, and nothing vanishes: the output joins the federation's UTXO set (so the reserves count it) and
//  - is refunded on Bitcoin: a peg-out request of the bridge itself for the output's value, to the memo's refund
//    script or else to the script the first input spent when Bitcoin reveals it (peg/bitcoin/refund.ts). No burn:
//    pendingSats grows with federationSats. It leaves in the next batch like any request, paying its fee share.
//    Events: PegInRefunded, then PegOutRequested (requester = the bridge's address);
//  - or is held for its owner (PegInHeld), when no refund script is known. Anyone may then give the bridge the
//    funding transaction of the first input (refundHeldPayment): it hashes to the outpoint the proven transaction
//    spent, so the script it pays is the owner's, and the bridge refunds there (HeldPaymentRefunded, then
//    PegOutRequested). A value below the peg-out minimum cannot pay a refund output: it stays held, in the audit.
// A refund never pays a federation script (the plain one or a registered deposit address), nor P2TR where the
// bridge has taproot off.
import type { Transaction } from 'bitcoinjs-lib'
import { equalBytes } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { parseTransaction } from '../../../spv/bitcoin/transaction.js'
import {
  canRefund,
  checkRefundMinimum,
  classifyOutputScript,
  federationScriptPubKey,
  fundingOutputScript,
  fundingScriptOf,
  type UnclaimedOutput,
  type UnclaimedReason,
} from '../../../peg/bitcoin/index.js'
import { emit, requireNoValue, requireWritable } from '../context.js'
import type { BtcContext } from './context.js'
import { COUNTERS } from '../layout.js'
import { enqueueRequest } from './queue.js'
import type { StoredRequest } from './records.js'
import type { Evidence } from './evidence.js'

/** The reasons a plain output is this chain's to settle; another chain's memo and zero values are not. */
export const SETTLED_REASONS: ReadonlySet<UnclaimedReason> = new Set(['no-memo', 'memo-malformed', 'memo-ambiguous'])

const REASON_TEXT: Record<UnclaimedReason, string> = {
  'no-memo': 'no memo',
  'memo-malformed': 'a malformed memo',
  'memo-ambiguous': 'more than one memo',
  'memo-other-chain': 'a memo for another chain',
  'zero-value': 'a zero value',
}

/** A request the bridge made itself (a refund) has the bridge as its requester: nothing was burned for it. */
export function isRefundRequest(q: Pick<StoredRequest, 'requester'>, bridgeAddress: Uint8Array): boolean {
  return equalBytes(q.requester, bridgeAddress)
}

/**
 * Which federation script `script` is — its own plain script, or a registered deposit address — or null. A payment
 * from the federation to one of them would come back as a deposit nobody registers: value stranded.
 */
export async function federationScriptOf(ctx: BtcContext, script: Uint8Array): Promise<string | null> {
  if (equalBytes(script, federationScriptPubKey(ctx.config.federation))) return 'the federation\'s own script'
  if ((await ctx.state.depositRecipient(script)) !== undefined) return 'a federation deposit address'
  return null
}

/** Why `script` cannot receive a refund, or null when it can. */
export async function refundScriptProblem(ctx: BtcContext, script: Uint8Array): Promise<string | null> {
  const type = classifyOutputScript(script)
  if (type === null) return 'it is not a standard output script'
  if (type === 'p2tr' && !ctx.config.allowTaproot) return 'it is P2TR and this bridge does not pay P2TR'
  const fed = await federationScriptOf(ctx, script)
  return fed === null ? null : `it is ${fed}`
}

/** Records an unclaimed plain output (its outpoint not yet registered): refunded on Bitcoin, or held for its owner. */
export async function settleUnclaimed(ctx: BtcContext, evidence: Evidence, tx: Transaction, u: UnclaimedOutput): Promise<void> {
  await ctx.state.markOutpoint(evidence.txid, u.vout)
  await ctx.state.addUtxo({ txid: evidence.txid, vout: u.vout, valueSats: u.valueSats, recipient: null })
  const why = REASON_TEXT[u.reason]
  const tried: string[] = []
  let target: { script: Uint8Array; from: string } | undefined
  if (u.refundScript !== undefined) {
    const problem = await refundScriptProblem(ctx, u.refundScript)
    if (problem === null) target = { script: u.refundScript, from: 'the memo\'s refund script' }
    else tried.push(`the memo's refund script is unusable (${problem})`)
  }
  const funding = fundingScriptOf(tx, 0)
  if (target === undefined) {
    if (funding.script !== null) {
      const problem = await refundScriptProblem(ctx, funding.script)
      if (problem === null) target = { script: funding.script, from: `the first input's ${funding.type} script` }
      else tried.push(`the first input's script is unusable (${problem})`)
    } else tried.push(funding.why)
  }
  const min = ctx.config.minPegOutSats
  const refundable = canRefund(u.valueSats, min)
  if (target !== undefined && refundable) {
    const id = await queueRefund(ctx, target.script, u.valueSats)
    emit(ctx, 'PegInRefunded', [evidence.txid, u.vout, u.valueSats, target.script, id, `${why}: refunded on Bitcoin to ${target.from}`])
    emit(ctx, 'PegOutRequested', [id, ctx.bridgeAddress, target.script, u.valueSats])
    return
  }
  const first = tx.ins[0]!
  await ctx.state.setHeldPayment(evidence.txid, u.vout, {
    valueSats: u.valueSats,
    fundingTxid: new Uint8Array(first.hash), // all zero for a coinbase
    fundingVout: first.index,
  })
  const reason =
    !refundable
      ? `${why}: ${u.valueSats} sats is below the peg-out minimum of ${min} and cannot pay a refund output: held in the reserves`
      : `${why}: no refund script is known (${tried.join('; ')}): held for its owner; refundHeldPayment(txid, vout, fundingTx) with the transaction the first input spends refunds it to that output's script`
  emit(ctx, 'PegInHeld', [evidence.txid, u.vout, u.valueSats, reason])
}

/**
 * Refunds a held payment to the output its first input spent: `fundingTx` is that output's transaction (raw, with
 * or without witness). Anyone may call it; where the value goes is fixed by Bitcoin, not by the caller.
 */
export async function refundHeldPayment(ctx: BtcContext, txid: Uint8Array, vout: bigint, fundingTx: Uint8Array): Promise<bigint> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const at = Number(vout)
  const held = await ctx.state.heldPayment(txid, at)
  if (held === undefined) fail('BRIDGE_NOT_HELD', 'the bridge holds no payment at this outpoint')
  checkRefundMinimum(held.valueSats, ctx.config.minPegOutSats)
  if (held.fundingTxid.every((x) => x === 0)) fail('BRIDGE_HELD_UNCLAIMABLE', 'the held payment was made by a coinbase: there is no funding output to refund to')
  const prev = parseTransaction(fundingTx)
  if (!equalBytes(prev.getHash(false), held.fundingTxid)) {
    fail('BRIDGE_FUNDING_TX_MISMATCH', 'this is not the transaction the held payment\'s first input spends (its txid differs)')
  }
  const script = fundingOutputScript(prev, held.fundingVout)
  if (script === null) fail('BRIDGE_REFUND_SCRIPT_UNUSABLE', `output ${held.fundingVout} of the funding transaction is not a standard output script`)
  const problem = await refundScriptProblem(ctx, script)
  if (problem !== null) fail('BRIDGE_REFUND_SCRIPT_UNUSABLE', `the funding output cannot receive a refund: ${problem}`)
  await ctx.state.setHeldPayment(txid, at, undefined)
  const id = await queueRefund(ctx, script, held.valueSats)
  emit(ctx, 'HeldPaymentRefunded', [txid, at, held.valueSats, script, id])
  emit(ctx, 'PegOutRequested', [id, ctx.bridgeAddress, script, held.valueSats])
  return id
}

export async function getHeldPayment(ctx: BtcContext, txid: Uint8Array, vout: bigint): Promise<[bigint, Uint8Array, number]> {
  const h = await ctx.state.heldPayment(txid, Number(vout))
  return h === undefined ? [0n, new Uint8Array(32), 0] : [h.valueSats, h.fundingTxid, h.fundingVout]
}

/** Queues a peg-out request of the bridge itself (a refund on Bitcoin; batches.ts requeues one that cannot pay its share): pending grows by the value, nothing is burned or minted. */
export async function queueRefund(ctx: BtcContext, script: Uint8Array, valueSats: bigint): Promise<bigint> {
  const id = await enqueueRequest(ctx, ctx.bridgeAddress, script, valueSats)
  return id
}
