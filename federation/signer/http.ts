// The signer's HTTP endpoint (its `http.port`): GET /health (200 while every duty's last round succeeded and a round
// ended recently, 503 otherwise) and the Prometheus GET /metrics. The daemon passes in what to report.
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import type { Registry } from 'prom-client'
import { CausewayError } from '../../spv/base/errors.js'
import type { DutyFamily, DutyHealth } from './duty.js'

/** A duty as /health shows it: the daemon's record of its last round and what the duty says of itself. */
export interface DutyReport {
  readonly family: DutyFamily
  /** `CODE: message` of its last round, if that failed. */
  readonly lastError: string | undefined
  readonly health: DutyHealth
}

export interface HealthSource {
  readonly member: number
  readonly address: string
  readonly pollMs: number
  /** When the last round (of all duties) ended, ms since the epoch; 0 before the first. */
  lastRoundAt(): number
  duties(): readonly DutyReport[]
}

export interface HttpEndpoint {
  readonly url: string
  readonly server: ServerType
  close(): Promise<void>
}

/** The /health body and status. The first duty's details also stand at the top level, where they were before issue 14. */
export function healthOf(src: HealthSource, now: number): { body: Record<string, unknown>; status: 200 | 503 } {
  const at = src.lastRoundAt()
  const age = now - at
  const duties = src.duties()
  const errors = duties.flatMap((d) => (d.lastError === undefined ? [] : [d.lastError]))
  const healthy = at > 0 && age < Math.max(10_000, src.pollMs * 10) && errors.length === 0
  return {
    status: healthy ? 200 : 503,
    body: {
      status: healthy ? 'ok' : 'degraded',
      member: src.member,
      address: src.address,
      lastRoundMsAgo: at === 0 ? null : age,
      lastError: errors.length === 0 ? null : errors.join('; '),
      ...(duties[0]?.health.details ?? {}),
      duties: Object.fromEntries(duties.map((d) => [d.family, { status: d.lastError === undefined ? 'ok' : 'degraded', lastError: d.lastError ?? null, ...d.health.details }])),
    },
  }
}

export async function serveSignerHttp(host: string, port: number, src: HealthSource, registry: Registry): Promise<HttpEndpoint> {
  const app = new Hono()
  app.get('/health', (c) => {
    const h = healthOf(src, Date.now())
    return c.json(h.body, h.status)
  })
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }))
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      resolve({ url: `http://${host}:${info.port}`, server, close: () => new Promise<void>((r) => server.close(() => r())) })
    })
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new CausewayError('PORT_IN_USE', `signer HTTP port ${port} is in use`) : e))
  })
}
