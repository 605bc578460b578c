// pollUntil and sleep: the first defined value wins and ends the polling, a timeout carries its code, what was
// awaited and the last transient error as cause, an abort stops both at once, and a synchronous check never spins.
import { describe, expect, it } from 'vitest'
import { isCausewayError } from '../../../spv/base/errors.js'
import { POLL_ABORTED, POLL_TIMEOUT, pollUntil, sleep } from '../../../io/poll.js'

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}

describe('pollUntil', () => {
  it('resolves with the first defined value and does not call check again', async () => {
    let calls = 0
    const v = await pollUntil('the third call', () => (++calls === 3 ? 'done' : undefined), { timeoutMs: 5_000, intervalMs: 5 })
    expect(v).toBe('done')
    await sleep(30)
    expect(calls).toBe(3)
  })

  it('takes false, 0 and null as values: only undefined means not yet', async () => {
    expect(await pollUntil('false', () => false, { timeoutMs: 100 })).toBe(false)
    expect(await pollUntil('zero', async () => 0, { timeoutMs: 100 })).toBe(0)
    expect(await pollUntil('null', () => null, { timeoutMs: 100 })).toBe(null)
  })

  it('times out with POLL_TIMEOUT naming what it waited for and for how long', async () => {
    const t0 = Date.now()
    const e = await rejection(pollUntil('the moon', () => undefined, { timeoutMs: 60, intervalMs: 10 }))
    expect(isCausewayError(e, POLL_TIMEOUT)).toBe(true)
    expect((e as Error).message).toContain('the moon')
    const details = (e as { details: { what: string; elapsedMs: number; timeoutMs: number } }).details
    expect(details.what).toBe('the moon')
    expect(details.timeoutMs).toBe(60)
    expect(details.elapsedMs).toBeGreaterThan(60)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60)
  })

  it('polls past the errors retry accepts and keeps the last one as the cause', async () => {
    let calls = 0
    const e = await rejection(
      pollUntil(
        'a node',
        () => {
          throw new Error(`refused ${++calls}`)
        },
        { timeoutMs: 40, intervalMs: 5, retry: () => true },
      ),
    )
    expect(isCausewayError(e, POLL_TIMEOUT)).toBe(true)
    expect(calls).toBeGreaterThan(1)
    expect(((e as Error).cause as Error).message).toBe(`refused ${calls}`)
  })

  it('rejects at once with an error retry does not accept, or with any error when there is no retry', async () => {
    let calls = 0
    const fatal = new Error('fatal')
    const check = () => {
      calls++
      throw fatal
    }
    expect(await rejection(pollUntil('x', check, { timeoutMs: 1_000, intervalMs: 5 }))).toBe(fatal)
    expect(await rejection(pollUntil('x', check, { timeoutMs: 1_000, intervalMs: 5, retry: (e) => e !== fatal }))).toBe(fatal)
    expect(calls).toBe(2)
  })

  it('throws the error onTimeout builds, given the elapsed time and the last error', async () => {
    const transient = new Error('not yet')
    let seen: [number, unknown] | undefined
    const e = await rejection(
      pollUntil(
        'x',
        () => {
          throw transient
        },
        {
          timeoutMs: 20,
          intervalMs: 5,
          retry: () => true,
          onTimeout: (ms, last) => {
            seen = [ms, last]
            return new Error('SITE_CODE')
          },
        },
      ),
    )
    expect((e as Error).message).toBe('SITE_CODE')
    expect(seen![0]).toBeGreaterThan(20)
    expect(seen![1]).toBe(transient)
  })

  it('calls onWait between checks with the elapsed time, not after the last one', async () => {
    const waits: number[] = []
    let calls = 0
    await pollUntil('x', () => (++calls === 4 ? true : undefined), { timeoutMs: 5_000, intervalMs: 5, onWait: (ms) => void waits.push(ms) })
    expect(waits).toHaveLength(3)
    expect([...waits].sort((a, b) => a - b)).toEqual(waits)
  })

  it('stops with POLL_ABORTED when the signal aborts during the pause, without another check', async () => {
    const ac = new AbortController()
    let calls = 0
    const p = pollUntil('x', () => void calls++, { timeoutMs: 10_000, intervalMs: 5_000, signal: ac.signal })
    await sleep(20)
    const t0 = Date.now()
    ac.abort(new Error('shutting down'))
    const e = await rejection(p)
    expect(Date.now() - t0).toBeLessThan(1_000)
    expect(isCausewayError(e, POLL_ABORTED)).toBe(true)
    expect(((e as Error).cause as Error).message).toBe('shutting down')
    expect(calls).toBe(1)
  })

  it('does not start when the signal has already aborted', async () => {
    let calls = 0
    const e = await rejection(pollUntil('x', () => void calls++, { timeoutMs: 1_000, signal: AbortSignal.abort() }))
    expect(isCausewayError(e, POLL_ABORTED)).toBe(true)
    expect(calls).toBe(0)
  })

  it('never busy-loops: a synchronous check with a zero interval still pauses between calls', async () => {
    let calls = 0
    await rejection(pollUntil('x', () => void calls++, { timeoutMs: 50, intervalMs: 0 }))
    expect(calls).toBeLessThan(60)
  })
})

describe('sleep', () => {
  it('waits about the time asked', async () => {
    const t0 = Date.now()
    await sleep(30)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25)
  })

  it('rejects with POLL_ABORTED when its signal aborts', async () => {
    const ac = new AbortController()
    const p = sleep(10_000, ac.signal)
    ac.abort()
    expect(isCausewayError(await rejection(p), POLL_ABORTED)).toBe(true)
    expect(isCausewayError(await rejection(sleep(10, AbortSignal.abort())), POLL_ABORTED)).toBe(true)
  })
})
