// The fee rate the bridge's batches use (issue 11 item 7): the median of the members' fresh reports, within the
// configured floor and ceiling. Block time and the reports are passed in; the bridge reads them from its storage.
import { pegEnsure } from './errors.js'

/** Bounds of one member's report (sat/vB): below 1 no transaction relays; above, a typo or an attack. */
export const MIN_REPORTED_FEE_RATE = 1n
export const MAX_REPORTED_FEE_RATE = 1_000_000n

/** One member's latest report: its rate and the block time (seconds) it was made at. */
export interface FeeReport {
  readonly satPerVb: bigint
  readonly at: bigint
}

export interface FeeRateRules {
  /** Block time (seconds) the rate is asked at. */
  readonly now: bigint
  /** A report older than this many seconds of block time is ignored. */
  readonly maxAgeSeconds: number
  /** Fewer fresh reports than this give the floor. */
  readonly threshold: number
  readonly floor: bigint
  readonly ceiling: bigint
}

/** BRIDGE_BAD_FEE_RATE unless `satPerVb` is a rate a member may report (1 to 1,000,000 sat/vB). */
export function checkReportedFeeRate(satPerVb: bigint): void {
  pegEnsure(
    typeof satPerVb === 'bigint' && satPerVb >= MIN_REPORTED_FEE_RATE && satPerVb <= MAX_REPORTED_FEE_RATE,
    'BRIDGE_BAD_FEE_RATE',
    `a fee rate must be between 1 and 1,000,000 sat/vB, got ${satPerVb}`,
  )
}

/**
 * The median of the fresh reports (made at or after `now − maxAgeSeconds`; `undefined` for a member that never
 * reported), clamped to [floor, ceiling]. Fewer than `threshold` fresh reports mean the floor, so no single member
 * (nor a stale report of one) sets the rate alone. An even count takes the mean of the two middle reports, rounded
 * down.
 */
export function medianFeeRate(reports: readonly (FeeReport | undefined)[], rules: FeeRateRules): bigint {
  const { now, maxAgeSeconds, threshold, floor, ceiling } = rules
  pegEnsure(typeof now === 'bigint', 'PEG_FEE_RATE_INVALID', 'now: expected a bigint of seconds')
  pegEnsure(Number.isSafeInteger(maxAgeSeconds) && maxAgeSeconds >= 0, 'PEG_FEE_RATE_INVALID', 'maxAgeSeconds: expected a non-negative integer', {
    maxAgeSeconds,
  })
  pegEnsure(Number.isSafeInteger(threshold) && threshold >= 1, 'PEG_FEE_RATE_INVALID', 'threshold: expected a positive integer', { threshold })
  pegEnsure(typeof floor === 'bigint' && floor >= MIN_REPORTED_FEE_RATE, 'PEG_FEE_RATE_INVALID', 'floor: expected a bigint of at least 1 sat/vB', {
    floor: String(floor),
  })
  pegEnsure(typeof ceiling === 'bigint' && ceiling >= floor, 'PEG_FEE_RATE_INVALID', 'ceiling: expected a bigint at least the floor', {
    floor: String(floor),
    ceiling: String(ceiling),
  })
  const oldest = now - BigInt(maxAgeSeconds)
  const fresh: bigint[] = []
  for (const r of reports) if (r !== undefined && r.at >= oldest) fresh.push(r.satPerVb)
  let rate = floor
  if (fresh.length >= threshold) {
    fresh.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const mid = fresh.length >> 1
    rate = fresh.length % 2 === 1 ? fresh[mid]! : (fresh[mid - 1]! + fresh[mid]!) / 2n
  }
  if (rate < floor) rate = floor
  if (rate > ceiling) rate = ceiling
  return rate
}
