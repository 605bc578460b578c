// The node's Ethereum JSON-RPC server: one port serving JSON-RPC over HTTP POST and WebSocket (upgrade on `/`),
// plus GET /health and the Prometheus GET /metrics; every request size, batch and connection count is bounded.
// JSON-RPC POSTs to `/` are answered straight from Node's HTTP objects; everything else goes through Hono.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { pino, type Logger } from 'pino'
import type { Registry } from 'prom-client'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { NodeApi } from '../node/api.js'
import type { RpcContext, RpcExtras } from './context.js'
import { dispatch, errorResponse, type DispatchOptions } from './dispatch.js'
import { RpcCode } from './errors.js'
import { FilterManager } from './filters.js'
import { createMethodTable } from './methods.js'
import { createRpcMetrics, type RpcMetrics } from './metrics.js'
import { SubscriptionSet } from './subscriptions.js'

export interface RpcLimits {
  /** HTTP body and WebSocket message size, bytes. */
  readonly maxBodyBytes: number
  /** Requests in one batch. */
  readonly maxBatch: number
  /** Poll filters installed at once (all clients). */
  readonly maxFilters: number
  /** Poll filters one client (remote address) may have installed at once. */
  readonly maxFiltersPerClient: number
  /** A poll filter not polled for this long is removed (geth: 5 minutes). */
  readonly filterIdleMs: number
  /** Blocks one eth_getFilterChanges covers at most. */
  readonly maxFilterPollBlocks: number
  /** Pending transaction hashes a pending-transaction filter keeps between polls. */
  readonly maxPendingHashes: number
  /** Open WebSocket connections. */
  readonly maxConnections: number
  readonly maxSubscriptionsPerConnection: number
  /** Messages waiting for their answer on one WebSocket connection. */
  readonly maxQueuedPerConnection: number
  /** A WebSocket client this far behind in reading is disconnected. */
  readonly maxWsBufferedBytes: number
  /** Interval of WebSocket pings; a connection that missed the last pong is closed. 0 = no pings. */
  readonly wsHeartbeatMs: number
}

export const DEFAULT_RPC_LIMITS: RpcLimits = Object.freeze({
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 1000,
  maxFilters: 10_000,
  maxFiltersPerClient: 100,
  filterIdleMs: 5 * 60_000,
  maxFilterPollBlocks: 1000,
  maxPendingHashes: 10_000,
  maxConnections: 1000,
  maxSubscriptionsPerConnection: 1000,
  maxQueuedPerConnection: 1000,
  maxWsBufferedBytes: 16 * 1024 * 1024,
  wsHeartbeatMs: 30_000,
})

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
  const app = createApp({ api, limits, logger, metrics, extras, cors: corsOrigin, dispatchOptions, httpContext })
  const honoListener = getRequestListener(app.fetch)
  const post = fastPost({ maxBodyBytes: limits.maxBodyBytes, cors: corsOrigin, logger, dispatchOptions, httpContext })
  const server = createServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/' || req.url?.startsWith('/?') === true)) post(req, res)
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

/** A socket whose peer address is gone (closed already) still counts against one shared bound. */
const UNKNOWN_CLIENT = 'unknown'

/**
 * The key per-client bounds are counted under: the remote address (the port changes per connection). IPv4-mapped
 * IPv6 addresses are folded to IPv4 so one host has one key.
 */
export function clientOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return UNKNOWN_CLIENT
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress
}

interface AppParts {
  readonly api: NodeApi
  readonly limits: RpcLimits
  readonly logger: Logger
  readonly metrics: RpcMetrics
  readonly extras: RpcExtras
  readonly cors: string | readonly string[] | false
  readonly dispatchOptions: DispatchOptions
  readonly httpContext: RpcContext
}

function createApp(p: AppParts): Hono {
  const app = new Hono()
  const json = { 'content-type': 'application/json' }
  if (p.cors !== false) app.use('*', cors({ origin: typeof p.cors === 'string' ? p.cors : [...p.cors] }))

  const tooLarge = errorResponse(null, {
    code: RpcCode.LIMIT_EXCEEDED,
    message: `request body too large: limit ${p.limits.maxBodyBytes} bytes`,
  })
  app.post('/', bodyLimit({ maxSize: p.limits.maxBodyBytes, onError: (c) => c.body(tooLarge, 413, json) }), async (c) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    const context = { ...p.httpContext, client: clientOf(incoming?.socket.remoteAddress) }
    const answer = await dispatch(await c.req.text(), context, p.dispatchOptions)
    return answer === undefined ? c.body(null, 204) : c.body(answer, 200, json)
  })

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

interface PostParts {
  readonly maxBodyBytes: number
  readonly cors: string | readonly string[] | false
  readonly logger: Logger
  readonly dispatchOptions: DispatchOptions
  readonly httpContext: RpcContext
}

/**
 * JSON-RPC over HTTP POST on Node's own request and response objects: the same answers, status codes, body limit
 * and CORS headers as the Hono route (which remains for OPTIONS preflights and other paths), without building a
 * fetch Request, a web stream and a Response for every call — at thousands of eth_sendRawTransaction per second
 * that framework work was about a quarter of the node's CPU.
 */
function fastPost(p: PostParts): (req: IncomingMessage, res: ServerResponse) => void {
  const tooLarge = errorResponse(null, { code: RpcCode.LIMIT_EXCEEDED, message: `request body too large: limit ${p.maxBodyBytes} bytes` })
  const internal = errorResponse(null, { code: RpcCode.INTERNAL_ERROR, message: 'internal error' })
  const allowOrigin = (origin: string): string | undefined => {
    if (p.cors === false) return undefined
    if (p.cors === '*') return '*'
    if (typeof p.cors === 'string') return p.cors === origin ? origin : undefined
    return p.cors.includes(origin) ? origin : undefined
  }
  return (req, res) => {
    const headers: Record<string, string> = {}
    const origin = allowOrigin(req.headers.origin ?? '')
    if (origin !== undefined) headers['access-control-allow-origin'] = origin
    if (p.cors !== false && p.cors !== '*') headers['vary'] = 'Origin'
    const send = (status: number, body: string | undefined) => {
      if (res.headersSent) return
      if (body !== undefined) {
        headers['content-type'] = 'application/json'
        // A length, not chunked encoding: one write, and clients need not parse chunks (204 has no body).
        headers['content-length'] = String(Buffer.byteLength(body))
      }
      res.writeHead(status, headers)
      res.end(body)
    }
    const declared = req.headers['content-length']
    if (declared !== undefined && req.headers['transfer-encoding'] === undefined && Number(declared) > p.maxBodyBytes) {
      req.resume()
      send(413, tooLarge)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > p.maxBodyBytes) {
        refused = true
        chunks.length = 0
        // Stop reading, not just stop keeping: close once the 413 is out, so a sender cannot make the node drain
        // an endless chunked body.
        headers['connection'] = 'close'
        res.once('finish', () => req.destroy())
        send(413, tooLarge)
        return
      }
      chunks.push(chunk)
    })
    req.on('error', (e) => p.logger.debug({ err: e }, 'HTTP request stream error'))
    req.on('end', () => {
      if (refused) return
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
      dispatch(text, { ...p.httpContext, client: clientOf(req.socket.remoteAddress) }, p.dispatchOptions).then(
        (answer) => send(answer === undefined ? 204 : 200, answer),
        (e: unknown) => {
          p.logger.error({ err: e }, 'unhandled error in the HTTP handler')
          send(500, internal)
        },
      )
    })
  }
}

interface SocketParts {
  readonly api: NodeApi
  readonly limits: RpcLimits
  readonly logger: Logger
  readonly metrics: RpcMetrics
  readonly filters: FilterManager
  readonly extras: RpcExtras
  readonly dispatchOptions: DispatchOptions
}

interface Connection {
  readonly subscriptions: SubscriptionSet
  alive: boolean
}

/** WebSocket JSON-RPC on the HTTP server's port: upgrades on `/`, one SubscriptionSet per connection. */
function attachWebSockets(server: Server, p: SocketParts): { close(): void } {
  const { limits, logger } = p
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes })
  const connections = new Map<WebSocket, Connection>()

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (e) => logger.debug({ err: e }, 'upgrade socket error'))
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/') return refuse(socket, 404, 'Not Found')
    if (connections.size >= limits.maxConnections) return refuse(socket, 503, 'Service Unavailable')
    const client = clientOf(req.socket.remoteAddress)
    wss.handleUpgrade(req, socket, head, (ws) => open(ws, client))
  })

  function open(ws: WebSocket, client: string): void {
    const send = (text: string): void => {
      if (ws.readyState !== WebSocket.OPEN) return
      if (ws.bufferedAmount > limits.maxWsBufferedBytes) {
        logger.warn({ buffered: ws.bufferedAmount }, 'closing a WebSocket client that does not read its messages')
        ws.terminate()
        return
      }
      ws.send(text)
    }
    const subscriptions = new SubscriptionSet(p.api, send, limits.maxSubscriptionsPerConnection, logger)
    const connection: Connection = { subscriptions, alive: true }
    connections.set(ws, connection)
    p.metrics.connections(1)
    const context: RpcContext = { api: p.api, filters: p.filters, extras: p.extras, client, subscriptions }
    let queued = 0
    let chain: Promise<void> = Promise.resolve()

    ws.on('message', (raw: RawData) => {
      if (queued >= limits.maxQueuedPerConnection) {
        const message = `too many requests waiting on this connection (limit ${limits.maxQueuedPerConnection})`
        send(errorResponse(null, { code: RpcCode.LIMIT_EXCEEDED, message }))
        return
      }
      queued++
      const text = rawText(raw)
      // One message after another, as over one HTTP connection: a batch of sends reaches the pool in order.
      chain = chain
        .then(async () => {
          const answer = await dispatch(text, context, p.dispatchOptions)
          if (answer !== undefined) send(answer)
          subscriptions.activate()
        })
        .catch((e: unknown) => logger.error({ err: e }, 'WebSocket message failed'))
        .finally(() => queued--)
    })
    ws.on('pong', () => {
      connection.alive = true
    })
    ws.on('error', (e) => logger.debug({ err: e }, 'WebSocket error'))
    ws.on('close', () => {
      if (!connections.delete(ws)) return
      subscriptions.close()
      p.metrics.connections(-1)
    })
  }

  const heartbeat =
    limits.wsHeartbeatMs > 0
      ? setInterval(() => {
          for (const [ws, connection] of connections) {
            if (!connection.alive) {
              ws.terminate()
              continue
            }
            connection.alive = false
            ws.ping()
          }
        }, limits.wsHeartbeatMs)
      : undefined
  heartbeat?.unref()

  return {
    close() {
      if (heartbeat !== undefined) clearInterval(heartbeat)
      for (const [ws, connection] of connections) {
        connection.subscriptions.close()
        p.metrics.connections(-1)
        ws.terminate()
      }
      connections.clear()
      wss.close()
    },
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8')
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8')
  return raw.toString('utf8')
}
