// Runs a bcoin 1.0.2 full node in regtest mode as a child process: standalone (no peers, no DNS), RPC on a
// loopback port, data in its own directory, a bounded wait until the RPC answers and a stop that always ends it.
// Several can run side by side: every port and directory is its own.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CausewayError, fail, isCausewayError } from '../../spv/base/errors.js'
import { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { freeLoopbackPort } from '../ports.js'
import { POLL_TIMEOUT, pollUntil } from '../../io/poll.js'

export interface BcoinOptions {
  /** bcoin's `--prefix`. Default: a new temporary directory, removed by stop() unless `keepDataDir`. */
  readonly dataDir?: string
  /** RPC (HTTP) port on 127.0.0.1. Default: a free one. */
  readonly rpcPort?: number
  /**
   * P2P port given to bcoin. Nothing listens on it (the node runs with `--listen=false`); it is set so no
   * instance ever falls back to bcoin's default regtest port 48444. Default: a free one.
   */
  readonly p2pPort?: number
  /** RPC password (basic auth, any user). Default: random. */
  readonly apiKey?: string
  /** Where bcoin's output goes (appended). Default: `<dataDir>/bcoin.log`. */
  readonly logFile?: string
  /** bcoin's log level (default 'info'; 'debug' logs every RPC call). */
  readonly logLevel?: 'error' | 'warning' | 'info' | 'debug' | 'spam'
  /** Bound on the wait for the RPC to answer (default 30 s). */
  readonly startTimeoutMs?: number
  /** How long stop() waits after SIGTERM before SIGKILL (default 10 s). */
  readonly stopTimeoutMs?: number
  /** Keep a temporary data directory after stop() (for looking at the log). */
  readonly keepDataDir?: boolean
  /** Its own process group, so a terminal's Ctrl-C reaches only the parent, which then stops it in order. */
  readonly detached?: boolean
}

export interface BcoinProcess {
  /** `http://127.0.0.1:<rpcPort>/` (the API key is not in it). */
  readonly rpcUrl: string
  readonly rpc: BitcoinRpcClient
  readonly rpcPort: number
  readonly p2pPort: number
  readonly apiKey: string
  readonly dataDir: string
  readonly logFile: string
  readonly pid: number
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>
}

/** The project root: bcoin runs from here and is resolved from its node_modules. */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const LOG_TAIL_BYTES = 4_000
const START_ATTEMPTS = 3

/**
 * The command line bcoin runs with. Each flag is there for a reason found in bcoin 1.0.2's source:
 * - `--listen=false`: accept no peers; also skips its external-IP lookup in DNS (myip.opendns.com) and UPnP.
 *   `--host=127.0.0.1` keeps the P2P bind address on loopback should listening ever be turned on.
 * - `--seeds=,`: bcoin's regtest seed list is `127.0.0.1` (its default port), which it dials as a "loader" peer
 *   at start; `,` is an empty list that bcfg keeps (it drops an empty `--seeds=`). With no seeds and no hosts
 *   file there is no outbound connection at all.
 * - `--no-wallet`: the wallet plugin is not used (its RPC is unreliable here) and would bind a fixed port (48334).
 * - `--workers=false`: no verification worker processes (they could outlive a SIGKILLed parent); regtest blocks
 *   are small, so inline verification costs nothing.
 * - `--index-tx`: `getrawtransaction` and `gettxoutproof` of confirmed transactions need the transaction index.
 * - `--require-standard=true`: bcoin's regtest accepts non-standard transactions by default; Bitcoin Core's
 *   regtest and every real network refuse them, so tests here must not depend on that.
 * - `--log-file=false`: bcoin's console output goes to our log file instead of a second copy in the prefix.
 */
export function bcoinArgs(o: { dataDir: string; rpcPort: number; p2pPort: number; apiKey: string; logLevel: string }): string[] {
  return [
    '--network=regtest',
    `--prefix=${o.dataDir}`,
    '--http-host=127.0.0.1',
    `--http-port=${o.rpcPort}`,
    `--port=${o.p2pPort}`,
    '--host=127.0.0.1',
    '--listen=false',
    '--seeds=,',
    `--api-key=${o.apiKey}`,
    '--no-wallet',
    '--workers=false',
    '--index-tx',
    '--require-standard=true',
    '--log-file=false',
    `--log-level=${o.logLevel}`,
  ]
}

/** Path of bcoin's full-node entry point (`bin/node`; `bin/bcoin` is a shell script) in the project's node_modules. */
export function bcoinEntryPoint(): string {
  try {
    const pkg = createRequire(path.join(projectRoot, 'package.json')).resolve('bcoin/package.json')
    return path.join(path.dirname(pkg), 'bin', 'node')
  } catch (e) {
    fail('BCOIN_NOT_INSTALLED', 'bcoin is not installed in this project (npm install)', undefined, e)
  }
}

export async function startBcoin(options: BcoinOptions = {}): Promise<BcoinProcess> {
  const entry = bcoinEntryPoint()
  const ownsDir = options.dataDir === undefined
  const dataDir = options.dataDir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'causeway-bcoin-')) : path.resolve(options.dataDir)
  await mkdir(dataDir, { recursive: true })
  const removeDir = async (): Promise<void> => {
    if (ownsDir && options.keepDataDir !== true) await rm(dataDir, { recursive: true, force: true })
  }
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex')
  const logFile = path.resolve(options.logFile ?? path.join(dataDir, 'bcoin.log'))
  const portsChosenHere = options.rpcPort === undefined || options.p2pPort === undefined
  try {
    for (let attempt = 1; ; attempt++) {
      const rpcPort = options.rpcPort ?? (await freeLoopbackPort())
      const p2pPort = options.p2pPort ?? (await freeLoopbackPort())
      try {
        return await launch({ entry, dataDir, apiKey, logFile, rpcPort, p2pPort, options, removeDir })
      } catch (e) {
        // Another process took a port between our check and bcoin's bind: pick new ones.
        const portRace = isCausewayError(e, 'BCOIN_START_FAILED') && e.details?.['portInUse'] === true
        if (!portRace || !portsChosenHere || attempt >= START_ATTEMPTS) throw e
      }
    }
  } catch (e) {
    await removeDir()
    throw e
  }
}

interface LaunchInput {
  readonly entry: string
  readonly dataDir: string
  readonly apiKey: string
  readonly logFile: string
  readonly rpcPort: number
  readonly p2pPort: number
  readonly options: BcoinOptions
  readonly removeDir: () => Promise<void>
}

async function launch(input: LaunchInput): Promise<BcoinProcess> {
  const { entry, dataDir, apiKey, logFile, rpcPort, p2pPort, options } = input
  const logStart = fileSize(logFile)
  const fd = openSync(logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(process.execPath, [entry, ...bcoinArgs({ dataDir, rpcPort, p2pPort, apiKey, logLevel: options.logLevel ?? 'info' })], {
      cwd: projectRoot,
      stdio: ['ignore', fd, fd],
      env: bcoinEnv(),
      detached: options.detached === true,
    })
  } finally {
    closeSync(fd) // the child holds its own copy
  }
  let exitInfo: string | null = null
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal === null ? `exit code ${code}` : `signal ${signal}`
      resolve()
    })
    child.once('error', (err) => {
      exitInfo = `spawn error: ${err.message}`
      resolve()
    })
  })
  // Last resort if this process ends without stop(): a synchronous kill of our own child.
  const onExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', onExit)

  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child, exited, () => exitInfo !== null, stopTimeoutMs)
      process.removeListener('exit', onExit)
      await input.removeDir()
    })()
    return stopping
  }

  const rpcUrl = `http://127.0.0.1:${rpcPort}/`
  const rpc = new BitcoinRpcClient({ url: rpcUrl, username: 'causeway', password: apiKey })
  const timeoutMs = options.startTimeoutMs ?? 30_000
  const answer = async () => {
    if (exitInfo !== null) {
      process.removeListener('exit', onExit)
      const tail = readTail(logFile, logStart)
      throw new CausewayError('BCOIN_START_FAILED', `bcoin exited (${exitInfo}) before its RPC answered on ${rpcUrl}; last lines of ${logFile}:\n${tail}`, {
        details: { rpcPort, p2pPort, logFile, exit: exitInfo, logTail: tail, portInUse: /EADDRINUSE/.test(tail) },
      })
    }
    await rpc.call('getblockcount', [], 1_000)
    return true
  }
  // An RPC error means not listening yet (or still opening its databases); a bad URL or anything else is final.
  const notYet = (e: unknown) => isCausewayError(e) && e.code !== 'BTC_RPC_BAD_URL' && e.code !== 'BCOIN_START_FAILED'
  try {
    await pollUntil(`bcoin's RPC on ${rpcUrl}`, answer, { timeoutMs, intervalMs: 100, retry: notYet })
  } catch (e) {
    if (!isCausewayError(e, POLL_TIMEOUT)) throw e
    await terminate(child, exited, () => exitInfo !== null, stopTimeoutMs)
    process.removeListener('exit', onExit)
    const tail = readTail(logFile, logStart)
    throw new CausewayError('BCOIN_START_TIMEOUT', `bcoin did not answer on ${rpcUrl} within ${timeoutMs} ms; last lines of ${logFile}:\n${tail}`, {
      details: { rpcPort, p2pPort, logFile, logTail: tail },
      cause: e.cause,
    })
  }
  return { rpcUrl, rpc, rpcPort, p2pPort, apiKey, dataDir, logFile, pid: child.pid!, stop }
}

async function terminate(child: ChildProcess, exited: Promise<void>, gone: () => boolean, graceMs: number): Promise<void> {
  if (gone()) return
  child.kill('SIGTERM') // bcoin 1.0.2 has no SIGTERM handler: it dies at once; LevelDB replays its log on the next open
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs)
  })
  const done = await Promise.race([exited.then(() => true), grace])
  clearTimeout(timer)
  if (!done) {
    child.kill('SIGKILL')
    await exited
  }
}

/** Our environment without BCOIN_* variables: bcoin reads its options from those too. */
function bcoinEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('BCOIN_')) env[k] = v
  return env
}

function fileSize(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** The last few kilobytes bcoin wrote to its log since `from`. */
function readTail(file: string, from: number): string {
  try {
    const size = fileSize(file)
    const start = Math.max(from, size - LOG_TAIL_BYTES)
    const buf = Buffer.alloc(size - start)
    const fd = openSync(file, 'r')
    try {
      readSync(fd, buf, 0, buf.length, start)
    } finally {
      closeSync(fd)
    }
    return buf.toString('utf8').trimEnd()
  } catch {
    return '(no log)'
  }
}
