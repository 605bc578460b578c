// One simulated run's adversity, drawn from its seed as plain data: validator count, who is Byzantine and how,
// the network before and after GST (global stabilisation time), a partition that heals at GST, and crashes of
// honest validators that restart by GST. Everything the adversary does is chosen here or from forks of the
// same PRNG, so a seed names a run.
import { faultsFor } from '../tendermint.js'
import type { Prng } from './prng.js'

export type Byzantine =
  /** As proposer, a different valid value to each half of the peers. */
  | 'equivocate'
  /** Each vote it casts goes to half the peers; the other half get a vote for another value (or nil). */
  | 'doubleVote'
  /** Honest otherwise, and on every gossip tick votes at round 1,000,000 and at the next few rounds. */
  | 'roundSpam'
  /** As proposer, a value the others' re-execution refuses. */
  | 'invalid'
  /** Sends nothing. */
  | 'withhold'

export const BYZANTINE_KINDS: readonly Byzantine[] = ['equivocate', 'doubleVote', 'roundSpam', 'invalid', 'withhold']

export interface LinkModel {
  readonly minDelayMs: number
  readonly maxDelayMs: number
  readonly loss: number
  readonly duplicate: number
}

export interface Crash {
  readonly node: number
  readonly atMs: number
  readonly restartMs: number
}

export interface Scenario {
  readonly n: number
  readonly byzantine: ReadonlyMap<number, Byzantine>
  readonly gstMs: number
  readonly before: LinkModel
  readonly after: LinkModel
  /** Groups cut from each other until GST; empty when there is no partition. */
  readonly partition: readonly (readonly number[])[]
  readonly crashes: readonly Crash[]
}

export interface ScenarioOptions {
  readonly n?: number
  /** Byzantine validators; defaults to a seeded draw in 0..f. More than f is allowed for experiments. */
  readonly byzantineCount?: number
  readonly byzantineKinds?: readonly Byzantine[]
  readonly maxGstMs?: number
  /** Upper end of the seeded loss rate before GST (default 0.3). */
  readonly maxLoss?: number
}

export function drawScenario(rng: Prng, o: ScenarioOptions = {}): Scenario {
  const n = o.n ?? rng.int(4, 7)
  const f = faultsFor(n)
  const byzCount = o.byzantineCount ?? rng.int(0, f)
  const kinds = o.byzantineKinds ?? BYZANTINE_KINDS
  const order = rng.shuffle([...Array(n).keys()])
  const byzantine = new Map<number, Byzantine>()
  for (const i of order.slice(0, byzCount)) byzantine.set(i, rng.pick(kinds))
  const honest = order.slice(byzCount)

  const gstMs = rng.int(0, o.maxGstMs ?? 3000)
  const before: LinkModel = { minDelayMs: 1, maxDelayMs: rng.int(20, 400), loss: rng.next() * (o.maxLoss ?? 0.3), duplicate: rng.next() * 0.2 }
  const after: LinkModel = { minDelayMs: 1, maxDelayMs: 50, loss: 0, duplicate: 0.05 }

  let partition: number[][] = []
  if (gstMs > 0 && rng.chance(0.5)) {
    const shuffled = rng.shuffle([...Array(n).keys()])
    const cut = rng.int(1, n - 1)
    partition = [shuffled.slice(0, cut).sort((a, b) => a - b), shuffled.slice(cut).sort((a, b) => a - b)]
  }

  const crashes: Crash[] = []
  if (gstMs > 10 && honest.length > 0) {
    const count = rng.int(0, Math.min(2, honest.length))
    for (const node of rng.shuffle(honest).slice(0, count)) {
      const atMs = rng.int(0, gstMs - 2)
      crashes.push({ node, atMs, restartMs: rng.int(atMs + 1, gstMs) })
    }
  }
  return { n, byzantine, gstMs, before, after, partition, crashes }
}
