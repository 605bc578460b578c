// A minimal JSON-RPC 2.0 client for the benchmarks: plain HTTP POST on kept-alive node:http connections (the
// global fetch cost the load generator ~1 ms of CPU per request, taken from the nodes it measures on a 2-core
// machine), single calls and batches, errors thrown with their code.
import { KeepAliveHttp } from '../../io/http.js'

/** Shared by every client: connections to one node are pooled. */
const http = new KeepAliveHttp(256)
export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`)
  }
}

interface RpcAnswer {
  readonly id?: number
  readonly result?: unknown
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown }
}

export type RpcRequest = readonly [method: string, params: readonly unknown[]]

export class RpcClient {
  private nextId = 1

  constructor(readonly url: string) {}

  /** One call; a JSON-RPC error is thrown as an RpcCallError. */
  async call<T = any>(method: string, params: readonly unknown[] = []): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params })
    const answer = (await this.post(body, method)) as RpcAnswer
    if (answer.error !== undefined) throw new RpcCallError(method, answer.error.code, answer.error.message, answer.error.data)
    return answer.result as T
  }

  /**
   * One batch request; answers come back in request order. With `throwOnError` (default) the first failed item
   * throws, otherwise failed items come back as RpcCallError values.
   */
  async batch<T = any>(requests: readonly RpcRequest[], throwOnError = true): Promise<(T | RpcCallError)[]> {
    if (requests.length === 0) return []
    const first = this.nextId
    this.nextId += requests.length
    const body = JSON.stringify(requests.map(([method, params], i) => ({ jsonrpc: '2.0', id: first + i, method, params })))
    const answers = (await this.post(body, `batch of ${requests.length}`)) as RpcAnswer[]
    if (!Array.isArray(answers)) throw new Error(`${this.url}: a batch was answered with a single object: ${JSON.stringify(answers).slice(0, 300)}`)
    const byId = new Map(answers.map((a) => [a.id, a]))
    return requests.map(([method], i) => {
      const a = byId.get(first + i)
      if (a === undefined) throw new Error(`${this.url}: batch item ${i} (${method}) got no answer`)
      if (a.error !== undefined) {
        const e = new RpcCallError(method, a.error.code, a.error.message, a.error.data)
        if (throwOnError) throw e
        return e
      }
      return a.result as T
    })
  }

  /** Splits a long list of requests into batches of `size`, sent one after another. */
  async batched<T = any>(requests: readonly RpcRequest[], size = 250): Promise<T[]> {
    const out: T[] = []
    for (let i = 0; i < requests.length; i += size) out.push(...((await this.batch<T>(requests.slice(i, i + size))) as T[]))
    return out
  }

  private async post(body: string, what: string): Promise<unknown> {
    const res = await http.request(new URL(this.url), { body, headers: { 'content-type': 'application/json' }, timeoutMs: 120_000 })
    if (res.status < 200 || res.status >= 300) throw new Error(`${this.url}: HTTP ${res.status} for ${what}: ${res.text.slice(0, 300)}`)
    return JSON.parse(res.text)
  }
}

export const toQuantity = (n: bigint | number): string => `0x${n.toString(16)}`
