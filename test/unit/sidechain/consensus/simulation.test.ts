// The seeded consensus simulator over many seeds: safety and liveness hold with up to f Byzantine validators,
// a lossy partitioned network before GST and crashing honest validators; and the checker does fail when a rule
// is broken (a quorum of f + 1), so its silence means something.
import { describe, expect, it } from 'vitest'
import { runSeed } from '../../../../sidechain/consensus/sim/run.js'
import { BYZANTINE_KINDS } from '../../../../sidechain/consensus/sim/scenario.js'

describe('consensus simulation', () => {
  it('400 seeds: no safety violation, every honest validator decides 5 heights after GST', () => {
    const failures: string[] = []
    for (let seed = 1; seed <= 400; seed++) {
      const r = runSeed(seed)
      if (!r.safe || !r.live) failures.push(`seed ${seed}: ${r.violations.join('; ')}`)
      expect(r.rounds).toHaveLength(5)
    }
    expect(failures).toEqual([])
  })

  it.each(BYZANTINE_KINDS)('f Byzantine validators that all %s: safe and live (n = 4..7, 40 seeds)', (kind) => {
    for (let seed = 1000; seed < 1040; seed++) {
      const r = runSeed(seed, { byzantineKinds: [kind], byzantineCount: seed % 2 === 0 ? 1 : undefined })
      expect({ seed, violations: r.violations }).toEqual({ seed, violations: [] })
    }
  })

  it('a seed replays exactly', () => {
    const a = runSeed(77, { trace: true })
    const b = runSeed(77, { trace: true })
    expect(b.rounds).toEqual(a.rounds)
    expect(b.simMs).toEqual(a.simMs)
    expect(b.trace).toEqual(a.trace)
    expect(a.trace?.length).toBeGreaterThan(0)
  })

  it('the checker catches a broken rule: a quorum of f + 1 decides different values on some seed', () => {
    const unsafe: number[] = []
    for (let seed = 1; seed <= 200 && unsafe.length === 0; seed++) {
      const r = runSeed(seed, { n: 4, quorum: 2 })
      if (!r.safe) unsafe.push(seed)
    }
    expect(unsafe.length).toBeGreaterThan(0)
    const replay = runSeed(unsafe[0] as number, { n: 4, quorum: 2 })
    expect(replay.safe).toBe(false)
    expect(replay.violations.some((v) => /decided .*, /.test(v))).toBe(true)
  })

  it('the checker catches a broken rule: honest validators ignoring their lock decide different values on some seed', () => {
    // Lock violations need a decision seen by one validator only while the others move on, which re-gossip
    // mostly prevents; a slow gossip and a lossy network before GST make it happen now and then (about 1 seed in
    // 1000 with these settings; seed 375 is the first).
    const harsh = { n: 4, byzantineCount: 0, maxLoss: 0.5, maxGstMs: 10_000, gossipMs: 3000 }
    let found: number | undefined
    for (let seed = 1; seed <= 2000 && found === undefined; seed++) if (!runSeed(seed, { ...harsh, unsafeIgnoreLock: true }).safe) found = seed
    expect(found).toBeDefined()
    // The same seed with the lock rule intact is safe: it is the rule that the checker caught.
    expect(runSeed(found as number, harsh).safe).toBe(true)
  })

  it('the checker catches lost liveness: f + 1 withholding validators stall every seed, yet safely', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = runSeed(seed, { n: 4, byzantineCount: 2, byzantineKinds: ['withhold'], livenessBoundMs: 3000 })
      expect(r.live).toBe(false)
      expect(r.safe).toBe(true)
    }
  })

  it('double voters are caught: evidence names them and only them', () => {
    let caught = 0
    for (let seed = 1; seed <= 30; seed++) {
      const r = runSeed(seed, { byzantineCount: 1, byzantineKinds: ['doubleVote'] })
      const byzantine = [...r.scenario.byzantine.keys()]
      for (const i of r.accused) expect(byzantine).toContain(i)
      if (r.accused.length > 0) caught++
    }
    expect(caught).toBeGreaterThan(20)
  })
})
