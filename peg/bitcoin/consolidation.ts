// Consolidations (PROTOCOL.md section 6a): when the queued requests cannot be covered within the bridge's bound on
// inputs per transaction, the federation first joins the first UTXOs of its set into one output to its own plain
// script. Pure and deterministic, so the bridge and every signer build the same bytes; the fee is borne by the
// requests waiting for it (prepaid, in proportion to their amounts), never by the reserves.
import { Transaction } from 'bitcoinjs-lib'
import { pegEnsure, pegFail } from './errors.js'
import { BATCH_LOCKTIME, BATCH_SEQUENCE, BATCH_TX_VERSION, DEFAULT_DUST_SATS, estimateBatchSize, MAX_STANDARD_TX_WEIGHT, type Batch, type FederationUtxo } from './batch.js'
import type { Federation } from './federation.js'
import { utxoScriptPubKey } from './pegin.js'
import { checkChainId } from './values.js'

export interface ConsolidationOptions {
  readonly fed: Federation
  readonly chainId: bigint
  readonly feeRateSatPerVb: bigint
  /** How many of the first UTXOs to join, ≥ 2. */
  readonly inputCount: number
  readonly dustSats?: bigint
}

/**
 * One transaction spending the first `inputCount` UTXOs (in the given order) to a single output of the plain
 * federation script worth Σ inputs − fee. The result is a Batch with no request outputs: its one output is the
 * change (`changeSats`), at index 0.
 */
export function buildConsolidation(utxos: readonly FederationUtxo[], opts: ConsolidationOptions): Batch {
  checkChainId(opts.chainId)
  const { fed, chainId, feeRateSatPerVb, inputCount } = opts
  pegEnsure(typeof feeRateSatPerVb === 'bigint' && feeRateSatPerVb >= 1n, 'PEG_CONSOLIDATION_INVALID', 'feeRateSatPerVb: expected a bigint ≥ 1')
  pegEnsure(Number.isInteger(inputCount) && inputCount >= 2, 'PEG_CONSOLIDATION_INVALID', 'a consolidation joins at least two UTXOs')
  pegEnsure(utxos.length >= inputCount, 'PEG_CONSOLIDATION_INVALID', `a consolidation of ${inputCount} UTXOs needs that many; ${utxos.length} are given`)
  const inputs = utxos.slice(0, inputCount).map((u) => Object.freeze({ txid: u.txid.slice(), vout: u.vout, valueSats: u.valueSats, recipient: u.recipient === null ? null : u.recipient.slice() }))
  const script = utxoScriptPubKey(fed, chainId, null)
  const { weight, vsize } = estimateBatchSize(fed, inputs.length, [script])
  pegEnsure(weight <= MAX_STANDARD_TX_WEIGHT, 'PEG_BATCH_TOO_LARGE', 'the consolidation would exceed the standard transaction weight', { weight, inputs: inputs.length })
  const feeSats = BigInt(vsize) * feeRateSatPerVb
  const inSum = inputs.reduce((s, u) => s + u.valueSats, 0n)
  const changeSats = inSum - feeSats
  if (changeSats < (opts.dustSats ?? DEFAULT_DUST_SATS)) {
    pegFail('PEG_CONSOLIDATION_INVALID', `joining ${inputCount} UTXOs of ${inSum} sats costs ${feeSats} sats in fees: nothing worth keeping is left`, {
      inSats: String(inSum),
      feeSats: String(feeSats),
    })
  }
  const tx = new Transaction()
  tx.version = BATCH_TX_VERSION
  tx.locktime = BATCH_LOCKTIME
  for (const u of inputs) tx.addInput(u.txid, u.vout, BATCH_SEQUENCE)
  tx.addOutput(script, changeSats)
  return Object.freeze({
    inputs,
    outputs: [Object.freeze({ requestId: null, scriptPubKey: script, valueSats: changeSats })],
    feeSats,
    feeShares: [],
    changeSats,
    vsize,
    unsignedTx: tx.toBuffer(),
    txid: tx.getHash(false),
  })
}

/**
 * How a consolidation's fee is borne by the requests it is made for: ⌊fee × vᵢ / Σv⌋ each, the satoshis left one
 * each to the earliest. Σ = fee.
 */
export function splitProportional(feeSats: bigint, values: readonly bigint[]): bigint[] {
  const total = values.reduce((a, b) => a + b, 0n)
  pegEnsure(total > 0n, 'PEG_CONSOLIDATION_INVALID', 'a consolidation fee needs requests to bear it')
  const parts = values.map((v) => (feeSats * v) / total)
  let left = feeSats - parts.reduce((a, b) => a + b, 0n)
  return parts.map((p) => {
    const extra = left > 0n ? 1n : 0n
    left -= extra
    return p + extra
  })
}
