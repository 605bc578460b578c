// The re-review backoff of a refused batch (federation/signer/rereview.ts): 5 s, doubling, capped at 5 min.
import { describe, expect, it } from 'vitest'
import { REREVIEW_FIRST_MS, REREVIEW_MAX_MS, rereviewDelayMs } from '../../../../federation/signer/rereview.js'

describe('rereviewDelayMs', () => {
  it('waits 5 s after the first refusal, doubling, capped at 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(rereviewDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000])
    expect(rereviewDelayMs(1_000_000)).toBe(REREVIEW_MAX_MS)
  })
  it('treats a count below one (or not whole) as the first', () => {
    expect(rereviewDelayMs(0)).toBe(REREVIEW_FIRST_MS)
    expect(rereviewDelayMs(-3)).toBe(REREVIEW_FIRST_MS)
    expect(rereviewDelayMs(1.5)).toBe(REREVIEW_FIRST_MS)
  })
})
