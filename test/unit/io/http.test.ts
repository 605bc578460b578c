// KeepAliveHttp against a real loopback server: answers of any status, kept-alive connections reused, a whole
// exchange bounded by its timeout, and a request that meets a kept-alive connection the server has just dropped
// sent once more.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HTTP_TOO_LARGE, KeepAliveHttp } from '../../../io/http.js'

let server: Server | undefined
let client: KeepAliveHttp | undefined

afterEach(async () => {
  client?.close()
  if (server !== undefined) {
    server.closeAllConnections()
    await new Promise<void>((r) => server!.close(() => r()))
  }
  server = undefined
  client = undefined
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: URL; sockets: Socket[] }> {
  const sockets: Socket[] = []
  server = createServer(handler)
  server.on('connection', (s) => sockets.push(s))
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('no address')
  return { url: new URL(`http://127.0.0.1:${address.port}/path`), sockets }
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  let body = ''
  req.on('data', (c: Buffer) => (body += c.toString()))
  req.on('end', () => {
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ method: req.method, body }))
  })
}

describe('KeepAliveHttp', () => {
  it('answers with the status and text, and reuses one connection for requests one after another', async () => {
    const { url, sockets } = await serve(echo)
    client = new KeepAliveHttp(4)
    for (let i = 0; i < 5; i++) {
      const a = await client.request(url, { body: `{"n":${i}}`, headers: { 'content-type': 'application/json' }, timeoutMs: 2_000 })
      expect(a.status).toBe(200)
      expect(JSON.parse(a.text)).toEqual({ method: 'POST', body: `{"n":${i}}` })
    }
    expect((await client.request(new URL('/missing', url), { timeoutMs: 2_000 })).status).toBe(404)
    expect(sockets).toHaveLength(1)
  })

  it('rejects when no whole answer arrives in time', async () => {
    const { url } = await serve(() => undefined) // never answers
    client = new KeepAliveHttp(4)
    const started = Date.now()
    await expect(client.request(url, { timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('sends a request once more when the kept-alive connection it went out on was reset by the server', async () => {
    let requests = 0
    const { url, sockets } = await serve((req, res) => {
      requests++
      // The second request's connection is dropped without an answer, as a server closing an idle connection does.
      if (requests === 2) req.socket.destroy()
      else echo(req, res)
    })
    client = new KeepAliveHttp(4)
    expect((await client.request(url, { body: 'first', timeoutMs: 2_000 })).status).toBe(200)
    const second = await client.request(url, { body: 'second', timeoutMs: 2_000 })
    expect(JSON.parse(second.text)).toEqual({ method: 'POST', body: 'second' })
    expect(requests).toBe(3)
    expect(sockets).toHaveLength(2)
  })

  it('does not send again when a fresh connection fails', async () => {
    const { url } = await serve((req) => req.socket.destroy())
    client = new KeepAliveHttp(4)
    await expect(client.request(url, { body: 'x', timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'ECONNRESET' })
  })

  it('cuts off an answer longer than maxBytes, with a length or chunked without end, and keeps working', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/path') {
        res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) })
        res.end(Buffer.alloc(2 * 1024 * 1024, 0x61))
      } else if (req.url === '/endless') {
        res.writeHead(200) // chunked: no length to check first
        const chunk = Buffer.alloc(64 * 1024, 0x62)
        const pump = () => {
          while (res.write(chunk)) if (res.destroyed) return
          res.once('drain', pump)
        }
        res.on('close', () => res.removeAllListeners('drain'))
        pump()
      } else echo(req, res)
    })
    client = new KeepAliveHttp(4)
    await expect(client.request(url, { timeoutMs: 5_000, maxBytes: 1024 * 1024 })).rejects.toMatchObject({ code: HTTP_TOO_LARGE })
    await expect(client.request(new URL('/endless', url), { timeoutMs: 5_000, maxBytes: 1024 * 1024 })).rejects.toMatchObject({ code: HTTP_TOO_LARGE })
    expect((await client.request(url, { timeoutMs: 5_000, maxBytes: 4 * 1024 * 1024 })).text.length).toBe(2 * 1024 * 1024)
    expect((await client.request(new URL('/small', url), { body: 'x', timeoutMs: 2_000 })).status).toBe(200)
  })
})
