// JSON-RPC over WebSocket on the HTTP server's port: upgrades on `/`, bounded connections, one SubscriptionSet
// per connection, messages answered in order, heartbeats, and slow readers disconnected.
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { NodeApi } from '../node/api.js'
import { clientOf, type RpcContext, type RpcExtras } from './context.js'
import { dispatch, errorResponse, type DispatchOptions } from './dispatch.js'
import { RpcCode } from './errors.js'
import type { FilterManager } from './filters.js'
import type { RpcLimits } from './limits.js'
import type { RpcMetrics } from './metrics.js'
import { SubscriptionSet } from './subscriptions.js'

export interface SocketParts {
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

/** Serves WebSocket upgrades of `server`; `close` ends every connection and its subscriptions. */
export function attachWebSockets(server: Server, p: SocketParts): { close(): void } {
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
