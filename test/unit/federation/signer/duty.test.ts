// A signer's duties (federation/signer/duty.ts, duty-loop.ts, http.ts): a round reviews each watched item before the
// next is read, signs before it submits, refuses what the review refuses, and delivers last; a duty whose round
// fails is marked degraded in /health while the other duties keep running.
import { Registry } from 'prom-client'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { fail } from '../../../../spv/base/errors.js'
import { runDutyRound, type Duty, type DutyFamily, type Verdict } from '../../../../federation/signer/duty.js'
import { DutyLoop } from '../../../../federation/signer/duty-loop.js'
import { healthOf } from '../../../../federation/signer/http.js'
import { createSignerMetrics } from '../../../../federation/signer/metrics.js'

/** A duty that watches `items` and approves the even ones, writing every step to `trace`. */
function tracingDuty(trace: string[], items: number[], opts: { family?: string; failWatch?: boolean } = {}): Duty<number, string, string> {
  return {
    family: (opts.family ?? 'bitcoin') as DutyFamily,
    async *watch() {
      if (opts.failWatch === true) fail('TEST_NODE_DOWN', 'the node is down')
      for (const i of items) {
        trace.push(`watch ${i}`)
        yield i
      }
    },
    review(i): Verdict<string> {
      trace.push(`review ${i}`)
      return i % 2 === 0 ? { approved: `batch ${i}` } : { refused: { code: 'TEST_ODD', message: `${i} is odd` } }
    },
    async sign(i, approved) {
      trace.push(`sign ${approved}`)
      return `sigs ${i}`
    },
    async submit(signed) {
      trace.push(`submit ${signed}`)
    },
    async refuse(i, r) {
      trace.push(`refuse ${i} ${r.code}`)
    },
    async deliver() {
      trace.push('deliver')
    },
    health: () => ({ details: { items: items.length } }),
  }
}

describe('runDutyRound', () => {
  it('handles each item before reading the next, signs before submitting, delivers last', async () => {
    const trace: string[] = []
    await runDutyRound(tracingDuty(trace, [2, 3]))
    expect(trace).toEqual(['watch 2', 'review 2', 'sign batch 2', 'submit sigs 2', 'watch 3', 'review 3', 'refuse 3 TEST_ODD', 'deliver'])
  })
})

describe('DutyLoop', () => {
  it('runs the other duties when one fails, and /health names the failing one', async () => {
    const metrics = createSignerMetrics(new Registry())
    const ok: string[] = []
    const broken = tracingDuty([], [], { failWatch: true })
    const healthy = tracingDuty(ok, [4], { family: 'evm' })
    const loop = new DutyLoop([broken, healthy], 50, metrics, pino({ level: 'silent' }))
    loop.run()
    await new Promise((r) => setTimeout(r, 200))
    await loop.stop()
    expect(ok.filter((s) => s === 'deliver').length).toBeGreaterThanOrEqual(2)

    const h = healthOf({ member: 1, address: '0xabc', pollMs: 50, lastRoundAt: () => loop.lastRoundAt, duties: () => loop.reports() }, Date.now())
    expect(h.status).toBe(503)
    expect(h.body['status']).toBe('degraded')
    expect(h.body['lastError']).toMatch(/^TEST_NODE_DOWN: /)
    expect(h.body['items']).toBe(0) // the first duty's details stand at the top level, as before issue 14
    const duties = h.body['duties'] as Record<string, { status: string; lastError: string | null; items: number }>
    expect(duties['bitcoin']).toMatchObject({ status: 'degraded', items: 0 })
    expect(duties['evm']).toEqual({ status: 'ok', lastError: null, items: 1 })
    const text = await metrics.registry.metrics()
    expect(text).toMatch(/causeway_signer_round_errors_total\{family="bitcoin"\} [1-9]/)
    expect(text).toContain('causeway_signer_duty_up{family="evm"} 1')
  })

  it('/health is ok once every duty has succeeded recently', async () => {
    const loop = new DutyLoop([tracingDuty([], [1])], 50, createSignerMetrics(new Registry()), pino({ level: 'silent' }))
    expect(healthOf({ member: 0, address: '0xabc', pollMs: 50, lastRoundAt: () => loop.lastRoundAt, duties: () => loop.reports() }, Date.now()).status).toBe(503)
    loop.run()
    await new Promise((r) => setTimeout(r, 100))
    await loop.stop()
    const h = healthOf({ member: 0, address: '0xabc', pollMs: 50, lastRoundAt: () => loop.lastRoundAt, duties: () => loop.reports() }, Date.now())
    expect(h).toMatchObject({ status: 200, body: { status: 'ok', lastError: null } })
    expect(healthOf({ member: 0, address: '0xabc', pollMs: 50, lastRoundAt: () => loop.lastRoundAt, duties: () => loop.reports() }, Date.now() + 60_000).status).toBe(503)
  })
})
