// Waiting for something another process does: one poll loop (check, give up past the timeout, sleep, check again)
// for the CLI, the regtest world, the signers' tools, the benchmarks and the tests, instead of a loop per call site.
import { CausewayError, isCausewayError } from '../spv/base/errors.js'

/** The `code` of the error pollUntil rejects with when `check` gave nothing within `timeoutMs`. */
export const POLL_TIMEOUT = 'POLL_TIMEOUT'
/** The `code` of the error pollUntil and sleep reject with when their `signal` aborts; its `cause` is the reason. */
export const POLL_ABORTED = 'POLL_ABORTED'
/** The pause between two checks unless a call says otherwise. */
export const DEFAULT_POLL_INTERVAL_MS = 250

export interface PollOptions {
  /**
   * Give up once this long has passed since the first check and the latest check still gave nothing; Infinity for
   * a wait something else bounds (a test's own time limit).
   */
  readonly timeoutMs: number
  /** The pause after a check that gave nothing; at least 1 ms, so a synchronous check never spins. */
  readonly intervalMs?: number
  /** Called after each check that gave nothing and before the pause (progress lines, nudges such as mining). */
  readonly onWait?: (elapsedMs: number) => void | Promise<void>
  readonly signal?: AbortSignal
  /**
   * Which errors of `check` mean "not yet" (a node still starting, a connection refused): those are polled past
   * and the last one becomes the timeout's `cause`. Without it, or when it answers false, the error rejects the
   * poll at once.
   */
  readonly retry?: (error: unknown) => boolean
  /** Builds the error to throw on timeout instead of POLL_TIMEOUT, for a call site with a code of its own. */
  readonly onTimeout?: (elapsedMs: number, lastError: unknown) => Error
}

/**
 * Calls `check` until it returns something other than `undefined` and resolves with that; `check` is not called
 * again afterwards. Past `timeoutMs` rejects with POLL_TIMEOUT (or `onTimeout`'s error), naming `what` and the time
 * waited. The order is the one the hand-written loops had: check, return if done, give up if late, onWait, sleep.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const intervalMs = Math.max(1, options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS)
  const start = Date.now()
  let lastError: unknown
  for (;;) {
    throwIfAborted(what, options.signal)
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (e) {
      if (options.retry === undefined || !options.retry(e)) throw e
      lastError = e
    }
    const elapsedMs = Date.now() - start
    if (elapsedMs > options.timeoutMs) {
      if (options.onTimeout !== undefined) throw options.onTimeout(elapsedMs, lastError)
      throw new CausewayError(POLL_TIMEOUT, `gave up waiting for ${what} after ${(elapsedMs / 1000).toFixed(1)} s`, {
        details: { what, elapsedMs, timeoutMs: options.timeoutMs },
        cause: lastError,
      })
    }
    await options.onWait?.(elapsedMs)
    await sleep(intervalMs, options.signal, what)
  }
}

/**
 * For a wait whose caller judges the outcome itself (`pollUntil(…).catch(timeoutIsFine)`): a timeout resolves with
 * undefined, any other error still rejects.
 */
export function timeoutIsFine(e: unknown): undefined {
  if (isCausewayError(e, POLL_TIMEOUT)) return undefined
  throw e
}

/** Waits `ms` milliseconds; rejects with POLL_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, what = 'a pause'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(aborted(what, signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(aborted(what, signal!))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function throwIfAborted(what: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw aborted(what, signal)
}

const aborted = (what: string, signal: AbortSignal) => new CausewayError(POLL_ABORTED, `stopped waiting for ${what}: aborted`, { details: { what }, cause: signal.reason })
