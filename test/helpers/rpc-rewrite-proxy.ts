// A JSON-RPC proxy on loopback that can rewrite answers on their way back: tests put it between a signer and its
// side-chain node to show the signer a tampered bridge (a batch that is not what the bridge decided), or between the
// CLI's audit and bcoin to show it a federation UTXO that is gone.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RewriteProxy {
  readonly url: string
  close(): Promise<void>
}

export type Rewrite = (method: string, result: unknown) => unknown

export async function startRewriteProxy(target: string, rewrite: Rewrite): Promise<RewriteProxy> {
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      void (async () => {
        try {
          // The caller's credentials go through (a Bitcoin node behind the proxy checks them).
          const headers: Record<string, string> = { 'content-type': 'application/json' }
          if (req.headers.authorization !== undefined) headers['authorization'] = req.headers.authorization
          const upstream = await fetch(target, { method: 'POST', headers, body })
          const text = await upstream.text()
          const request = JSON.parse(body) as { method: string } | { method: string }[]
          const answer = JSON.parse(text) as { result?: unknown } | { result?: unknown }[]
          const fix = (q: { method: string }, a: { result?: unknown }) => (a.result === undefined ? a : { ...a, result: rewrite(q.method, a.result) })
          const out = Array.isArray(request) && Array.isArray(answer) ? answer.map((a, i) => fix(request[i]!, a)) : fix(request as { method: string }, answer as { result?: unknown })
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
