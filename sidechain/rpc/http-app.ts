// The HTTP routes other than JSON-RPC's POST: GET /health, the Prometheus GET /metrics, a hint on GET /, CORS
// preflights, and JSON for unknown paths and unhandled errors — through Hono, where speed does not matter.
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Logger } from 'pino'
import type { NodeApi } from '../node/api.js'
import type { RpcExtras } from './context.js'
import { errorResponse } from './dispatch.js'
import { RpcCode } from './errors.js'
import type { RpcMetrics } from './metrics.js'

export interface AppParts {
  readonly api: NodeApi
  readonly logger: Logger
  readonly metrics: RpcMetrics
  readonly extras: RpcExtras
  readonly cors: string | readonly string[] | false
}

export function createApp(p: AppParts): Hono {
  const app = new Hono()
  const json = { 'content-type': 'application/json' }
  if (p.cors !== false) app.use('*', cors({ origin: typeof p.cors === 'string' ? p.cors : [...p.cors] }))

  app.get('/health', (c) => {
    const { api } = p
    try {
      return c.json({
        ok: true,
        // EIP-2294 bounds chain ids to what a JSON number holds exactly.
        chainId: Number(api.chainId),
        head: Number(api.blockNumber()),
        finalized: Number(api.finalizedNumber()),
        syncing: api.syncing() !== false,
        peers: p.extras.peerCount?.() ?? 0,
      })
    } catch (e) {
      p.logger.error({ err: e }, 'health check failed')
      return c.json({ ok: false, error: 'internal error' }, 503)
    }
  })

  app.get('/metrics', async (c) => {
    const registry = p.metrics.registry
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType })
  })

  app.get('/', (c) =>
    c.json({ error: 'send JSON-RPC requests with POST, or upgrade to a WebSocket; see also GET /health and /metrics' }, 405),
  )
  app.notFound((c) => c.json({ error: 'not found' }, 404))
  app.onError((err, c) => {
    p.logger.error({ err }, 'unhandled error in the HTTP handler')
    return c.body(errorResponse(null, { code: RpcCode.INTERNAL_ERROR, message: 'internal error' }), 500, json)
  })
  return app
}
