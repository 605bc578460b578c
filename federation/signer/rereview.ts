// When a signer looks at a batch it refused again (GitHub issue 11, item 4): a refusal may pass later (its Bitcoin
// node catches up, the 24-hour window moves on, a request's burn arrives), so the daemon re-reviews every batch the
// bridge still holds unsigned by it, backing off per batch so a batch that stays refused costs little.
import type { FederationUtxo } from '../../peg/bitcoin/index.js'

/** First wait after a refusal. */
export const REREVIEW_FIRST_MS = 5_000
/** Longest wait between two reviews of one batch. */
export const REREVIEW_MAX_MS = 300_000

/** What a later review of a refused batch needs: what its PegOutBatched event said, and the wallet before it. */
export interface PendingReview {
  readonly unsignedTx: Uint8Array
  readonly feeRate: bigint
  readonly firstRequestId: bigint
  /**
   * The ledger's UTXOs, in order, as they stood before this batch spent its inputs: buildBatch takes inputs in this
   * order until they are covered, so reviewing against this reproduces the batch (the live ledger no longer has them).
   */
  readonly utxosBefore: readonly FederationUtxo[]
  /** Reviews done so far (the first at the event). */
  attempts: number
  /** Not before this time (ms since the epoch). */
  nextAt: number
}

/** The wait after the `attempts`-th refusal (1-based): 5 s, doubling, at most 5 min. */
export function rereviewDelayMs(attempts: number): number {
  if (!Number.isInteger(attempts) || attempts < 1) return REREVIEW_FIRST_MS
  // 2^6 × 5 s already exceeds the cap; stop the shift there so large counts do not overflow.
  const doublings = Math.min(attempts - 1, 6)
  return Math.min(REREVIEW_FIRST_MS * 2 ** doublings, REREVIEW_MAX_MS)
}
