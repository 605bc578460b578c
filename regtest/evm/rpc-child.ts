// What the EVM dev nodes of a local setup (Hardhat 2, anvil) share: a child process that serves JSON-RPC on a
// loopback port, its output tail kept for error messages, a bounded wait until it answers, one JSON-RPC call, and a
// stop that sends SIGTERM (so the node can write its state), then SIGKILL after a grace period.
import { type ChildProcess, spawn } from 'node:child_process'
import { CausewayError, isCausewayError } from '../../spv/base/errors.js'
import { POLL_TIMEOUT, pollUntil } from '../../io/poll.js'

/** The child exited before its JSON-RPC answered. */
export const RPC_CHILD_EXITED = 'RPC_CHILD_EXITED'
/** The child's JSON-RPC did not answer within the start timeout. */
export const RPC_CHILD_START_TIMEOUT = 'RPC_CHILD_START_TIMEOUT'

const OUTPUT_LIMIT = 20_000
const KILL_GRACE_MS = 5_000

export interface RpcNode {
  readonly url: string
  /** One JSON-RPC call; a JSON-RPC error is thrown as an Error carrying `code` and `data`. */
  rpc(method: string, params?: readonly unknown[]): Promise<any>
  /** Stops the node (SIGTERM, then SIGKILL after a grace period) and runs the launcher's cleanup. Safe to call twice. */
  stop(): Promise<void>
}

export interface RpcChildSpec {
  /** Shown in errors: "the Hardhat node", "anvil". */
  readonly label: string
  readonly command: string
  readonly args: readonly string[]
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly url: string
  readonly startTimeoutMs: number
  /** Run after the child is gone (temp dirs). */
  readonly cleanup?: () => Promise<void>
}

/** A JSON-RPC client for `url`: JSON-RPC errors are thrown as Errors with `code` and `data`. */
export function jsonRpc(url: string): (method: string, params?: readonly unknown[]) => Promise<any> {
  let nextId = 1
  return async (method, params = []) => {
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
}

/** Whether a start failure was the port taken under us (worth one more try on another port). */
export function isPortRace(e: unknown): boolean {
  return isCausewayError(e, RPC_CHILD_EXITED) && /EADDRINUSE|address already in use/i.test(e.message)
}

/**
 * Spawns the child and waits until `eth_chainId` answers. On failure the child is killed (cleanup is not run: the
 * caller may retry in the same dir) and RPC_CHILD_EXITED or RPC_CHILD_START_TIMEOUT is thrown with the output tail.
 */
export async function startRpcChild(spec: RpcChildSpec): Promise<RpcNode> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: spec.env ?? process.env,
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let spawnError: Error | undefined
  child.once('error', (e) => {
    spawnError = e
  })
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  // Last resort if the test process ends without calling stop(): a synchronous kill of our own child.
  const onExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', onExit)

  const rpc = jsonRpc(spec.url)
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await killChild(child, exited)
    process.removeListener('exit', onExit)
    await spec.cleanup?.()
  }

  const gone = (): boolean => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null
  const answer = async () => {
    if (gone()) {
      throw new CausewayError(
        RPC_CHILD_EXITED,
        `${spec.label} exited (${spawnError?.message ?? child.exitCode ?? child.signalCode}) before answering:\n${output}`,
        { details: { url: spec.url }, cause: spawnError },
      )
    }
    await rpc('eth_chainId')
    return true
  }
  try {
    // Any failed request but the exit means not listening yet.
    await pollUntil(`${spec.label} on ${spec.url}`, answer, {
      timeoutMs: spec.startTimeoutMs,
      intervalMs: 100,
      retry: (e) => !isCausewayError(e, RPC_CHILD_EXITED),
    })
  } catch (e) {
    await killChild(child, exited)
    process.removeListener('exit', onExit)
    if (!isCausewayError(e, POLL_TIMEOUT)) throw e
    throw new CausewayError(
      RPC_CHILD_START_TIMEOUT,
      `${spec.label} did not answer on ${spec.url} within ${spec.startTimeoutMs} ms. Output:\n${output}`,
      { details: { url: spec.url }, cause: e },
    )
  }
  return { url: spec.url, rpc, stop }
}

/** SIGTERM, then SIGKILL if the child has not exited within the grace period. */
export async function killChild(child: ChildProcess, exited: Promise<void>, graceMs = KILL_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const graceOver = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs)
  })
  const done = await Promise.race([exited.then(() => true), graceOver])
  clearTimeout(timer)
  if (!done) {
    child.kill('SIGKILL')
    await exited
  }
}
