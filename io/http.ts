// HTTP requests on kept-alive connections through node:http, for the processes that send many small requests to
// one place: validators to their peers (forwarded transactions every 10 ms, consensus messages) and benchmark
// senders to a node. The global fetch (undici, with web streams around every body) spent ~1.5 ms of CPU on each
// such request in bench:sidechain — a tenth of a validator's time under load — against a fraction of that here.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export interface HttpAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
}

/** The `code` of the error a request rejects with when no whole answer arrived within its `timeoutMs`. */
export const HTTP_TIMEOUT = 'HTTP_TIMEOUT'
/** The `code` of the error a request rejects with when the answer is longer than its `maxBytes`. */
export const HTTP_TOO_LARGE = 'HTTP_TOO_LARGE'
/** Answers longer than this are cut off unless a request says otherwise: nothing is buffered without bound. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024

type RequestInit = { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string>; timeoutMs: number; maxBytes?: number }

export class KeepAliveHttp {
  private readonly http: HttpAgent
  private readonly https: HttpsAgent

  constructor(maxSockets = 64) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets })
    this.https = new HttpsAgent({ keepAlive: true, maxSockets })
  }

  /**
   * One request; resolves with the answer whatever its status, rejects on a network error or when no whole
   * answer arrived within `timeoutMs`.
   */
  async request(url: URL, init: RequestInit): Promise<HttpAnswer> {
    try {
      return await this.once(url, init)
    } catch (e) {
      // A kept-alive connection the server closed just as this request went out (its idle timeout): the request
      // never reached it, so it is sent once more (the remedy Node's documentation gives for request.reusedSocket).
      if ((e as { reusedSocket?: boolean }).reusedSocket === true && (e as NodeJS.ErrnoException).code === 'ECONNRESET') return this.once(url, init)
      throw e
    }
  }

  private once(url: URL, init: RequestInit): Promise<HttpAnswer> {
    const maxBytes = init.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES
    const body = init.body === undefined ? undefined : Buffer.from(init.body)
    const secure = url.protocol === 'https:'
    const headers: Record<string, string | number> = { ...init.headers }
    if (body !== undefined) headers['content-length'] = body.length
    return new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), agent: secure ? this.https : this.http, headers }, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        // Counted as it arrives (a chunked answer has no length to check first): past the bound the exchange ends.
        const tooLarge = () => {
          reject(Object.assign(new Error(`${url.href}: answer over ${maxBytes} bytes`), { code: HTTP_TOO_LARGE }))
          req.destroy()
        }
        if (Number(res.headers['content-length'] ?? 0) > maxBytes) return tooLarge()
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > maxBytes) {
            chunks.length = 0
            tooLarge()
          } else chunks.push(c)
        })
        res.on('error', reject)
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      })
      // The whole exchange is bounded, not only the socket's idle time.
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`${url.href}: no answer within ${init.timeoutMs} ms`), { code: HTTP_TIMEOUT })), init.timeoutMs)
      req.on('close', () => clearTimeout(timer))
      req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })))
      req.end(body)
    })
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.destroy()
    this.https.destroy()
  }
}
