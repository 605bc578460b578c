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

export interface ThresholdOptions {
  /** The deployment trusts every validator never to sign two blocks at one height: allows 3k ≤ 2n (not 2k ≤ n). */
  readonly tolerateNoByzantine?: boolean
  /** How the caller's configuration spells that option, so the refusal names what to set (and what it risks). */
  readonly optionName?: string
}

/**
 * Refuses a threshold k of n that two quorums could both reach with a Byzantine validator in common (3k ≤ 2n:
 * two sets of k share only 2k − n validators, not more than f), unless the deployment explicitly trusts every
 * validator (tolerateNoByzantine). A k with 2k ≤ n is refused always: two disjoint sets of honest validators, cut
 * apart by the network, could each finalize a block at one height.
 */
export function checkThreshold(n: number, k: number, options: ThresholdOptions = {}): void {
  if (!Number.isInteger(n) || n < 1) fail('CONSENSUS_BAD_THRESHOLD', `validator count must be a positive integer, got ${n}`, { n, k })
  if (!Number.isInteger(k) || k < 1 || k > n) fail('CONSENSUS_BAD_THRESHOLD', `threshold must be an integer in 1..${n}, got ${k}`, { n, k })
  if (2 * k <= n) {
    fail('CONSENSUS_BAD_THRESHOLD', `threshold ${k} of ${n} lets two disjoint halves of honest validators finalize two blocks at one height: need more than half, and k ≥ ${quorumFor(n)} to tolerate a faulty validator`, { n, k })
  }
  if (3 * k <= 2 * n && options.tolerateNoByzantine !== true) {
    const faulty = 2 * k - n
    const override = options.optionName === undefined ? '' : `, or set ${options.optionName}: true to accept that risk when no validator can ever be faulty`
    fail(
      'CONSENSUS_BAD_THRESHOLD',
      `threshold ${k} of ${n} does not tolerate a Byzantine validator: with 3k ≤ 2n, ${faulty === 1 ? 'one faulty validator' : `${faulty} faulty validators`} can finalize two blocks at one height (need k ≥ ${quorumFor(n)}${override})`,
      { n, k, ...(options.optionName === undefined ? {} : { option: options.optionName }) },
    )
  }
}
