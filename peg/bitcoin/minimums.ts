// Below-minimum handling (PROTOCOL.md): a deposit under the peg-in minimum is neither lost nor minted at once but
// held for its recipient until its held sum reaches the minimum; a Bitcoin refund under the peg-out minimum cannot
// pay a refund output and is held in the reserves. (A user's peg-out under the minimum: pegOutSats, pegout.ts.)
import { pegEnsure } from './errors.js'

function checkAmount(value: unknown, label: string): asserts value is bigint {
  pegEnsure(typeof value === 'bigint' && value >= 0n, 'PEG_AMOUNT_INVALID', `${label}: expected a non-negative bigint of satoshis`, {
    label,
    value: String(value),
  })
}

/** What a deposit does: the recipient's held satoshis plus the deposit, minted together or held together. */
export interface PegInCredit {
  readonly totalSats: bigint
  /** true: mint `totalSats` and hold nothing; false: hold `totalSats` for the recipient. */
  readonly mint: boolean
}

/** A deposit of `valueSats` to a recipient holding `heldSats`: minted once the sum reaches `minPegInSats`. */
export function creditPegIn(heldSats: bigint, valueSats: bigint, minPegInSats: bigint): PegInCredit {
  checkAmount(heldSats, 'heldSats')
  checkAmount(valueSats, 'valueSats')
  checkAmount(minPegInSats, 'minPegInSats')
  const totalSats = heldSats + valueSats
  return { totalSats, mint: totalSats >= minPegInSats }
}

/** Whether a refund of `valueSats` on Bitcoin can be queued: at least the peg-out minimum. */
export function canRefund(valueSats: bigint, minPegOutSats: bigint): boolean {
  checkAmount(valueSats, 'valueSats')
  checkAmount(minPegOutSats, 'minPegOutSats')
  return valueSats >= minPegOutSats
}

/** PEG_BELOW_MINIMUM when a held payment of `valueSats` is too small to pay a refund output. */
export function checkRefundMinimum(valueSats: bigint, minPegOutSats: bigint): void {
  pegEnsure(
    canRefund(valueSats, minPegOutSats),
    'PEG_BELOW_MINIMUM',
    `the held payment of ${valueSats} sats is below the peg-out minimum of ${minPegOutSats}: it cannot pay a refund output`,
  )
}
