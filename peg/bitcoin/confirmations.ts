// The confirmation-depth rule (ARCHITECTURE.md decision 6): a Bitcoin transaction counts for the bridge only in a
// block of its best header chain buried under the configured number of confirmations (the block itself counts as
// one, as in Bitcoin Core's `confirmations`). The header chain answers the count; this file judges it.
import { pegEnsure, pegFail } from './errors.js'

/** How a header chain reports a block that is known but on a side branch (and −1 for an unknown one). */
export const NOT_ON_BEST_CHAIN = 0

/** Confirmations of the block at `blockHeight` on a best chain whose tip is at `tipHeight`. */
export function confirmationsAt(tipHeight: number, blockHeight: number): number {
  pegEnsure(Number.isSafeInteger(tipHeight) && tipHeight >= 0, 'PEG_CONFIRMATIONS_INVALID', 'tipHeight: expected a non-negative integer', { tipHeight })
  pegEnsure(Number.isSafeInteger(blockHeight) && blockHeight >= 0, 'PEG_CONFIRMATIONS_INVALID', 'blockHeight: expected a non-negative integer', {
    blockHeight,
  })
  return tipHeight - blockHeight + 1
}

function checkRequired(required: number): void {
  pegEnsure(Number.isSafeInteger(required) && required >= 1, 'PEG_CONFIRMATIONS_INVALID', 'required: expected a positive integer', { required })
}

/** Whether `confirmations` reach the `required` depth. */
export function isDeepEnough(confirmations: number, required: number): boolean {
  pegEnsure(Number.isSafeInteger(confirmations), 'PEG_CONFIRMATIONS_INVALID', 'confirmations: expected an integer', { confirmations })
  checkRequired(required)
  return confirmations >= required
}

/**
 * Refuses a block the header chain does not know (BRIDGE_BLOCK_UNKNOWN: relay its headers first), one off its best
 * chain (BRIDGE_NOT_BEST_CHAIN), or one with fewer than `required` confirmations (PEG_NOT_ENOUGH_CONFIRMATIONS).
 */
export function checkConfirmations(confirmations: number, required: number): void {
  if (isDeepEnough(confirmations, required)) return
  if (confirmations < NOT_ON_BEST_CHAIN) {
    pegFail('BRIDGE_BLOCK_UNKNOWN', 'the proof is for a block the bridge does not know: relay its headers first (receiveBtcHeaders)')
  }
  if (confirmations === NOT_ON_BEST_CHAIN) pegFail('BRIDGE_NOT_BEST_CHAIN', 'the proof is for a block that is not on the bridge\'s best Bitcoin chain')
  pegFail('PEG_NOT_ENOUGH_CONFIRMATIONS', `the transaction has ${confirmations} confirmations; ${required} are required`, {
    confirmations,
    required,
  })
}
