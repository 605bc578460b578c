// Quorum sizes for n validators. The paper (Buchman, Kwon, Milosevic 2018) assumes n = 3f + 1 and uses 2f + 1. For other n, 2f + 1 is not enough: with n = 5 (f = 1)
// two quorums of 3 meet in one validator, which may be the faulty one. What safety needs is that two quorums meet
// in more than f validators, i.e. 3k > 2n; `quorumFor(n)` is the least such k (= 2f + 1 when n = 3f + 1).
import { fail } from '../../spv/base/errors.js'

/** Byzantine validators tolerated among n: f = ⌊(n − 1) / 3⌋. */
export function faultsFor(n: number): number {
  return Math.floor((n - 1) / 3)
}

/** The least k with 3k > 2n: any two sets of k validators share more than f of them. */
export function quorumFor(n: number): number {
  return Math.floor((2 * n) / 3) + 1
}

/**
 * Refuses a threshold k of n that two disjoint-enough quorums could both reach with a Byzantine validator in
 * common (3k ≤ 2n), unless the deployment explicitly trusts every validator (tolerateNoByzantine).
 */
export function checkThreshold(n: number, k: number, options: { tolerateNoByzantine?: boolean } = {}): void {
  if (!Number.isInteger(n) || n < 1) fail('CONSENSUS_BAD_THRESHOLD', `validator count must be a positive integer, got ${n}`, { n, k })
  if (!Number.isInteger(k) || k < 1 || k > n) fail('CONSENSUS_BAD_THRESHOLD', `threshold must be an integer in 1..${n}, got ${k}`, { n, k })
  if (3 * k <= 2 * n && options.tolerateNoByzantine !== true) {
    fail('CONSENSUS_BAD_THRESHOLD', `threshold ${k} of ${n} does not tolerate a Byzantine validator: need 3k > 2n (k ≥ ${quorumFor(n)})`, { n, k })
  }
}
