// What the bridge does with its peg-out queue when a batch is due (issue 11 items 1 and 5), as one pure decision
// over the first UTXOs of the federation's set and the queued requests in id order:
//   - pay the longest prefix of the queue whose value the first `maxInputs` UTXOs cover (one batch);
//   - a request that cannot pay its fee share (less than dust would be left) is refunded on the side chain and the
//     batch is built again without it, so one small request never stalls the queue;
//   - if not even the first request can be covered within `maxInputs` inputs while more of the reserves exist (more
//     UTXOs, or consolidations in flight), consolidate: join the first `maxInputs` UTXOs into one, its fee borne by the waiting requests in proportion to their
//     amounts — only while each keeps at least half of its value (else the queue waits: the reserves are too
//     fragmented for such small requests at this fee rate);
//   - otherwise wait (reserves still in flight) with the reason.
import { CausewayError } from '../../spv/base/errors.js'
import { buildBatch, type Batch, type FederationUtxo, type PegOutRequest } from './batch.js'
import { buildConsolidation, splitProportional } from './consolidation.js'
import type { Federation } from './federation.js'

export interface PlanOptions {
  readonly fed: Federation
  readonly chainId: bigint
  readonly feeRateSatPerVb: bigint
  readonly maxInputs: number
  readonly dustSats?: bigint
}

export type BatchPlan =
  | {
      readonly kind: 'pay'
      /** undefined when every due request was refunded: the range closes with no transaction. */
      readonly batch: Batch | undefined
      /** The requests it pays, in order (a contiguous id range less the refunded ones). */
      readonly paid: readonly PegOutRequest[]
      /** Requests of the range refunded on the side chain, with the reason. */
      readonly refunded: readonly { readonly request: PegOutRequest; readonly reason: string }[]
      /** The id range the batch closes: every id in it is paid or refunded. */
      readonly firstRequestId: bigint
      readonly requestCount: number
    }
  | {
      readonly kind: 'consolidate'
      readonly batch: Batch
      /** The requests that bear its fee, and each one's part (Σ = the fee). */
      readonly bearers: readonly PegOutRequest[]
      readonly parts: readonly bigint[]
    }
  | { readonly kind: 'wait'; readonly code: string; readonly reason: string }

const COVERAGE = new Set(['PEG_INSUFFICIENT_RESERVES', 'PEG_BATCH_TOO_MANY_INPUTS', 'PEG_BATCH_DUST_CHANGE', 'PEG_BATCH_TOO_LARGE'])

function attempt(utxos: readonly FederationUtxo[], requests: readonly PegOutRequest[], opts: PlanOptions): Batch | CausewayError {
  try {
    return buildBatch(utxos, requests, { fed: opts.fed, chainId: opts.chainId, feeRateSatPerVb: opts.feeRateSatPerVb, maxInputs: opts.maxInputs, ...(opts.dustSats !== undefined ? { dustSats: opts.dustSats } : {}) })
  } catch (e) {
    if (e instanceof CausewayError) return e
    throw e
  }
}

const covered = (r: Batch | CausewayError): boolean => !(r instanceof CausewayError) || !COVERAGE.has(r.code)

/**
 * The plan for a due queue. `utxos`: the first UTXOs of the set (maxInputs + 1 of them when the set has that many,
 * so the plan knows whether more exist); `consolidating`: consolidations in flight, whose outputs will head the set;
 * `requests`: the due requests in id order. Consolidating helps when more of the reserves exist than one batch may
 * spend: more UTXOs than maxInputs, or exactly maxInputs with outputs of consolidations coming back. A consolidation
 * always joins maxInputs UTXOs.
 */
export function planBatch(utxos: readonly FederationUtxo[], consolidating: number, requests: readonly PegOutRequest[], opts: PlanOptions): BatchPlan {
  const spendable = utxos.slice(0, opts.maxInputs)
  const more = consolidating > 0 || utxos.length > opts.maxInputs
  let list = [...requests]
  const refunded: { request: PegOutRequest; reason: string }[] = []
  while (list.length > 0) {
    // The longest coverable prefix (coverage only falls as the prefix grows).
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (covered(attempt(spendable, list.slice(0, mid), opts))) lo = mid
      else hi = mid - 1
    }
    if (lo === 0) break
    const result = attempt(spendable, list.slice(0, lo), opts)
    if (!(result instanceof CausewayError)) {
      const paid = list.slice(0, lo)
      const lastId = [...paid, ...refunded.map((r) => r.request)].reduce((m, r) => (r.id > m ? r.id : m), 0n)
      const first = requests[0]!.id
      return { kind: 'pay', batch: result, paid, refunded, firstRequestId: first, requestCount: Number(lastId - first) + 1 }
    }
    if (result.code !== 'PEG_FEE_EXCEEDS_OUTPUT') return { kind: 'wait', code: result.code, reason: result.message }
    const id = BigInt(String(result.details?.requestId))
    const at = list.findIndex((r) => r.id === id)
    if (at < 0) throw result
    refunded.push({ request: list[at]!, reason: `its fee share of ${String(result.details?.feeShareSats)} sats leaves less than dust of its ${list[at]!.valueSats} sats` })
    list.splice(at, 1)
  }
  if (refunded.length > 0 && list.length === 0) {
    // Every due request was refunded: the range closes with no batch.
    const first = requests[0]!.id
    const last = refunded.reduce((m, r) => (r.request.id > m ? r.request.id : m), 0n)
    return { kind: 'pay', batch: undefined, paid: [], refunded, firstRequestId: first, requestCount: Number(last - first) + 1 }
  }
  const head = attempt(spendable, list.slice(0, 1), opts)
  const headCode = head instanceof CausewayError ? head.code : 'PEG_INSUFFICIENT_RESERVES'
  // Only full consolidations: a short set waits for the consolidations in flight to come back instead of joining
  // their outputs again (which would only pay fees twice).
  if (!more || spendable.length < opts.maxInputs) {
    return { kind: 'wait', code: headCode, reason: `request ${list[0]!.id} waits for reserves: ${head instanceof CausewayError ? head.message : ''}` }
  }
  // Not coverable within maxInputs inputs, and more of the reserves exist: join the first maxInputs.
  let consolidation: Batch
  try {
    consolidation = buildConsolidation(spendable, { fed: opts.fed, chainId: opts.chainId, feeRateSatPerVb: opts.feeRateSatPerVb, inputCount: spendable.length, ...(opts.dustSats !== undefined ? { dustSats: opts.dustSats } : {}) })
  } catch (e) {
    if (e instanceof CausewayError) return { kind: 'wait', code: e.code, reason: e.message }
    throw e
  }
  const parts = splitProportional(consolidation.feeSats, list.map((r) => r.valueSats))
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!
    if (((r.prepaidFeeSats ?? 0n) + parts[i]!) * 2n > r.valueSats) {
      return {
        kind: 'wait',
        code: 'PEG_CONSOLIDATION_TOO_COSTLY',
        reason: `joining ${spendable.length} UTXOs costs ${consolidation.feeSats} sats; request ${r.id} would bear more than half of its ${r.valueSats} sats`,
      }
    }
  }
  return { kind: 'consolidate', batch: consolidation, bearers: list, parts }
}
