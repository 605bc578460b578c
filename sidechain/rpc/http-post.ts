// JSON-RPC over HTTP POST `/`, the node's hot path (every eth_sendRawTransaction): answered on Node's own request
// and response objects, with the body limit, status codes and CORS headers of a framework route.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { clientOf, type RpcContext } from './context.js'
import { dispatch, errorResponse, type DispatchOptions } from './dispatch.js'
import { RpcCode } from './errors.js'

export interface PostParts {
  readonly maxBodyBytes: number
  /** Access-Control-Allow-Origin: "*", one origin or a list of them; false = no CORS headers. */
  readonly cors: string | readonly string[] | false
  readonly logger: Logger
  readonly dispatchOptions: DispatchOptions
  readonly httpContext: RpcContext
}

/**
 * The POST handler. It does what a Hono route with hono/body-limit and hono/cors would (413 with a JSON-RPC error
 * past the limit, 204 for notifications only, the same CORS headers; OPTIONS preflights stay with Hono) without
 * building a fetch Request, a web stream and a Response for every call — at thousands of eth_sendRawTransaction
 * per second that framework work was about a quarter of the node's CPU.
 */
export function createPostHandler(p: PostParts): (req: IncomingMessage, res: ServerResponse) => void {
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

/**
 * Whether a request is JSON-RPC's: a POST whose path is `/`. Clients send `/` (or `/?…`), checked first; any
 * other target is resolved as @hono/node-server and Hono's router would resolve it — an absolute-form target
 * (`POST http://host/`), dot segments (`/./`, `/a/..`, `/%2e/`), a fragment (`/#x`) — so such spellings are still served here, and a target
 * Hono's adapter refuses (a backslash in the path, a host header the URL does not keep) is still left to it (400).
 */
export function isRpcPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false
  const target = req.url ?? ''
  if (target === '/' || target.startsWith('/?')) return true
  return routedPath(target, req.headers.host) === '/'
}

/** The path Hono routes `target` by, or undefined where @hono/node-server answers 400 (see `newRequest` there). */
function routedPath(target: string, host: string | undefined): string | undefined {
  const backslash = target.indexOf('\\')
  if (backslash !== -1) {
    const query = target.indexOf('?')
    if (query === -1 || backslash < query) return undefined
  }
  let url: URL
  try {
    if (target[0] !== '/' && (target.startsWith('http://') || target.startsWith('https://'))) url = new URL(target)
    else {
      if (host === undefined || host === '') return undefined
      url = new URL(`http://${host}${target}`)
      if (url.hostname.length !== host.length && url.hostname !== host.replace(/:\d+$/, '')) return undefined
    }
  } catch {
    return undefined
  }
  return url.pathname
}
