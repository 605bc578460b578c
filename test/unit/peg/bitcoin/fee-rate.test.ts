// The fee rate batches use (peg/bitcoin/fee-rate.ts): the median of fresh reports, clamped to [floor, ceiling];
// stale or missing reports ignored; fewer fresh reports than the threshold mean the floor.
import { describe, expect, it } from 'vitest'
import { checkReportedFeeRate, medianFeeRate, type FeeRateRules, type FeeReport } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'

const rules: FeeRateRules = { now: 10_000n, maxAgeSeconds: 600, threshold: 2, floor: 2n, ceiling: 500n }
const at = (satPerVb: bigint, age: bigint): FeeReport => ({ satPerVb, at: rules.now - age })

describe('medianFeeRate', () => {
  const valid: [string, (FeeReport | undefined)[], Partial<FeeRateRules>, bigint][] = [
    ['no reports: the floor', [], {}, 2n],
    ['one fresh report, below threshold: the floor', [at(400n, 0n), undefined, undefined], {}, 2n],
    ['two fresh: their mean, rounded down', [at(400n, 0n), at(11n, 0n)], {}, 205n],
    ['three fresh: the middle one', [at(400n, 0n), at(10n, 0n), at(20n, 0n)], {}, 20n],
    ['four fresh: the mean of the two middle ones', [at(1n, 0n), at(30n, 0n), at(10n, 0n), at(100n, 0n)], {}, 20n],
    ['a report exactly maxAge old is fresh', [at(10n, 600n), at(20n, 600n)], {}, 15n],
    ['a report one second older is stale', [at(10n, 601n), at(20n, 0n)], {}, 2n],
    ['stale reports do not count towards the median', [at(1000n, 601n), at(10n, 0n), at(20n, 0n)], {}, 15n],
    ['a median below the floor is the floor', [at(1n, 0n), at(1n, 0n)], {}, 2n],
    ['a median above the ceiling is the ceiling', [at(900n, 0n), at(1000n, 0n)], {}, 500n],
    ['threshold 1: one report sets it', [at(7n, 0n)], { threshold: 1 }, 7n],
    ['a report from the future is fresh', [at(7n, -5n), at(9n, 0n)], {}, 8n],
  ]
  for (const [name, reports, over, expected] of valid) {
    it(name, () => expect(medianFeeRate(reports, { ...rules, ...over })).toBe(expected))
  }

  it('does not reorder the caller\'s reports', () => {
    const reports = [at(30n, 0n), at(10n, 0n), at(20n, 0n)]
    medianFeeRate(reports, rules)
    expect(reports.map((r) => r.satPerVb)).toEqual([30n, 10n, 20n])
  })

  const invalid: [string, Partial<FeeRateRules>][] = [
    ['floor 0', { floor: 0n }],
    ['ceiling below floor', { floor: 10n, ceiling: 9n }],
    ['threshold 0', { threshold: 0 }],
    ['a fractional threshold', { threshold: 1.5 }],
    ['a negative age', { maxAgeSeconds: -1 }],
    ['now not a bigint', { now: 5 as unknown as bigint }],
  ]
  for (const [name, over] of invalid) {
    it(`refuses ${name}: PEG_FEE_RATE_INVALID`, () => expectCode(() => medianFeeRate([], { ...rules, ...over }), 'PEG_FEE_RATE_INVALID'))
  }
})

describe('checkReportedFeeRate', () => {
  it('accepts 1 to 1,000,000 sat/vB', () => {
    for (const r of [1n, 2n, 999_999n, 1_000_000n]) expect(() => checkReportedFeeRate(r)).not.toThrow()
  })
  it('refuses anything else with BRIDGE_BAD_FEE_RATE', () => {
    for (const r of [0n, -1n, 1_000_001n, 5 as unknown as bigint]) expectCode(() => checkReportedFeeRate(r), 'BRIDGE_BAD_FEE_RATE')
  })
})
