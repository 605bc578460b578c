// A small seeded PRNG (mulberry32) for the consensus simulator: the same seed gives the same run, so a failing seed
// replays exactly. Not for anything cryptographic.

export interface Prng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  shuffle<T>(items: readonly T[]): T[]
  /** An independent stream derived from this one (so adding draws in one part of a run leaves the others be). */
  fork(): Prng
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const prng: Prng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[Math.floor(next() * items.length)] as (typeof items)[number]
    },
    shuffle: (items) => {
      const out = [...items]
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]]
      }
      return out
    },
    fork: () => mulberry32(Math.floor(next() * 4294967296)),
  }
  return prng
}
