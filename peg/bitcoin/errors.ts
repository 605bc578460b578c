// The stable error codes of the Bitcoin peg rules, in one list so the bridge, the signers and the wallet can map
// them (STYLE.md, "Errors": start with codes). Every failure here is a CausewayError carrying one of these.
import { fail, type ErrorDetails } from '../../spv/base/errors.js'

export const PEG_ERROR_CODES = [
  // federation and keys
  'PEG_FEDERATION_INVALID', // n, k or a key out of range (1 ≤ k ≤ n ≤ 15, 33-byte compressed valid points)
  'PEG_DUPLICATE_MEMBER', // the same key twice in a federation or a multisig
  'PEG_NETWORK_INVALID', // a bad address-network override (bech32 prefix)
  'PEG_PUBKEY_INVALID', // not a 33-byte compressed secp256k1 point
  'PEG_PRIVATE_KEY_INVALID', // not a 32-byte scalar in [1, n)
  'PEG_NOT_A_MEMBER', // a key or member index that is not in the federation
  'PEG_DESCRIPTOR_INVALID', // a character outside the descriptor alphabet, or a wrong checksum
  // deposit addresses
  'PEG_TWEAK_INVALID', // a pay-to-contract tweak ≥ the curve order, or a tweaked key at infinity / zero
  'PEG_CHAIN_ID_INVALID', // chain id outside [0, 2^64)
  'PEG_RECIPIENT_INVALID', // recipient not 20 bytes
  // peg-in
  'PEG_MEMO_MALFORMED', // an OP_RETURN carrying the "CWAY" magic whose rest is wrong
  'PEG_REFUND_SCRIPT_INVALID', // a refund script that is not a standard single-key/hash output (encode side)
  'PEG_NO_FEDERATION_OUTPUT', // a transaction with no output this chain can claim
  // peg-out
  'PEG_ADDRESS_INVALID', // not a supported Bitcoin address at all
  'PEG_ADDRESS_WRONG_NETWORK', // a well-formed address of another network
  'PEG_ADDRESS_UNSUPPORTED', // a valid address of a type this bridge is configured not to pay (P2TR on bcoin)
  'PEG_AMOUNT_INVALID', // negative, or beyond 21 million BTC
  'PEG_NOT_WHOLE_SATOSHI', // wei not a multiple of 10^10
  'PEG_BELOW_MINIMUM', // below the bridge's minimum peg-out (a request, or a held payment to refund: minimums.ts)
  // confirmation depth (confirmations.ts); the BRIDGE_ names are kept from when the bridge checked it inline
  'BRIDGE_BLOCK_UNKNOWN', // a proof for a block the header chain does not know (relay its headers first)
  'BRIDGE_NOT_BEST_CHAIN', // a proof for a known block off the best chain
  'PEG_NOT_ENOUGH_CONFIRMATIONS', // a block on the best chain, not yet buried under the required confirmations
  'PEG_CONFIRMATIONS_INVALID', // a height, count or required depth that is not an integer in range
  // fee rate (fee-rate.ts)
  'BRIDGE_BAD_FEE_RATE', // a member's report outside 1–1,000,000 sat/vB (name kept from the bridge)
  'PEG_FEE_RATE_INVALID', // fee-rate rules out of range (floor < 1, ceiling < floor, threshold < 1…)
  // peg-out queue (batch-due.ts)
  'PEG_QUEUE_INVALID', // queue counters, block numbers or batch rules that are not in range
  'PEG_BATCH_NOT_DUE', // the queue is empty or its oldest request has not waited the batch interval
  'PEG_BATCH_DEFERRED', // a batch is due but must wait (planBatch's reason: a batch or consolidation in flight…)
  // batches
  'PEG_BATCH_INVALID', // arguments a batch cannot be built from (no requests, ids out of order, duplicate UTXO…)
  'PEG_INSUFFICIENT_RESERVES', // the UTXOs do not cover the requests
  'PEG_BATCH_DUST_CHANGE', // change would be dust and no UTXO is left to lift it
  'PEG_FEE_EXCEEDS_OUTPUT', // a request's value less its fee share is below dust
  'PEG_BATCH_TOO_LARGE', // over Bitcoin Core's standard weight (400,000 WU)
  'PEG_BATCH_TOO_MANY_INPUTS', // covering the requests takes more inputs than the bridge's bound (consolidate first)
  'PEG_CONSOLIDATION_TOO_COSTLY', // a consolidation would take more than half of a waiting request's value
  'PEG_CONSOLIDATION_INVALID', // a consolidation cannot be built (fewer than two UTXOs, fee above its value…)
  'PEG_SIGNATURE_MALFORMED', // one signature that is not strict DER + SIGHASH_ALL
  'PEG_SIGNATURES_MALFORMED', // a signature bundle (addSignatures bytes) that does not decode
  'PEG_NOT_ENOUGH_SIGNATURES', // fewer than k valid signatures on an input
  'PEG_BATCH_FOREIGN_INPUT', // a shown transaction spends an outpoint the batch does not
  'PEG_BATCH_EXTRA_OUTPUT', // a shown transaction has more outputs than the batch
  'PEG_BATCH_AMOUNT_MISMATCH', // an output pays the right script a different amount
  'PEG_BATCH_SCRIPT_MISMATCH', // an output pays a script the batch does not pay
  'PEG_BATCH_MISMATCH', // any other difference (version, locktime, order, sequence, missing output, witness)
  // accounting
  'PEG_RESERVE_SHORTFALL', // federation Bitcoin < native supply / 10^10 + pending peg-outs
] as const

export type PegErrorCode = (typeof PEG_ERROR_CODES)[number]

/** `fail` with a code checked at compile time against the list above. */
export function pegFail(code: PegErrorCode, message: string, details?: ErrorDetails, cause?: unknown): never {
  fail(code, message, details, cause)
}

/** A labelled assertion with a peg code. */
export function pegEnsure(condition: unknown, code: PegErrorCode, message: string, details?: ErrorDetails): asserts condition {
  if (!condition) fail(code, message, details)
}
