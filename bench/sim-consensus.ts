// Consensus simulator over many seeds (sidechain/consensus/sim/): each seed draws n = 4..7 validators, up to f
// Byzantine ones, a lossy, duplicating, partitioned network until GST and crashing honest validators, and runs 5
// heights. Prints progress and any failing seed (replay it with runSeed(seed)) on stderr and, last on stdout, one
// JSON object: {seeds, safetyViolations, livenessFailures, meanRounds, p99Rounds, meanSimMs, p99SimMs}, where
// rounds and simMs are per decided height (rounds used; simulated ms since the previous height's decision).
//   node --import tsx bench/sim-consensus.ts [--seeds N] [--from SEED]
import { runSeed } from '../sidechain/consensus/sim/run.js'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 0) {
    process.stderr.write(`--${name} needs a non-negative integer\n`)
    process.exit(2)
  }
  return v
}

const seeds = flag('seeds', 1000)
const from = flag('from', 1)
const rounds: number[] = []
const simMs: number[] = []
let safetyViolations = 0
let livenessFailures = 0
const started = performance.now()
for (let k = 0; k < seeds; k++) {
  const seed = from + k
  const r = runSeed(seed)
  if (!r.safe) safetyViolations++
  if (!r.live) livenessFailures++
  if (!r.safe || !r.live) process.stderr.write(`seed ${seed}: ${r.violations.join('; ')}\n`)
  for (let h = 0; h < r.rounds.length; h++) {
    if ((r.rounds[h] as number) > 0) {
      rounds.push(r.rounds[h] as number)
      simMs.push(r.simMs[h] as number)
    }
  }
  if ((k + 1) % 100 === 0 || k + 1 === seeds) {
    process.stderr.write(`${k + 1}/${seeds} seeds, ${safetyViolations} unsafe, ${livenessFailures} not live, ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  }
}

const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)
const p99 = (xs: number[]): number => {
  if (xs.length === 0) return 0
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] as number
}
const round2 = (x: number): number => Math.round(x * 100) / 100
console.log(
  JSON.stringify({
    seeds,
    safetyViolations,
    livenessFailures,
    meanRounds: round2(mean(rounds)),
    p99Rounds: p99(rounds),
    meanSimMs: round2(mean(simMs)),
    p99SimMs: p99(simMs),
  }),
)
if (safetyViolations > 0 || livenessFailures > 0) process.exitCode = 1
