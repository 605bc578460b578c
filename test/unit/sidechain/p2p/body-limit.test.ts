// The p2p port bounds request bodies while reading them (issue 12 item 4): a chunked body with no content-length
// is refused with 413 once it passes 8 MiB, long before the sender's 200 MiB are through, and the port keeps serving.
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { startP2pServer } from '../../../../sidechain/p2p/server.js'
import type { Node } from '../../../../sidechain/node/node.js'

const LIMIT = 8 * 1024 * 1024

function chunkedPost(url: string, total: number): Promise<{ status: number | undefined; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const source = new Readable({
      read() {
        if (sent >= total) return this.push(null)
        sent += chunk.length
        this.push(chunk)
      },
    })
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume()
      source.destroy()
      resolve({ status: res.statusCode, sent })
    })
    req.on('error', () => resolve({ status: undefined, sent }))
    source.pipe(req)
  })
}

describe('p2p body limit', () => {
  it('refuses a 200 MiB chunked body at the limit and keeps serving', async () => {
    let txCalls = 0
    const server = await startP2pServer({
      node: {} as Node,
      host: '127.0.0.1',
      port: 0,
      members: [],
      logger: pino({ level: 'silent' }),
      handlers: {
        onTxs: async (raws) => {
          txCalls++
          return { accepted: raws.length, rejected: 0 }
        },
      },
    })
    try {
      for (const path of ['p2p/txs', 'p2p/message']) {
        const r = await chunkedPost(new URL(path, server.url).toString(), 200 * 1024 * 1024)
        if (path === 'p2p/txs') expect(r.status).toBe(413)
        // The server stopped reading near the limit: the client had sent far less than 200 MiB (socket buffers as slack).
        expect(r.sent).toBeLessThan(LIMIT + 16 * 1024 * 1024)
      }
      const honest = await fetch(new URL('p2p/txs', server.url), { method: 'POST', body: JSON.stringify({ txs: ['0x01'] }) })
      expect(honest.status).toBe(200)
      expect(await honest.json()).toEqual({ accepted: 1, rejected: 0 })
      expect(txCalls).toBe(1)
    } finally {
      await server.close()
    }
  }, 60_000)
})
