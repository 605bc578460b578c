// The most a peg-out of a given amount pays in fees (issue 11 item 5): what `estimatePegOutFeeFor` quotes before a
// user signs, computed from the federation's UTXOs as they stand and the current fee rate. Shares follow cost
// (batch.ts shareFee): a request pays its own output, and the rest of its batch's fee — inputs, overhead, change —
// in proportion to its amount. A batch that ends with n inputs covers more than the first n − 2 UTXOs (at most one
// is added to lift dust change), so the rest it spreads over each satoshi requested is at most
// rest(n) / S(n − 2), and never more than rest(n) in all. When the amount needs more inputs than one batch may take,
// the consolidations it needs are added whole (it bears at most its proportional part of them).
import { buildConsolidation } from './consolidation.js'
import { estimateBatchSize, outputBytes, type FederationUtxo } from './batch.js'
import type { Federation } from './federation.js'
import { utxoScriptPubKey } from './pegin.js'

export interface FeeBoundOptions {
  readonly fed: Federation
  readonly chainId: bigint
  readonly feeRateSatPerVb: bigint
  readonly maxInputs: number
}

/** An upper bound of the fee a request of `valueSats` to `scriptPubKey` pays, at this rate and these reserves. */
export function pegOutFeeBound(utxos: readonly FederationUtxo[], scriptPubKey: Uint8Array, valueSats: bigint, opts: FeeBoundOptions): bigint {
  const { fed, chainId, feeRateSatPerVb: rate, maxInputs } = opts
  const change = utxoScriptPubKey(fed, chainId, null)
  const own = BigInt(outputBytes(scriptPubKey)) * rate
  // The inputs a batch for this amount may start from: after the consolidations it needs, if any.
  let set = [...utxos]
  let consolidationFees = 0n
  for (let guard = 0; guard < 1000 && set.length > maxInputs && sum(set, maxInputs) < valueSats; guard++) {
    const c = buildConsolidation(set, { fed, chainId, feeRateSatPerVb: rate, inputCount: maxInputs })
    consolidationFees += c.feeSats
    set = [{ txid: c.txid, vout: 0, valueSats: c.changeSats, recipient: null }, ...set.slice(maxInputs)]
  }
  let worst = 0n
  let covered = 0n // S(n − 2)
  const top = Math.min(maxInputs, Math.max(set.length, 1))
  for (let n = 1; n <= top; n++) {
    if (n >= 3) covered += set[n - 3]!.valueSats
    // The fee beyond the requests' own outputs: overhead, n inputs, the change output (and 4 vbytes of slack for
    // the output count's CompactSize and the rounding of weight to vbytes).
    const rest = BigInt(estimateBatchSize(fed, n, [change]).vsize + 4) * rate
    const spread = covered === 0n ? rest : ceilDiv(valueSats * rest, covered)
    const part = spread < rest ? spread : rest
    if (part > worst) worst = part
  }
  // One more satoshi: the remainder of the proportional split.
  return own + worst + 1n + consolidationFees
}

function sum(set: readonly FederationUtxo[], n: number): bigint {
  let s = 0n
  for (let i = 0; i < n && i < set.length; i++) s += set[i]!.valueSats
  return s
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b
