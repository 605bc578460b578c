// The JSON-RPC port refuses a chunked body past its limit (5 MiB) with 413 and closes the connection, instead of
// draining the rest of a 200 MiB upload; honest requests still work afterwards.
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { startRpcServer } from '../../../../sidechain/rpc/index.js'
import type { NodeApi } from '../../../../sidechain/node/api.js'

function chunkedPost(url: string, total: number): Promise<{ status: number | undefined; sent: number; closedAt: number }> {
  return new Promise((resolve) => {
    let sent = 0
    let status: number | undefined
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const source = new Readable({
      read() {
        if (sent >= total) return this.push(null)
        sent += chunk.length
        this.push(chunk)
      },
    })
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      status = res.statusCode
      res.resume()
    })
    const done = () => {
      source.destroy()
      resolve({ status, sent, closedAt: sent })
    }
    req.on('error', done)
    req.on('close', done)
    source.pipe(req)
  })
}

describe('JSON-RPC body limit', () => {
  it('stops reading a 200 MiB chunked body near the limit', async () => {
    const server = await startRpcServer({ api: { chainId: 7n } as unknown as NodeApi, port: 0 })
    try {
      const r = await chunkedPost(server.url, 200 * 1024 * 1024)
      expect(r.status).toBe(413)
      expect(r.sent).toBeLessThan(5 * 1024 * 1024 + 32 * 1024 * 1024)
      const honest = await fetch(server.url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_clientVersion', params: [] }) })
      expect(honest.status).toBe(200)
    } finally {
      await server.close()
    }
  }, 60_000)
})
