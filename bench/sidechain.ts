// Side-chain benchmark: one workload of signed native transfers and ERC-20 transfers, posted over JSON-RPC by
// concurrent senders, against (a) a one-validator `causeway node --dev`, (b) the default federation, four
// validators with quorum 3 (senders spread over the validators), (c) a Hardhat 2 node (automine), one target at a time, all
// real processes on loopback. Prints transactions per second to finality and p50/p99 latency per run, the last
// line one JSON object. BENCH_TXS (native transfers per target; ERC-20 runs use half), BENCH_SENDERS and
// BENCH_BATCH (transactions per JSON-RPC batch per sender on the side chain, default 1; a diagnostic knob: Hardhat
// always gets one transaction per request, since with automine it refuses a nonce it cannot mine at once)
// override the defaults. For quicker iteration BENCH_TARGETS (comma-separated: one, federation, hardhat) and
// BENCH_KINDS (native, erc20) run a subset; figures not measured are null in the last line. BENCH_PHASES=1 prints,
// after each side-chain run, every node's per-block phase timings from its log (select, prefetch, run, flush,
// roots, commit, in ms); BENCH_LOG_DIR=<dir> writes every node's log there.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { cpus } from 'node:os'
import { startDevNodeProcess } from '../test/helpers/causeway-node.js'
import { startFederation, TEST_PREFUND_WEI } from '../test/helpers/federation.js'
import { startHardhat } from '../regtest/evm/hardhat.js'
import { hardhatWallets } from '../test/helpers/evm-traffic.js'
import { compileTestContracts } from '../test/helpers/solc.js'
import { runWorkload, type RunResult, type Target, type WorkloadKind } from './lib/workload.js'
import { pollUntil } from '../io/poll.js'

const NATIVE_TXS = Number(process.env.BENCH_TXS ?? 3200)
const SENDERS = Number(process.env.BENCH_SENDERS ?? 32)
const BATCH = Number(process.env.BENCH_BATCH ?? 1)
const TARGETS = new Set((process.env.BENCH_TARGETS ?? 'one,federation,hardhat').split(',').map((t) => t.trim()))
const KINDS = (['native', 'erc20'] as const).filter((k) => (process.env.BENCH_KINDS ?? 'native,erc20').split(',').map((t) => t.trim()).includes(k))
for (const t of TARGETS) if (!['one', 'federation', 'hardhat'].includes(t)) throw new Error(`BENCH_TARGETS: unknown target ${t} (one, federation, hardhat)`)
/** The side chain's mempool holds at most 256 pending transactions per sender. */
const MAX_PER_SENDER = 256

const perSender = (total: number) => Math.max(1, Math.ceil(total / SENDERS))
for (const [name, v] of [['BENCH_TXS', NATIVE_TXS], ['BENCH_SENDERS', SENDERS], ['BENCH_BATCH', BATCH]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`)
}
if (perSender(NATIVE_TXS) > MAX_PER_SENDER) {
  throw new Error(`BENCH_TXS=${NATIVE_TXS} needs ${perSender(NATIVE_TXS)} transactions per sender; at most ${MAX_PER_SENDER}: raise BENCH_SENDERS`)
}

const started = performance.now()
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)

// Everything started is stopped, on success, on failure and on Ctrl-C.
const stops: (() => Promise<void>)[] = []
let interrupted = false
let stopping: Promise<void> | undefined
async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => console.error(`stop failed: ${String(e)}`))
}
/** Stops one target's processes unless an interrupt already did. */
async function stopOne(stop: () => Promise<void>): Promise<void> {
  const i = stops.indexOf(stop)
  if (i < 0) return
  stops.splice(i, 1)
  await stop()
}
process.once('SIGINT', () => {
  interrupted = true
  console.error('interrupted: stopping every process started')
  stopping = stopAll()
  void stopping.finally(() => process.exit(130))
})

/**
 * From a causeway node's Prometheus metrics: the server-side eth_sendRawTransaction histogram's sum and count, and
 * the CPU seconds the process has used.
 */
async function nodeMetrics(rpcUrl: string): Promise<{ sum: number; count: number; cpu: number }> {
  const text = await (await fetch(new URL('/metrics', rpcUrl))).text()
  const read = (suffix: string) => Number(new RegExp(`causeway_rpc_request_duration_seconds_${suffix}\\{method="eth_sendRawTransaction"\\} (\\S+)`).exec(text)?.[1] ?? 0)
  return { sum: read('sum'), count: read('count'), cpu: Number(/^process_cpu_seconds_total (\S+)/m.exec(text)?.[1] ?? NaN) }
}

const { TestToken } = compileTestContracts()
const results: RunResult[] = []
const failures: { target: string; kind: WorkloadKind; error: string }[] = []
const notes: string[] = []

interface Started {
  readonly target: Target
  readonly causeway: boolean
  /** Transactions per HTTP request and sender on this target. */
  readonly batch: number
  /** Extra check after the run (e.g. every validator holds the same blocks). */
  readonly check?: () => Promise<void>
  /** What the processes' logs say, printed when a run fails. */
  readonly diagnose?: () => string[]
  /** The processes' logs, for BENCH_PHASES. */
  readonly outputs?: () => { name: string; text: string }[]
  readonly stop: () => Promise<void>
}

async function rpcCall(url: string, method: string, params: unknown[]): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return ((await res.json()) as { result: unknown }).result
}

/** One line per block with transactions from a node's JSON log: its phase timings (BENCH_PHASES). */
function phaseLines(name: string, output: string): string[] {
  const out: string[] = []
  for (const l of output.split('\n')) {
    if (!l.startsWith('{') || !l.includes('"block final"')) continue
    try {
      const j = JSON.parse(l) as Record<string, number>
      if (!(j['txs']! > 0) || j['runMs'] === undefined) continue
      const f = (k: string) => String(j[k] ?? '-')
      out.push(`${name} #${j['height']} ${j['txs']} txs: select ${f('selectMs')} prefetch ${f('prefetchMs')} run ${f('runMs')} flush ${f('flushMs')} roots ${f('rootsMs')} commit ${f('commitMs')} ms (run ${((j['runMs']! * 1000) / j['txs']!).toFixed(0)} µs/tx)`)
    } catch {
      // not a log line
    }
  }
  return out
}

/** One line per node from its JSON log: blocks made, round timeouts, refusals by code, its last proposal. */
function consensusSummary(name: string, output: string): string {
  const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>
    } catch {
      return {}
    }
  })
  const finals = lines.filter((l) => l['msg'] === 'block final')
  const timeouts = lines.filter((l) => l['msg'] === 'round timed out').length
  const refusals = new Map<string, number>()
  for (const l of lines) if (typeof l['code'] === 'string') refusals.set(l['code'], (refusals.get(l['code']) ?? 0) + 1)
  const proposals = lines.filter((l) => l['msg'] === 'proposing')
  const last = proposals[proposals.length - 1]
  const lastFinal = finals[finals.length - 1]
  return (
    `${name}: last final block ${String(lastFinal?.['height'] ?? '-')}, ${timeouts} round timeouts, ` +
    `refusals ${refusals.size === 0 ? 'none' : [...refusals].map(([c, n]) => `${c}×${n}`).join(' ')}` +
    (last === undefined ? '' : `, last proposal height ${String(last['height'])} round ${String(last['round'])} (${String(last['txs'])} txs, ${String(last['hash']).slice(0, 10)})`)
  )
}

async function startDev(): Promise<Started> {
  const devKey = `0x${randomBytes(32).toString('hex')}`
  const dev = await startDevNodeProcess({ devKey })
  return { target: { label: '1 validator', sendUrls: [dev.url], watchUrl: dev.url, watchWsUrl: dev.wsUrl, fundedKey: devKey }, causeway: true, batch: BATCH, diagnose: () => [consensusSummary('dev node', dev.output())], outputs: () => [{ name: 'dev', text: dev.output() }], stop: () => dev.stop(true) }
}

async function startDefaultFederation(): Promise<Started> {
  // The benchmark moves unpegged test coin (no bridge in this federation): the test-only genesis prefund.
  // The default federation (test/helpers/federation.ts): 4 validators, quorum 3.
  const fed = await startFederation({ testPrefundWei: TEST_PREFUND_WEI })
  const v = fed.validators
  return {
    target: { label: '4 validators', sendUrls: v.map((m) => m.rpcUrl), watchUrl: v[0]!.rpcUrl, watchWsUrl: v[0]!.rpcUrl.replace(/^http/, 'ws'), fundedKey: fed.fundedKey },
    causeway: true,
    batch: BATCH,
    async check() {
      // Every validator holds the same final head block (one may still be fetching it: give it a few seconds).
      const head = await rpcCall(v[0]!.rpcUrl, 'eth_blockNumber', [])
      let hashes: (string | undefined)[] = []
      await pollUntil(
        `every validator at block ${Number(head)}`,
        async () => {
          hashes = await Promise.all(v.map(async (m) => (await rpcCall(m.rpcUrl, 'eth_getBlockByNumber', [head, false]))?.hash as string | undefined))
          return hashes.every((h) => h !== undefined) ? true : undefined
        },
        { timeoutMs: 15_000, intervalMs: 200, onTimeout: () => new Error(`a validator did not reach block ${Number(head)} within 15 s: ${hashes.join(', ')}`) },
      )
      if (new Set(hashes).size !== 1) throw new Error(`validators disagree on block ${Number(head)}: ${hashes.join(', ')}`)
    },
    diagnose: () => v.map((m) => consensusSummary(m.name, m.output())),
    outputs: () => v.map((m) => ({ name: m.name, text: m.output() })),
    stop: () => fed.close(),
  }
}

async function startHardhatTarget(): Promise<Started> {
  const hh = await startHardhat()
  const key = hardhatWallets(1)[0]!.privateKey
  return { target: { label: 'Hardhat 2', sendUrls: [hh.url], watchUrl: hh.url, watchWsUrl: hh.url.replace(/^http/, 'ws'), fundedKey: key }, causeway: false, batch: 1, stop: () => hh.stop() }
}

/** One workload on a freshly started target (so no run inherits another's backlog), stopped afterwards. */
async function runOn(name: string, start: () => Promise<Started>, kind: WorkloadKind): Promise<void> {
  const total = kind === 'native' ? NATIVE_TXS : Math.ceil(NATIVE_TXS / 2)
  const M = perSender(total)
  if (interrupted) return
  log(`${name}: starting for ${kind} transfers (${SENDERS} senders × ${M})`)
  let t: Started
  try {
    t = await start()
  } catch (e) {
    failures.push({ target: name, kind, error: `did not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` })
    log(`  FAILED to start: ${failures[failures.length - 1]!.error}`)
    return
  }
  if (interrupted) {
    await t.stop()
    return
  }
  stops.push(t.stop)
  try {
    const before = t.causeway ? await Promise.all(t.target.sendUrls.map(nodeMetrics)) : []
    const r = await runWorkload(t.target, { kind, senders: SENDERS, perSender: M, batch: t.batch, token: TestToken, log })
    if (t.causeway) {
      // Read before the run's check, whose polling would count as the nodes' work.
      const after = await Promise.all(t.target.sendUrls.map(nodeMetrics))
      const sum = after.reduce((s, a, i) => s + a.sum - before[i]!.sum, 0)
      const count = after.reduce((s, a, i) => s + a.count - before[i]!.count, 0)
      const cpu = after.map((a, i) => a.cpu - before[i]!.cpu)
      notes.push(
        `${t.target.label} ${kind}: node-side eth_sendRawTransaction mean ${((sum / count) * 1000).toFixed(2)} ms over ${count} calls; ` +
          `node CPU (setup and workload) ${cpu.map((c) => c.toFixed(1)).join(' + ')} s = ${((cpu.reduce((a, b) => a + b, 0) * 1000) / r.txs).toFixed(2)} ms per transaction`,
      )
    }
    await t.check?.()
    results.push(r)
    const logDir = process.env['BENCH_LOG_DIR']
    if (logDir !== undefined) {
      mkdirSync(logDir, { recursive: true })
      for (const o of t.outputs?.() ?? []) writeFileSync(path.join(logDir, `${t.target.label.replace(/\W+/g, '-')}-${kind}-${o.name.replace(/\W+/g, '-')}.log`), o.text)
    }
    if (process.env['BENCH_PHASES'] === '1') {
      for (const o of t.outputs?.() ?? []) for (const l of phaseLines(o.name, o.text)) log(`    ${l}`)
      for (const line of t.diagnose?.() ?? []) log(`    ${line}`)
    }
    log(`  ${Math.round(r.tps)} tx/s to finality, p50 ${Math.round(r.p50Ms)} ms, p99 ${Math.round(r.p99Ms)} ms, ${r.blocks} blocks (at most ${r.maxTxsPerBlock} txs)`)
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : ''
    const error = e instanceof Error ? e.message + cause : String(e)
    failures.push({ target: t.target.label, kind, error })
    log(`  FAILED, no figure: ${error}`)
    for (const line of t.diagnose?.() ?? []) log(`    ${line}`)
  } finally {
    await stopOne(t.stop)
  }
}

try {
  if (TARGETS.has('one')) for (const kind of KINDS) await runOn('one validator (causeway node --dev)', startDev, kind)
  if (TARGETS.has('federation')) for (const kind of KINDS) await runOn('default federation: four validators, quorum 3', startDefaultFederation, kind)
  if (TARGETS.has('hardhat')) for (const kind of KINDS) await runOn('Hardhat 2 (automine)', startHardhatTarget, kind)
} finally {
  await stopAll()
}
if (interrupted) {
  // No summary for an interrupted run: wait for the processes to be stopped, then exit.
  await stopping
  process.exit(130)
}

const find = (target: string, kind: WorkloadKind) => results.find((r) => r.target === target && r.kind === kind)
const rows = results.map((r) => [r.target, r.kind, String(r.txs), Math.round(r.tps).toString(), Math.round(r.p50Ms).toString(), Math.round(r.p99Ms).toString(), Math.round(r.admitTps).toString(), String(r.blocks), String(r.maxTxsPerBlock)])
const header = ['target', 'workload', 'txs', 'tps', 'p50 ms', 'p99 ms', 'admit/s', 'blocks', 'max/block']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
console.log('')
console.log(`node ${process.version}, ${cpus().length} cores; ${SENDERS} concurrent senders, ${BATCH === 1 ? 'one eth_sendRawTransaction per HTTP request' : `${BATCH} transactions per HTTP batch on the side chain, one per request on Hardhat`}, keep-alive`)
console.log('tps = transactions / (last seen final − first sent); latency = block first announced (newHeads) − request sent')
console.log('admit/s = transactions / time until the last eth_sendRawTransaction was answered')
console.log(line(header))
for (const row of rows) console.log(line(row))
for (const n of notes) console.log(n)
for (const f of failures) console.log(`FAILED ${f.target} ${f.kind}: ${f.error}`)
const polled = results.filter((r) => r.polledBlocks > 0)
if (polled.length > 0) console.log(`blocks first seen by the fallback poll (newHeads missed them): ${polled.map((r) => `${r.target} ${r.kind}: ${r.polledBlocks}`).join(', ')}`)

const n1 = find('1 validator', 'native')
const n4 = find('4 validators', 'native')
const e1 = find('1 validator', 'erc20')
const e4 = find('4 validators', 'erc20')
const hn = find('Hardhat 2', 'native')
const he = find('Hardhat 2', 'erc20')
// A figure that was not measured (its run failed verification or stalled) is null, never a number.
const r = (n: number | undefined) => (n === undefined ? null : Math.round(n))
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met')
console.log(
  `goal: ≥500 native/s on one validator: ${verdict(n1 && n1.tps >= 500)} (${r(n1?.tps)}); ` +
    `four validators within 2× of one: ${verdict(n1 && n4 && n4.tps * 2 >= n1.tps)} (${n1 && n4 ? (n1.tps / n4.tps).toFixed(2) + '×' : 'n/a'}); ` +
    `not slower than Hardhat: ${verdict(n1 && hn && n1.tps >= hn.tps)} (${r(n1?.tps)} vs ${r(hn?.tps)})`,
)
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`)
console.log(
  JSON.stringify({
    nativeTps1: r(n1?.tps),
    nativeTps4: r(n4?.tps),
    erc20Tps1: r(e1?.tps),
    erc20Tps4: r(e4?.tps),
    hardhatNativeTps: r(hn?.tps),
    hardhatErc20Tps: r(he?.tps),
    p50Ms1: r(n1?.p50Ms),
    p99Ms1: r(n1?.p99Ms),
    nativeP50Ms4: r(n4?.p50Ms),
    nativeP99Ms4: r(n4?.p99Ms),
    erc20P50Ms1: r(e1?.p50Ms),
    erc20P99Ms1: r(e1?.p99Ms),
    erc20P50Ms4: r(e4?.p50Ms),
    erc20P99Ms4: r(e4?.p99Ms),
    hardhatNativeP50Ms: r(hn?.p50Ms),
    hardhatNativeP99Ms: r(hn?.p99Ms),
    hardhatErc20P50Ms: r(he?.p50Ms),
    hardhatErc20P99Ms: r(he?.p99Ms),
    admitTps1: r(n1?.admitTps),
    admitTps4: r(n4?.admitTps),
    hardhatAdmitTps: r(hn?.admitTps),
    nativeTxs: SENDERS * perSender(NATIVE_TXS),
    erc20Txs: SENDERS * perSender(Math.ceil(NATIVE_TXS / 2)),
    senders: SENDERS,
    batch: BATCH,
    failed: failures.map((f) => `${f.target} ${f.kind}`),
  }),
)
if (failures.length > 0) process.exitCode = 1
