// The EVM dev chain of a local setup: starts a real Hardhat 2 network node (EDR engine) as a child process for the
// integration tests and benchmarks (a reference EVM to compare the side chain with, and an EVM chain to prove
// against): its own temp dir and config, a free loopback port, a bounded wait for JSON-RPC, and a stop that always
// kills it and cleans up.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeLoopbackPort } from '../ports.js'
import { isCausewayError } from '../../spv/base/errors.js'
import { POLL_TIMEOUT, pollUntil } from '../../io/poll.js'

export interface HardhatOptions {
  /** A Hardhat 2 hardfork name ('berlin', 'london', 'shanghai', 'cancun', 'prague', 'osaka'…); Hardhat's default otherwise. */
  readonly hardfork?: string
  readonly chainId?: number
  /** How long to wait for the JSON-RPC to answer (default 30 s). */
  readonly startTimeoutMs?: number
}

export interface HardhatNode {
  readonly url: string
  /** One JSON-RPC call; a JSON-RPC error is thrown as an Error carrying `code` and `data`. */
  rpc(method: string, params?: readonly unknown[]): Promise<any>
  /** Kills the node (SIGTERM, then SIGKILL after a grace period) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>
}

/** Root of the project: Hardhat refuses to run as a "non-local installation" from a cwd outside it. */
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))

const HARDHAT_CLI = path.join(projectRoot, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js')
const OUTPUT_LIMIT = 20_000
const KILL_GRACE_MS = 5_000

/** Hardhat's default accounts: the mnemonic every Hardhat 2 node funds with 10000 ETH per account. */
export const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk'

export async function startHardhat(opts: HardhatOptions = {}): Promise<HardhatNode> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'causeway-hardhat-'))
  try {
    const network: Record<string, unknown> = {}
    if (opts.hardfork !== undefined) network['hardfork'] = opts.hardfork
    if (opts.chainId !== undefined) network['chainId'] = opts.chainId
    const config = `// Written by regtest/evm/hardhat.ts for one run.\nmodule.exports = ${JSON.stringify({ networks: { hardhat: network } }, null, 2)}\n`
    const configPath = path.join(dir, 'hardhat.config.cjs')
    await writeFile(configPath, config)
    // A port race (someone took the port between freeLoopbackPort and listen) shows as an early exit: try once more.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, configPath, await freeLoopbackPort(), opts.startTimeoutMs ?? 30_000)
      } catch (e) {
        if (attempt >= 2 || !(e instanceof EarlyExit) || !/EADDRINUSE|address already in use/i.test(e.message)) throw e
      }
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
}

class EarlyExit extends Error {}

async function launch(dir: string, configPath: string, port: number, timeoutMs: number): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    process.execPath,
    [HARDHAT_CLI, '--config', configPath, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hardhatEnv(),
    },
  )
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Last resort if the test process ends without calling stop(): a synchronous kill of our own child.
  const onExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', onExit)

  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await kill(child, exited)
    process.removeListener('exit', onExit)
    await rm(dir, { recursive: true, force: true })
  }

  let nextId = 1
  const rpc = async (method: string, params: readonly unknown[] = []): Promise<any> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } }
    if (body.error !== undefined) {
      throw Object.assign(new Error(`${method}: ${body.error.message}`), { code: body.error.code, data: body.error.data })
    }
    return body.result
  }

  const answer = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', onExit)
      throw new EarlyExit(`Hardhat node exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`)
    }
    await rpc('eth_chainId')
    return true
  }
  try {
    // Any failed request but the exit means not listening yet.
    await pollUntil(`the Hardhat node on ${url}`, answer, { timeoutMs, intervalMs: 100, retry: (e) => !(e instanceof EarlyExit) })
  } catch (e) {
    if (!isCausewayError(e, POLL_TIMEOUT)) throw e
    await kill(child, exited)
    process.removeListener('exit', onExit)
    throw new Error(`Hardhat node did not answer on ${url} within ${timeoutMs} ms. Output:\n${output}`)
  }
  return { url, rpc, stop }
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const graceOver = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), KILL_GRACE_MS)
  })
  const done = await Promise.race([exited.then(() => true), graceOver])
  clearTimeout(timer)
  if (!done) {
    child.kill('SIGKILL')
    await exited
  }
}

/** The environment Hardhat runs with here: never prompts, never colours its output. */
export function hardhatEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
    HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
}
