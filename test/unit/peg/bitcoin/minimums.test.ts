// Below-minimum handling (peg/bitcoin/minimums.ts): deposits under the peg-in minimum held until their sum reaches
// it; refunds under the peg-out minimum not queued, and refused with PEG_BELOW_MINIMUM when asked for.
import { describe, expect, it } from 'vitest'
import { canRefund, checkRefundMinimum, creditPegIn } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'

describe('creditPegIn', () => {
  it('holds a deposit under the minimum, with what was held before', () => {
    expect(creditPegIn(0n, 9_999n, 10_000n)).toEqual({ totalSats: 9_999n, mint: false })
    expect(creditPegIn(4_000n, 5_000n, 10_000n)).toEqual({ totalSats: 9_000n, mint: false })
  })
  it('mints the held sum and the deposit once they reach the minimum', () => {
    expect(creditPegIn(0n, 10_000n, 10_000n)).toEqual({ totalSats: 10_000n, mint: true })
    expect(creditPegIn(9_000n, 1_000n, 10_000n)).toEqual({ totalSats: 10_000n, mint: true })
    expect(creditPegIn(9_000n, 50_000n, 10_000n)).toEqual({ totalSats: 59_000n, mint: true })
  })
  it('refuses negative or non-bigint amounts: PEG_AMOUNT_INVALID', () => {
    expectCode(() => creditPegIn(-1n, 1n, 10n), 'PEG_AMOUNT_INVALID')
    expectCode(() => creditPegIn(0n, 1 as unknown as bigint, 10n), 'PEG_AMOUNT_INVALID')
    expectCode(() => creditPegIn(0n, 1n, -10n), 'PEG_AMOUNT_INVALID')
  })
})

describe('canRefund and checkRefundMinimum', () => {
  it('a refund at or above the peg-out minimum can be paid', () => {
    expect(canRefund(20_000n, 20_000n)).toBe(true)
    expect(canRefund(20_001n, 20_000n)).toBe(true)
    expect(() => checkRefundMinimum(20_000n, 20_000n)).not.toThrow()
  })
  it('one satoshi under is held: canRefund false, PEG_BELOW_MINIMUM when asked to refund', () => {
    expect(canRefund(19_999n, 20_000n)).toBe(false)
    expectCode(() => checkRefundMinimum(19_999n, 20_000n), 'PEG_BELOW_MINIMUM')
    expectCode(() => checkRefundMinimum(0n, 1n), 'PEG_BELOW_MINIMUM')
  })
  it('refuses negative amounts: PEG_AMOUNT_INVALID', () => {
    expectCode(() => canRefund(-1n, 1n), 'PEG_AMOUNT_INVALID')
    expectCode(() => checkRefundMinimum(1n, -1n), 'PEG_AMOUNT_INVALID')
  })
})
