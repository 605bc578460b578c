// The JSON-RPC transport to a Bitcoin node (Bitcoin Core, or bcoin with its Core-compatible RPC): endpoint and basic
// auth, kept-alive connections, one call with coded errors. The typed calls are in rpc-client.ts.
import { fail } from '../../spv/base/errors.js'
import { HTTP_TIMEOUT, HTTP_TOO_LARGE, KeepAliveHttp, type HttpAnswer } from '../../io/http.js'

export interface BitcoinRpcOptions {
  /** e.g. `http://127.0.0.1:18443/`. Credentials in the URL (`http://user:pass@host/`) are taken as basic auth. */
  readonly url: string
  /** Basic-auth user (bcoin ignores it; Core checks it). */
  readonly username?: string
  /** Basic-auth password (bcoin: the `--api-key`). */
  readonly password?: string
  /** Per-call bound in milliseconds (default 30 s). */
  readonly timeoutMs?: number
}

/** Core's RPC error codes this client interprets (src/rpc/protocol.h). */
export const RPC_CODES = Object.freeze({
  MISC_ERROR: -1,
  INVALID_ADDRESS_OR_KEY: -5,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
})

const DEFAULT_TIMEOUT_MS = 30_000

export class BitcoinRpcTransport {
  /** The endpoint without credentials (safe to log). */
  readonly url: string
  private readonly authorization: string | undefined
  protected readonly timeoutMs: number
  private readonly endpoint: URL
  /**
   * Kept-alive connections, and a request that meets one the node has just closed (its idle timeout, easily
   * missed by a client on a loaded machine) is sent once more instead of failing with ECONNRESET.
   */
  private readonly http = new KeepAliveHttp(8)
  private nextId = 1

  constructor(options: BitcoinRpcOptions) {
    let parsed: URL
    try {
      parsed = new URL(options.url)
    } catch (e) {
      fail('BTC_RPC_BAD_URL', `Bitcoin RPC url is not a URL: ${options.url}`, { url: options.url }, e)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      fail('BTC_RPC_BAD_URL', `Bitcoin RPC url must be http(s): ${parsed.protocol}`, { protocol: parsed.protocol })
    }
    const username = options.username ?? decodeURIComponent(parsed.username)
    const password = options.password ?? decodeURIComponent(parsed.password)
    parsed.username = ''
    parsed.password = ''
    this.url = parsed.toString()
    this.endpoint = parsed
    this.authorization = username === '' && password === '' ? undefined : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (!Number.isSafeInteger(this.timeoutMs) || this.timeoutMs <= 0) fail('BTC_RPC_BAD_OPTION', 'timeoutMs must be a positive integer')
  }

  /**
   * One JSON-RPC call. Throws BTC_RPC_UNREACHABLE (no connection, or no answer within the timeout:
   * `details.reason` is 'network' or 'timeout'), BTC_RPC_UNAUTHORIZED (HTTP 401/403), BTC_RPC_BAD_RESPONSE
   * (not a JSON-RPC answer) or BTC_RPC_ERROR (the node's own error: `details.rpcCode`, `details.rpcMessage`).
   */
  async call<T = unknown>(method: string, params: readonly unknown[] = [], timeoutMs = this.timeoutMs): Promise<T> {
    const id = this.nextId++
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.authorization !== undefined) headers['authorization'] = this.authorization
    let response: HttpAnswer
    try {
      // A raw 4 MB block is 8 MB of hex: answers up to 64 MiB are read, nothing longer is buffered.
      response = await this.http.request(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '1.0', id, method, params }), timeoutMs, maxBytes: 64 * 1024 * 1024 })
    } catch (e) {
      const timedOut = (e as NodeJS.ErrnoException).code === HTTP_TIMEOUT
      if ((e as NodeJS.ErrnoException).code === HTTP_TOO_LARGE) fail('BTC_RPC_BAD_RESPONSE', `Bitcoin node at ${this.url} answered ${method} with more than 64 MiB`, { url: this.url, method }, e)
      const reason = timedOut ? 'timeout' : 'network'
      const what = timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(e)
      fail('BTC_RPC_UNREACHABLE', `Bitcoin node at ${this.url} unreachable (${method}): ${what}`, { url: this.url, method, reason }, e)
    }
    const text = response.text
    if (response.status === 401 || response.status === 403) {
      fail('BTC_RPC_UNAUTHORIZED', `Bitcoin node at ${this.url} refused the credentials (HTTP ${response.status})`, { url: this.url, method, status: response.status })
    }
    // Core answers errors with HTTP 500 (404 for an unknown method) and a JSON-RPC body: read the body first.
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      fail('BTC_RPC_BAD_RESPONSE', `Bitcoin node at ${this.url} answered ${method} with HTTP ${response.status} and no JSON`, {
        url: this.url,
        method,
        status: response.status,
        body: text.slice(0, 200),
      })
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      fail('BTC_RPC_BAD_RESPONSE', `Bitcoin node answered ${method} with something that is not a JSON-RPC object`, { method, status: response.status })
    }
    const { result, error } = body as { result?: unknown; error?: unknown }
    if (error !== null && error !== undefined) {
      const e = error as { code?: unknown; message?: unknown }
      const rpcCode = typeof e.code === 'number' ? e.code : null
      const rpcMessage = typeof e.message === 'string' ? e.message : JSON.stringify(error)
      fail('BTC_RPC_ERROR', `${method}: ${rpcMessage}${rpcCode === null ? '' : ` (${rpcCode})`}`, { method, rpcCode, rpcMessage })
    }
    if (result === undefined) fail('BTC_RPC_BAD_RESPONSE', `Bitcoin node answered ${method} without a result`, { method, status: response.status })
    return result as T
  }
}

function describeNetworkError(e: unknown): string {
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string') return code
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause
  if (cause !== undefined && cause !== null) return String(cause.code ?? cause.message ?? cause)
  return e instanceof Error ? e.message : String(e)
}
