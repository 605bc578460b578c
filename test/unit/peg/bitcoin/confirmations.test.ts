// The confirmation-depth rule (peg/bitcoin/confirmations.ts): unknown block, block off the best chain, not deep
// enough, each with its code; deep enough passes.
import { describe, expect, it } from 'vitest'
import { checkConfirmations, confirmationsAt, isDeepEnough } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'

describe('checkConfirmations', () => {
  it('passes at and above the required depth', () => {
    expect(() => checkConfirmations(6, 6)).not.toThrow()
    expect(() => checkConfirmations(100, 6)).not.toThrow()
    expect(() => checkConfirmations(1, 1)).not.toThrow()
  })
  it('refuses an unknown block (−1): BRIDGE_BLOCK_UNKNOWN', () => expectCode(() => checkConfirmations(-1, 6), 'BRIDGE_BLOCK_UNKNOWN'))
  it('refuses a block off the best chain (0): BRIDGE_NOT_BEST_CHAIN', () => expectCode(() => checkConfirmations(0, 1), 'BRIDGE_NOT_BEST_CHAIN'))
  it('refuses one short: PEG_NOT_ENOUGH_CONFIRMATIONS, with the counts in its details', () => {
    const e = expectCode(() => checkConfirmations(5, 6), 'PEG_NOT_ENOUGH_CONFIRMATIONS')
    expect(e.details).toEqual({ confirmations: 5, required: 6 })
    expectCode(() => checkConfirmations(1, 6), 'PEG_NOT_ENOUGH_CONFIRMATIONS')
  })
  it('refuses a required depth below 1 or a count that is not an integer: PEG_CONFIRMATIONS_INVALID', () => {
    expectCode(() => checkConfirmations(6, 0), 'PEG_CONFIRMATIONS_INVALID')
    expectCode(() => checkConfirmations(6.5, 6), 'PEG_CONFIRMATIONS_INVALID')
  })
})

describe('confirmationsAt and isDeepEnough', () => {
  it('counts the block itself as one confirmation', () => {
    expect(confirmationsAt(10, 10)).toBe(1)
    expect(confirmationsAt(15, 10)).toBe(6)
    expect(confirmationsAt(9, 10)).toBe(0)
  })
  it('is deep enough from `required` confirmations on', () => {
    expect(isDeepEnough(confirmationsAt(15, 10), 6)).toBe(true)
    expect(isDeepEnough(confirmationsAt(14, 10), 6)).toBe(false)
    expect(isDeepEnough(0, 1)).toBe(false)
    expect(isDeepEnough(-1, 1)).toBe(false)
  })
  it('refuses negative or fractional heights and a required depth below 1', () => {
    expectCode(() => confirmationsAt(-1, 0), 'PEG_CONFIRMATIONS_INVALID')
    expectCode(() => confirmationsAt(5, 1.5), 'PEG_CONFIRMATIONS_INVALID')
    expectCode(() => isDeepEnough(3, 0), 'PEG_CONFIRMATIONS_INVALID')
  })
})
