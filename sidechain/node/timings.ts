// Per-block phase timings: what a candidate block cost to choose, warm, run, flush and root, logged with every final
// block so an operator (and bench:sidechain) can see where a block's time went.

export interface BlockTimings {
  readonly selectMs: number
  readonly prefetchMs: number
  readonly runMs: number
  readonly flushMs: number
  readonly rootsMs: number
}

const round1 = (ms: number) => Math.round(ms * 10) / 10

/** A candidate's timings rounded for a log line, with the commit's own time. */
export function timingFields(t: BlockTimings, commitMs?: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(t)) out[k] = round1(v)
  if (commitMs !== undefined) out['commitMs'] = round1(commitMs)
  return out
}
