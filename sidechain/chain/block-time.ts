// How far ahead of a validator's clock a proposed block's timestamp may be (issue 13 finding 6). The bound was
// +15 s, and a proposer that used it stalled the next one: an honest child must be later than its parent, so it
// came out further ahead than +15 s at everyone else and was refused until the clocks caught up. Now the bound is
// small, and a block one second after its parent is always allowed — what an honest proposer builds on a parent
// from the future — so a far-ahead parent costs nothing but that second per block.
/** Seconds a block may be ahead of the validator's own clock (besides the parent + 1 s allowance). */
export const MAX_CLOCK_DRIFT_S = 2n

/** The latest timestamp a validator whose clock reads `nowMs` accepts for a child of a block at `parentTimestamp`. */
export function latestAllowedTimestamp(parentTimestamp: bigint, nowMs: number): bigint {
  const byClock = BigInt(Math.floor(nowMs / 1000)) + MAX_CLOCK_DRIFT_S
  return byClock > parentTimestamp + 1n ? byClock : parentTimestamp + 1n
}
