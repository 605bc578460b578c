// The node's Ethereum JSON-RPC server: one port serving JSON-RPC over HTTP POST `/` (http-post.ts) and WebSocket
// (websocket.ts), plus GET /health and the Prometheus GET /metrics through Hono (http-app.ts); every request
// size, batch and connection count is bounded (limits.ts). This file wires them up and listens.
import { createServer } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { pino, type Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { NodeApi } from '../node/api.js'
import { UNKNOWN_CLIENT, type RpcContext, type RpcExtras } from './context.js'
import type { DispatchOptions } from './dispatch.js'
import { FilterManager } from './filters.js'
import { createApp } from './http-app.js'
import { createPostHandler, isRpcPost } from './http-post.js'
import { DEFAULT_RPC_LIMITS, type RpcLimits } from './limits.js'
import { createMethodTable } from './methods.js'
import { createRpcMetrics, type RpcMetrics } from './metrics.js'
import { attachWebSockets } from './websocket.js'
export { clientOf } from './context.js'
export { DEFAULT_RPC_LIMITS, type RpcLimits } from './limits.js'

export interface RpcServerOptions {
  readonly api: NodeApi
  /** Default 127.0.0.1. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port: number
  readonly logger?: Logger
  /** The RPC metrics; created in `registry` (or a new Registry) when absent. /metrics serves `metrics.registry`. */
  readonly metrics?: RpcMetrics
  /** Registry for the RPC metrics when `metrics` is absent, so the node's own gauges appear at /metrics too. */
  readonly registry?: Registry
  readonly limits?: Partial<RpcLimits>
  readonly extras?: RpcExtras
  /** Access-Control-Allow-Origin for browser pages (default "*", as Hardhat and anvil); false = no CORS headers. */
  readonly cors?: string | readonly string[] | false
}

export interface RpcServer {
  /** http://host:port/ */
  readonly url: string
  /** ws://host:port/ */
  readonly wsUrl: string
  readonly port: number
  /** Closes every WebSocket and HTTP connection, drops filters and subscriptions, stops listening. */
  close(): Promise<void>
}

export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const { api } = opts
  const limits: RpcLimits = { ...DEFAULT_RPC_LIMITS, ...opts.limits }
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'rpc' })
  const metrics = opts.metrics ?? createRpcMetrics(opts.registry)
  const extras = opts.extras ?? {}
  const filters = new FilterManager(api, {
    maxFilters: limits.maxFilters,
    maxFiltersPerClient: limits.maxFiltersPerClient,
    idleMs: limits.filterIdleMs,
    maxPollBlocks: limits.maxFilterPollBlocks,
    maxPendingHashes: limits.maxPendingHashes,
  })
  const dispatchOptions: DispatchOptions = { methods: createMethodTable(), maxBatch: limits.maxBatch, metrics, logger }
  const httpContext: RpcContext = { api, filters, extras, client: UNKNOWN_CLIENT, subscriptions: undefined }

  const corsOrigin = opts.cors ?? '*'
  const honoListener = getRequestListener(createApp({ api, logger, metrics, extras, cors: corsOrigin }).fetch)
  const post = createPostHandler({ maxBodyBytes: limits.maxBodyBytes, cors: corsOrigin, logger, dispatchOptions, httpContext })
  const server = createServer((req, res) => {
    if (isRpcPost(req)) post(req, res)
    else void honoListener(req, res)
  })
  const sockets = attachWebSockets(server, { api, limits, logger, metrics, filters, extras, dispatchOptions })

  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (e) => logger.error({ err: e }, 'RPC server error'))
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : opts.port
  const urlHost = host.includes(':') ? `[${host}]` : host
  logger.info({ host, port }, 'JSON-RPC listening')

  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}/`,
    wsUrl: `ws://${urlHost}:${port}/`,
    port,
    close() {
      closing ??= (async () => {
        sockets.close()
        filters.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        logger.info('JSON-RPC closed')
      })()
      return closing
    },
  }
}
