// Which outputs of a Bitcoin transaction are peg-ins to this side chain, and to whom (ARCHITECTURE.md decision 6).
// Two forms: an output to a recipient's deposit address (the recipient is in the script itself), or an output to
// the plain federation address in a transaction that carries exactly one Causeway memo, for this chain id.
// The bridge runs this after the SPV proof; it says nothing about confirmations or outpoints seen before.
import { equalBytes } from '../../spv/base/bytes.js'
import { isCausewayError } from '../../spv/base/errors.js'
import { assertPegEvidenceTx } from '../../spv/bitcoin/transaction.js'
import { depositWitnessScript } from './deposit.js'
import { pegFail } from './errors.js'
import { federationWitnessScript, p2wshScriptPubKey, type Federation } from './federation.js'
import { decodePegInMemo, type PegInMemo } from './memo.js'
import { checkChainId, checkRecipient } from './values.js'

export type PegInKind = 'deposit-address' | 'op-return'

export interface PegInOutput {
  readonly vout: number
  readonly valueSats: bigint
  /** The side-chain address (20 bytes) to mint to. */
  readonly recipient: Uint8Array
  readonly kind: PegInKind
  /** The memo's refund script (op-return kind only, when the sender gave one). */
  readonly refundScript?: Uint8Array
}

export interface PegInContext {
  readonly fed: Federation
  readonly chainId: bigint
  /** The recipient whose deposit address to look for; without it only the OP_RETURN form can match. */
  readonly recipient?: Uint8Array
}

/**
 * Why an output paying the plain federation script is not a peg-in: no memo; a malformed memo; a memo for another
 * chain id (a side chain sharing this federation); more than one memo (the outputs could be claimed twice); or a
 * zero value.
 */
export type UnclaimedReason = 'no-memo' | 'memo-malformed' | 'memo-other-chain' | 'memo-ambiguous' | 'zero-value'

export interface UnclaimedOutput {
  readonly vout: number
  readonly valueSats: bigint
  readonly reason: UnclaimedReason
  /**
   * The refund script the transaction's well-formed memos name, when they name exactly one (a memo that cannot
   * speak for the output still says where its sender wants a refund).
   */
  readonly refundScript?: Uint8Array
}

export interface PegInScan {
  /** The transaction id, internal byte order. */
  readonly txid: Uint8Array
  readonly outputs: readonly PegInOutput[]
  /** Outputs paying a federation script that this chain cannot attribute (for the bridge's events). */
  readonly unclaimed: readonly UnclaimedOutput[]
}

/** The witness script of a federation UTXO: the plain federation script (recipient null) or a deposit script. */
export function utxoWitnessScript(fed: Federation, chainId: bigint, recipient: Uint8Array | null): Uint8Array {
  checkChainId(chainId)
  return recipient === null ? federationWitnessScript(fed) : depositWitnessScript(fed, chainId, recipient)
}

/** The scriptPubKey of a federation UTXO (recipient null: the plain federation script). */
export function utxoScriptPubKey(fed: Federation, chainId: bigint, recipient: Uint8Array | null): Uint8Array {
  return p2wshScriptPubKey(utxoWitnessScript(fed, chainId, recipient))
}

/**
 * Every output of `rawTx` that pays this federation, sorted into peg-ins and unattributable outputs. The
 * transaction is parsed strictly (SPV_TX_MALFORMED, and SPV_TX_64_BYTES for the 64-byte form a merkle proof
 * cannot vouch for).
 */
export function scanPegIn(rawTx: Uint8Array, ctx: PegInContext): PegInScan {
  const tx = assertPegEvidenceTx(rawTx)
  checkChainId(ctx.chainId)
  if (ctx.recipient !== undefined) checkRecipient(ctx.recipient, 'ctx.recipient')
  const plain = utxoScriptPubKey(ctx.fed, ctx.chainId, null)
  const deposit = ctx.recipient === undefined ? null : utxoScriptPubKey(ctx.fed, ctx.chainId, ctx.recipient)

  // Count every output carrying the magic, well-formed or not: exactly one may speak for the plain outputs.
  const memos: PegInMemo[] = []
  let malformed = 0
  for (const out of tx.outs) {
    try {
      const memo = decodePegInMemo(out.script)
      if (memo !== null) memos.push(memo)
    } catch (e) {
      if (!isCausewayError(e, 'PEG_MEMO_MALFORMED')) throw e
      malformed++
    }
  }
  let plainReason: UnclaimedReason | null = null
  const memo = memos[0]
  if (memos.length + malformed === 0) plainReason = 'no-memo'
  else if (memos.length + malformed > 1) plainReason = 'memo-ambiguous'
  else if (memo === undefined) plainReason = 'memo-malformed'
  else if (memo.chainId !== ctx.chainId) plainReason = 'memo-other-chain'

  // Where the sender asked for a refund: one script, when every well-formed memo naming one names the same.
  const refunds = memos.flatMap((m) => (m.refundScript === undefined ? [] : [m.refundScript]))
  const refundScript = refunds.length > 0 && refunds.every((r) => equalBytes(r, refunds[0]!)) ? refunds[0]! : undefined
  const outputs: PegInOutput[] = []
  const unclaimed: UnclaimedOutput[] = []
  tx.outs.forEach((out, vout) => {
    const valueSats = out.value
    const isDeposit = deposit !== null && equalBytes(out.script, deposit)
    const isPlain = !isDeposit && equalBytes(out.script, plain)
    if (!isDeposit && !isPlain) return
    if (valueSats === 0n) {
      unclaimed.push(Object.freeze({ vout, valueSats, reason: 'zero-value' as const }))
    } else if (isDeposit) {
      outputs.push(Object.freeze({ vout, valueSats, recipient: ctx.recipient!.slice(), kind: 'deposit-address' as const }))
    } else if (plainReason !== null || memo === undefined) {
      const u = { vout, valueSats, reason: plainReason ?? ('no-memo' as const) }
      unclaimed.push(Object.freeze(refundScript === undefined ? u : { ...u, refundScript: refundScript.slice() }))
    } else {
      const base = { vout, valueSats, recipient: memo.recipient.slice(), kind: 'op-return' as const }
      outputs.push(Object.freeze(memo.refundScript === undefined ? base : { ...base, refundScript: memo.refundScript.slice() }))
    }
  })
  return Object.freeze({ txid: tx.getHash(false), outputs: Object.freeze(outputs), unclaimed: Object.freeze(unclaimed) })
}

/**
 * The peg-in outputs of `rawTx` for this chain (see scanPegIn); PEG_NO_FEDERATION_OUTPUT when there are none, with
 * the unattributable federation outputs and their reasons in the error's details.
 */
export function findPegInOutputs(rawTx: Uint8Array, ctx: PegInContext): PegInOutput[] {
  const scan = scanPegIn(rawTx, ctx)
  if (scan.outputs.length === 0) {
    pegFail('PEG_NO_FEDERATION_OUTPUT', 'the transaction pays no deposit or memo-tagged federation output of this chain', {
      unclaimed: scan.unclaimed.map((u) => ({ vout: u.vout, valueSats: String(u.valueSats), reason: u.reason })),
    })
  }
  return [...scan.outputs]
}
