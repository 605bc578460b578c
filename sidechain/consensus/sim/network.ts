// The simulated network's delivery rule, as a pure function of the scenario, the clock and the PRNG: before GST
// a partition cuts its groups apart and links lose, duplicate and delay messages (reordering follows from the
// random delays); after GST every message arrives within the post-GST maximum delay.
import type { Prng } from './prng.js'
import type { Scenario } from './scenario.js'

/** The delays after which copies of a message from `from` to `to` sent at `nowMs` arrive; none when lost. */
export function deliveryDelays(rng: Prng, scenario: Scenario, nowMs: number, from: number, to: number): number[] {
  const { gstMs, partition } = scenario
  const beforeGst = nowMs < gstMs
  const link = beforeGst ? scenario.before : scenario.after
  if (beforeGst && partition.length > 0) {
    const side = (i: number): number => partition.findIndex((g) => g.includes(i))
    if (side(from) !== side(to)) return []
  }
  if (rng.chance(link.loss)) return []
  const copies = rng.chance(link.duplicate) ? 2 : 1
  const delays: number[] = []
  for (let c = 0; c < copies; c++) {
    let delay = rng.int(link.minDelayMs, link.maxDelayMs)
    // Partial synchrony: a message sent before GST that is not lost arrives by GST + the post-GST bound.
    if (beforeGst) delay = Math.min(delay, gstMs - nowMs + scenario.after.maxDelayMs)
    delays.push(delay)
  }
  return delays
}
