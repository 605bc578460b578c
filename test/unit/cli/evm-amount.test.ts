// The EVM commands' amounts (cli/evm/amount.ts): exact smallest units in the token's own decimals, and every
// malformed text refused with its code before anything is sent.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkAmountSyntax, formatTokenAmount, parseTokenAmount } from '../../../cli/evm/amount.js'
import { codeOf } from '../../helpers/expect.js'


describe('parseTokenAmount', () => {
  it.each([
    ['1.5', 18, 1_500_000_000_000_000_000n],
    ['25', 6, 25_000_000n],
    ['0.000001', 6, 1n],
    ['.5', 6, 500_000n],
    ['1.', 6, 1_000_000n],
    ['1.500000000', 6, 1_500_000n],
    [' 2 ', 0, 2n],
    ['0.000000000000000001', 18, 1n],
  ])('%s with %d decimals = %s', (text, decimals, units) => {
    expect(parseTokenAmount(text, decimals)).toBe(units)
  })

  it.each([
    ['0', 18, 'CLI_AMOUNT_ZERO'],
    ['0.000', 6, 'CLI_AMOUNT_ZERO'],
    ['-1', 18, 'CLI_BAD_AMOUNT'],
    ['1e-3', 18, 'CLI_BAD_AMOUNT'],
    ['1E3', 18, 'CLI_BAD_AMOUNT'],
    ['0,5', 18, 'CLI_BAD_AMOUNT'],
    ['+1', 18, 'CLI_BAD_AMOUNT'],
    ['0x10', 18, 'CLI_BAD_AMOUNT'],
    ['', 18, 'CLI_BAD_AMOUNT'],
    ['.', 18, 'CLI_BAD_AMOUNT'],
    ['1.2.3', 18, 'CLI_BAD_AMOUNT'],
    ['1 000', 18, 'CLI_BAD_AMOUNT'],
    ['Infinity', 18, 'CLI_BAD_AMOUNT'],
    ['NaN', 18, 'CLI_BAD_AMOUNT'],
    ['0.0000001', 6, 'CLI_AMOUNT_TOO_PRECISE'],
    ['25.1234567', 6, 'CLI_AMOUNT_TOO_PRECISE'],
    ['0.5', 0, 'CLI_AMOUNT_TOO_PRECISE'],
    ['0.0000000000000000001', 18, 'CLI_AMOUNT_TOO_PRECISE'],
    [(1n << 256n).toString(), 0, 'CLI_AMOUNT_TOO_LARGE'],
  ])('%j with %d decimals is %s', (text, decimals, code) => {
    expect(codeOf(() => parseTokenAmount(text, decimals))).toBe(code)
  })

  it('refuses decimals a token cannot have', () => {
    expect(codeOf(() => parseTokenAmount('1', 256))).toBe('CLI_BAD_DECIMALS')
    expect(codeOf(() => parseTokenAmount('1', -1))).toBe('CLI_BAD_DECIMALS')
    expect(codeOf(() => parseTokenAmount('1', 1.5))).toBe('CLI_BAD_DECIMALS')
  })

  it('the syntax check alone refuses what no token could accept', () => {
    expect(codeOf(() => checkAmountSyntax('1e-3'))).toBe('CLI_BAD_AMOUNT')
    expect(codeOf(() => checkAmountSyntax('0,5'))).toBe('CLI_BAD_AMOUNT')
    expect(codeOf(() => checkAmountSyntax('1.25'))).toBeUndefined()
  })
})

describe('formatTokenAmount', () => {
  it.each([
    [1_500_000n, 6, '1.5'],
    [25_000_000n, 6, '25'],
    [1n, 18, '0.000000000000000001'],
    [0n, 6, '0'],
    [7n, 0, '7'],
    [-1_500_000n, 6, '-1.5'],
  ])('%s with %d decimals is %s', (units, decimals, text) => {
    expect(formatTokenAmount(units, decimals)).toBe(text)
  })

  it('parse(format(x)) = x for every positive amount and decimals 0..36 (500 runs)', () => {
    let checked = 0
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 200n) }), fc.integer({ min: 0, max: 36 }), (units, decimals) => {
        expect(parseTokenAmount(formatTokenAmount(units, decimals), decimals)).toBe(units)
        checked++
      }),
      { numRuns: 500 },
    )
    expect(checked).toBe(500)
  })
})
