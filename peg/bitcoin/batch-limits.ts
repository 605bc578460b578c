// How many inputs one batch transaction may take (issue 11 item 1): the bound that keeps every batch completable.
// A batch must stay a standard transaction (400,000 weight) and its signed form, and each member's signatures, must
// fit the bridge's per-value storage (64 KiB), and so must its batch record; the bridge's configured `maxBatchInputs` lowers it further so a
// batching call's gas stays well inside a block. Past the bound the bridge consolidates first (consolidation.ts).
import { estimateBatchSize, ESTIMATED_SIGNATURE_BYTES } from './batch.js'
import type { Federation } from './federation.js'

/** A member's signature bundle for a batch: 72 bytes per input (signatures.ts), stored in one bridge value. */
const MAX_SIGNATURE_BUNDLE_BYTES = 60_000
/** Room left for the outputs of the largest batch the bridge makes (its requests and change). */
const OUTPUT_ROOM_WEIGHT = 4 * 500 * 43
/**
 * The bridge's batch record holds each input (txid, vout, value, recipient: up to 81 bytes) and the unsigned
 * transaction (41 bytes per input, and up to 500 outputs of 43 bytes) in one stored value of at most 64 KiB.
 */
const RECORD_BYTES_PER_INPUT = 81 + 41
const RECORD_ROOM_BYTES = 60_000 - 500 * 43 - 200

/** The most inputs a batch of this federation can have and stay standard and storable, before configuration. */
export function maxInputsFor(fed: Federation): number {
  const perInput = estimateBatchSize(fed, 2, []).weight - estimateBatchSize(fed, 1, []).weight
  const byWeight = Math.floor((400_000 - OUTPUT_ROOM_WEIGHT - 100) / perInput)
  const bySignatures = Math.floor(MAX_SIGNATURE_BUNDLE_BYTES / ESTIMATED_SIGNATURE_BYTES)
  const byRecord = Math.floor(RECORD_ROOM_BYTES / RECORD_BYTES_PER_INPUT)
  return Math.max(2, Math.min(byWeight, bySignatures, byRecord))
}
