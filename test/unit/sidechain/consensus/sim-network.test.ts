// The simulator's delivery rule: partitions and loss before GST only, delays within the link's bounds, and
// partial synchrony (nothing sent before GST arrives later than GST + the post-GST bound).
import { describe, expect, it } from 'vitest'
import { deliveryDelays } from '../../../../sidechain/consensus/sim/network.js'
import { mulberry32 } from '../../../../sidechain/consensus/sim/prng.js'
import type { Scenario } from '../../../../sidechain/consensus/sim/scenario.js'

const scenario: Scenario = {
  n: 4,
  byzantine: new Map(),
  gstMs: 1000,
  before: { minDelayMs: 1, maxDelayMs: 5000, loss: 0.3, duplicate: 0.2 },
  after: { minDelayMs: 1, maxDelayMs: 50, loss: 0, duplicate: 0.05 },
  partition: [[0, 1], [2, 3]],
  crashes: [],
}

describe('simulated network', () => {
  it('cuts the partition before GST and heals it after', () => {
    const rng = mulberry32(1)
    for (let k = 0; k < 200; k++) expect(deliveryDelays(rng, scenario, 999, 0, 2)).toEqual([])
    for (let k = 0; k < 200; k++) expect(deliveryDelays(rng, scenario, 1000, 0, 2).length).toBeGreaterThan(0)
  })

  it('loses and duplicates before GST; after GST every message arrives within the bound', () => {
    const rng = mulberry32(2)
    const before = Array.from({ length: 2000 }, () => deliveryDelays(rng, scenario, 10, 0, 1))
    expect(before.filter((d) => d.length === 0).length).toBeGreaterThan(400)
    expect(before.filter((d) => d.length === 2).length).toBeGreaterThan(100)
    for (const d of before.flat()) expect(10 + d).toBeLessThanOrEqual(1000 + 50)
    for (let k = 0; k < 2000; k++) {
      const d = deliveryDelays(rng, scenario, 2000, 3, 2)
      expect(d.length).toBeGreaterThan(0)
      for (const x of d) {
        expect(x).toBeGreaterThanOrEqual(1)
        expect(x).toBeLessThanOrEqual(50)
      }
    }
  })

  it('the PRNG replays from its seed', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    expect(Array.from({ length: 5 }, () => a.int(0, 1000))).toEqual(Array.from({ length: 5 }, () => b.int(0, 1000)))
  })
})
