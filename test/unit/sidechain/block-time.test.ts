// The timestamp bound of a proposed block (issue 13 finding 6): a small drift ahead of the validator's clock, and
// always one second after the parent, so a parent from the future does not stall the honest proposer after it.
import { describe, expect, it } from 'vitest'
import { MAX_CLOCK_DRIFT_S, latestAllowedTimestamp } from '../../../sidechain/chain/block-time.js'

describe('latestAllowedTimestamp', () => {
  const now = 1_800_000_000_500 // ms
  const nowS = 1_800_000_000n

  it('is the clock plus the drift for a parent in the past', () => {
    expect(latestAllowedTimestamp(nowS - 5n, now)).toBe(nowS + MAX_CLOCK_DRIFT_S)
  })

  it('is parent + 1 s for a parent from the future: what an honest proposer builds is accepted', () => {
    const parent = nowS + 15n // a Byzantine proposer's block under the old +15 s bound
    expect(latestAllowedTimestamp(parent, now)).toBe(parent + 1n)
    expect(latestAllowedTimestamp(parent, now)).toBeGreaterThan(nowS + MAX_CLOCK_DRIFT_S)
  })
})
