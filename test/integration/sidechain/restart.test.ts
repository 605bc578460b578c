// Restart of a real `causeway node --dev` process killed with SIGKILL in the middle of a burst of transactions:
// the same chain and state afterwards, no transaction of a final block lost or applied twice, and every
// transaction the node acknowledged before the kill either final or still pending (from the mempool journal),
// never lost. Also: a second process on the same data directory and a busy RPC port fail fast and clearly.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTxFromRLP } from '@ethereumjs/tx'
import { Transaction, Wallet } from 'ethers'
import { afterAll, describe, expect, it } from 'vitest'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { ChainStore } from '../../../sidechain/chain/chain-store.js'
import { DEV_CHAIN_ID, createChainCommon } from '../../../sidechain/chain/params.js'
import { NodeDatabase } from '../../../sidechain/store/database.js'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'
import { freePort } from '../../helpers/ports.js'
import { projectRoot } from '../../helpers/testdata.js'
import { pollUntil, sleep } from '../../../io/poll.js'

const DEV_KEY = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'
const CHAIN_ID = 0xca05e0n
const common = createChainCommon({ chainId: DEV_CHAIN_ID, name: 'dev' })
const GWEI = 1_000_000_000n
const FUNDING = 10n ** 19n
const WALLETS = 4
const PER_WALLET = 100 // signed in advance; the kill cuts the burst short (about 200 are sent in all)
const ACKS_BEFORE_KILL = 190
const SEND_GAP_MS = 40

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')
const datadir = mkdtempSync(path.join(tmpdir(), 'causeway-restart-'))
const running: NodeProcess[] = []
let restarted: NodeProcess | undefined

afterAll(async () => {
  for (const n of running) await n.stop()
  rmSync(datadir, { recursive: true, force: true })
})

interface RpcReply {
  id: number
  result?: unknown
  error?: { code: number; message: string }
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as RpcReply
  if (body.error !== undefined) throw Object.assign(new Error(body.error.message), { rpcCode: body.error.code })
  return body.result
}

async function batch(url: string, calls: readonly [string, unknown[]][]): Promise<unknown[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))),
  })
  const replies = (await res.json()) as RpcReply[]
  return replies.sort((a, b) => a.id - b.id).map((r) => {
    if (r.error !== undefined) throw new Error(`${calls[r.id]![0]}: ${r.error.message}`)
    return r.result
  })
}

interface RpcBlock {
  number: string
  hash: string
  stateRoot: string
  timestamp: string
  transactions: { hash: string; from: string; to: string; nonce: string; value: string }[]
}

const getBlock = async (url: string, n: bigint) => (await rpc(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, true])) as RpcBlock | null
const head = async (url: string) => BigInt((await rpc(url, 'eth_blockNumber')) as string)
const until = <T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => pollUntil(what, f, { timeoutMs, intervalMs: 100 })

/** Runs `causeway node --dev …` to its exit (it must exit by itself) and returns its exit code and output. */
function runNodeExpectingExit(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'node', '--dev', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the node did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/** The CLI's last JSON line on stdout (its result or error object). */
function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()
  return line === undefined ? {} : (JSON.parse(line) as Record<string, unknown>)
}

describe('SIGKILL in the middle of a burst of transactions, then restart on the same data directory', () => {
  it('keeps every final block and state, and every acknowledged transaction is final exactly once or still pending', async () => {
    const first = await startDevNodeProcess({ devKey: DEV_KEY, datadir })
    running.push(first)
    const dev = new Wallet(DEV_KEY)
    const wallets = Array.from({ length: WALLETS }, () => Wallet.createRandom())
    const recipients = Array.from({ length: 5 }, () => Wallet.createRandom().address.toLowerCase())

    // Fund the senders and wait until that is final.
    const funding: string[] = []
    for (const [i, w] of wallets.entries()) {
      const raw = await dev.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: i, to: w.address, value: FUNDING, gasLimit: 21_000n, maxFeePerGas: GWEI, maxPriorityFeePerGas: 0n })
      funding.push((await rpc(first.url, 'eth_sendRawTransaction', [raw])) as string)
    }
    for (const h of funding) await until('funding', async () => ((await rpc(first.url, 'eth_getTransactionReceipt', [h])) ?? undefined) as unknown)

    // Every transfer signed in advance: wallet w, nonce n pays recipient (w + n) % 5 a distinct amount.
    const signed: string[][] = await Promise.all(
      wallets.map((w, wi) =>
        Promise.all(
          Array.from({ length: PER_WALLET }, (_, n) =>
            w.signTransaction({
              type: 2, chainId: CHAIN_ID, nonce: n, to: recipients[(wi + n) % recipients.length], value: BigInt(1_000_000 * (wi + 1) + n),
              gasLimit: 21_000n, maxFeePerGas: GWEI, maxPriorityFeePerGas: BigInt(n % 3),
            }),
          ),
        ),
      ),
    )

    // What the node said before the kill: every block it reported, and every transaction it acknowledged.
    const seen = new Map<bigint, RpcBlock>()
    const acknowledged: string[][] = wallets.map(() => [])
    const unanswered = new Set<string>() // in flight at the kill: no answer, so either outcome is fine
    let killed = false

    const startHead = await head(first.url)
    const senders = signed.map(async (raws, wi) => {
      for (const raw of raws) {
        if (killed) return
        const hash = Transaction.from(raw).hash!
        unanswered.add(hash)
        try {
          expect(await rpc(first.url, 'eth_sendRawTransaction', [raw])).toBe(hash)
        } catch (e) {
          if (killed) return // the connection died with the process
          throw e
        }
        if (killed) return // answered, but we cannot know whether before or after the kill began: leave it unanswered
        unanswered.delete(hash)
        acknowledged[wi]!.push(hash)
        await sleep(SEND_GAP_MS)
      }
    })
    // Record blocks as they become final, until two blocks of the burst are final and most of it was acknowledged.
    // (These two waits have no deadline of their own: the test's timeout bounds them.)
    const recordUntilBurst = async () => {
      const h = await head(first.url)
      for (let n = 0n; n <= h; n++) if (!seen.has(n)) seen.set(n, (await getBlock(first.url, n))!)
      return (h >= startHead + 2n && acknowledged.reduce((s, a) => s + a.length, 0) >= ACKS_BEFORE_KILL) || undefined
    }
    await pollUntil('two final blocks of the burst', recordUntilBurst, { timeoutMs: Infinity, intervalMs: 50 })
    // Kill at a moment when the newest acknowledged transactions are still pending (so the journal matters).
    const newestPending = async () => {
      const newest = acknowledged.map((a) => a.at(-1)).filter((h): h is string => h !== undefined)
      const found = (await batch(first.url, newest.map((h) => ['eth_getTransactionByHash', [h]]))) as ({ blockHash: string | null } | null)[]
      return found.some((t) => t !== null && t.blockHash === null) || undefined
    }
    await pollUntil('an acknowledged transaction still pending', newestPending, { timeoutMs: Infinity, intervalMs: 20 })
    const sentBeforeKill = acknowledged.reduce((s, a) => s + a.length, 0)
    expect(sentBeforeKill).toBeLessThan(WALLETS * PER_WALLET) // really in the middle of the burst
    killed = true
    await first.kill('SIGKILL')
    await Promise.all(senders)
    const ackCount = acknowledged.reduce((s, a) => s + a.length, 0)
    expect(ackCount).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL)
    const allAcked = acknowledged.flat()
    const finalBeforeKill = new Set([...seen.values()].flatMap((b) => b.transactions.map((t) => t.hash)))
    expect([...finalBeforeKill].filter((h) => allAcked.includes(h)).length).toBeGreaterThan(0)

    // What the dead node left on disk (its LevelDB, read directly): the final head, and the mempool journal.
    // Every acknowledged transaction is in exactly one of the two.
    const db = await NodeDatabase.open(path.join(datadir, 'chain'))
    let killHead: bigint
    const journaled = new Set<string>()
    const finalOnDisk = new Set<string>()
    try {
      const store = new ChainStore(db, common)
      await store.open()
      killHead = store.head().number
      for await (const raw of store.journal()) journaled.add(toHex(createTxFromRLP(raw, { common }).hash()))
      for (const h of allAcked) if ((await store.txLocation(hexToBytes(h))) !== undefined) finalOnDisk.add(h)
    } finally {
      await db.close()
    }
    expect(killHead).toBeGreaterThanOrEqual(BigInt(Math.max(...[...seen.keys()].map(Number))))
    expect(allAcked.filter((h) => !journaled.has(h) && !finalOnDisk.has(h))).toEqual([])
    expect(allAcked.filter((h) => journaled.has(h) && finalOnDisk.has(h))).toEqual([])
    expect(journaled.size).toBeGreaterThan(0)

    const second = await startDevNodeProcess({ devKey: DEV_KEY, datadir })
    running.push(second)
    restarted = second

    // Right away: every acknowledged transaction is known, final or pending (the journal), none lost.
    const lookups = (await batch(second.url, allAcked.map((h) => ['eth_getTransactionByHash', [h]]))) as ({ blockHash: string | null } | null)[]
    const lost = allAcked.filter((_, i) => lookups[i] === null)
    expect(lost).toEqual([])

    // The same chain: every block seen before the kill has the same hash and state root.
    for (const [n, b] of seen) {
      const again = (await getBlock(second.url, n))!
      expect(again.hash).toBe(b.hash)
      expect(again.stateRoot).toBe(b.stateRoot)
    }

    // Everything pending gets mined.
    await until('every acknowledged transaction to be final', async () => {
      const receipts = await batch(second.url, allAcked.map((h) => ['eth_getTransactionReceipt', [h]]))
      return receipts.every((r) => r !== null) ? true : undefined
    })
    await until('an idle pool', async () => {
      const counts = (await batch(second.url, wallets.flatMap((w) => [['eth_getTransactionCount', [w.address, 'latest']], ['eth_getTransactionCount', [w.address, 'pending']]] as [string, unknown[]][]))) as string[]
      for (let i = 0; i < counts.length; i += 2) if (counts[i] !== counts[i + 1]) return undefined
      return true
    })

    // Walk the whole chain: each transaction appears once; per sender, nonces 0, 1, 2… with no gap or repeat.
    const top = await head(second.url)
    const occurrences = new Map<string, number>()
    const bySender = new Map<string, { nonce: bigint; to: string; value: bigint; hash: string; block: RpcBlock }[]>()
    let survivedByJournal = 0
    for (let n = 0n; n <= top; n++) {
      const b = (await getBlock(second.url, n))!
      for (const t of b.transactions) {
        occurrences.set(t.hash, (occurrences.get(t.hash) ?? 0) + 1)
        const list = bySender.get(t.from.toLowerCase()) ?? []
        list.push({ nonce: BigInt(t.nonce), to: t.to.toLowerCase(), value: BigInt(t.value), hash: t.hash, block: b })
        bySender.set(t.from.toLowerCase(), list)
        if (journaled.has(t.hash)) {
          expect(n).toBeGreaterThan(killHead) // pending at the kill, final only after the restart
          survivedByJournal++
        }
      }
    }
    for (const [hash, count] of occurrences) expect(count, `transaction ${hash}`).toBe(1)
    for (const h of allAcked) expect(occurrences.get(h), `acknowledged ${h}`).toBe(1)
    // Every journaled transaction reached a block after the restart.
    expect(survivedByJournal).toBe(journaled.size)

    const received = new Map<string, bigint>(recipients.map((r) => [r, 0n]))
    for (const [wi, w] of wallets.entries()) {
      const txs = bySender.get(w.address.toLowerCase()) ?? []
      expect(txs.map((t) => t.nonce)).toEqual(txs.map((_, i) => BigInt(i)))
      // All acknowledged ones, plus at most the one in flight at the kill (if the node had journaled it).
      expect(txs.length - acknowledged[wi]!.length).toBeGreaterThanOrEqual(0)
      expect(txs.length - acknowledged[wi]!.length).toBeLessThanOrEqual(1)
      for (const extra of txs.slice(acknowledged[wi]!.length)) expect(unanswered.has(extra.hash)).toBe(true)
      expect(BigInt((await rpc(second.url, 'eth_getTransactionCount', [w.address, 'latest'])) as string)).toBe(BigInt(txs.length))
      // Balance: funding less exactly what its included transfers cost (value + gas at the price it paid).
      const receipts = (await batch(second.url, txs.map((t) => ['eth_getTransactionReceipt', [t.hash]]))) as { gasUsed: string; effectiveGasPrice: string; status: string }[]
      let spent = 0n
      for (const [i, t] of txs.entries()) {
        expect(receipts[i]!.status).toBe('0x1')
        spent += t.value + BigInt(receipts[i]!.gasUsed) * BigInt(receipts[i]!.effectiveGasPrice)
        received.set(t.to, received.get(t.to)! + t.value)
      }
      expect(BigInt((await rpc(second.url, 'eth_getBalance', [w.address, 'latest'])) as string)).toBe(FUNDING - spent)
    }
    for (const [r, sum] of received) expect(BigInt((await rpc(second.url, 'eth_getBalance', [r, 'latest'])) as string)).toBe(sum)

    // Supply still adds up over the whole state.
    const audit = (await rpc(second.url, 'causeway_audit')) as { balanced: boolean }
    expect(audit.balanced).toBe(true)
  }, 60_000)

  it('a second process on the same data directory fails fast with NODE_DATADIR_LOCKED', async () => {
    // The restarted node holds the directory (or, if the test above failed early, a node started here).
    const holder = restarted ?? (await startDevNodeProcess({ devKey: DEV_KEY, datadir }))
    if (restarted === undefined) running.push(holder)
    const port = await freePort()
    const r = await runNodeExpectingExit(['--datadir', datadir, '--rpc-port', String(port), '--dev-key', DEV_KEY])
    expect(r.code).toBe(1)
    expect(lastJson(r.stdout)).toMatchObject({ valid: false, code: 'NODE_DATADIR_LOCKED' })
    expect(r.stderr).toMatch(/^error: the data directory .* is in use by another process/m)
    expect(r.ms).toBeLessThan(15_000)
    // The running node is unharmed.
    expect(await head(holder.url)).toBeGreaterThanOrEqual(0n)
  }, 30_000)

  it('a busy RPC port fails with a message naming the port and the flag to change it', async () => {
    const blocker = net.createServer()
    const port = await freePort()
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-port-'))
    try {
      const r = await runNodeExpectingExit(['--datadir', dir, '--rpc-port', String(port)])
      expect(r.code).toBe(1)
      expect(lastJson(r.stdout)).toMatchObject({ valid: false, code: 'NODE_PORT_IN_USE' })
      expect(r.stderr).toMatch(new RegExp(`port ${port} .*already in use.*--rpc-port`))
      expect(r.ms).toBeLessThan(15_000)
      // It released its data directory on the way out: a node starts there now (on a free port).
      const again = await startDevNodeProcess({ datadir: dir })
      await again.stop()
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  }, 40_000)
})
