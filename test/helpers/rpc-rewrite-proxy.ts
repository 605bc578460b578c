// A JSON-RPC proxy on loopback that can rewrite requests on their way in and answers on their way back: tests put it
// between a signer and its side-chain node to show the signer a tampered bridge (a batch that is not what the bridge
// decided), or between the CLI's audit and bcoin to show it a federation UTXO that is gone.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RewriteProxy {
  readonly url: string
  close(): Promise<void>
}

/** Rewrites one answer; `params` are the request's parameters as the client sent them. */
export type Rewrite = (method: string, result: unknown, params: unknown) => unknown
/** Rewrites one request's parameters before they go upstream. */
export type RewriteRequest = (method: string, params: unknown) => unknown

interface Call {
  method: string
  params?: unknown
}

export async function startRewriteProxy(target: string, rewrite: Rewrite, rewriteRequest: RewriteRequest = (_m, p) => p): Promise<RewriteProxy> {
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      void (async () => {
        try {
          const request = JSON.parse(body) as Call | Call[]
          const calls = Array.isArray(request) ? request : [request]
          const sent = calls.map((c) => ({ ...c, params: rewriteRequest(c.method, c.params) }))
          // The caller's credentials go through (a Bitcoin node behind the proxy checks them).
          const headers: Record<string, string> = { 'content-type': 'application/json' }
          if (req.headers.authorization !== undefined) headers['authorization'] = req.headers.authorization
          const upstream = await fetch(target, { method: 'POST', headers, body: JSON.stringify(Array.isArray(request) ? sent : sent[0]) })
          const text = await upstream.text()
          const answer = JSON.parse(text) as { result?: unknown } | { result?: unknown }[]
          const fix = (q: Call, a: { result?: unknown }) => (a.result === undefined ? a : { ...a, result: rewrite(q.method, a.result, q.params) })
          const out = Array.isArray(request) && Array.isArray(answer) ? answer.map((a, i) => fix(calls[i]!, a)) : fix(calls[0]!, answer as { result?: unknown })
          res.writeHead(upstream.status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(out))
        } catch (e) {
          res.writeHead(502)
          res.end(String(e))
        }
      })()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
