// The TCP proxy against a local echo server: forwarding (large and half-closed streams), both kinds of cut, heal,
// and that it leaves no connection behind.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js'
import { pollUntil } from '../../../io/poll.js'

let echo: net.Server
let echoPort = 0
const serverSockets = new Set<net.Socket>()

beforeAll(async () => {
  // Echoes everything; with allowHalfOpen it answers "bye" after the client's FIN, then closes.
  echo = net.createServer({ allowHalfOpen: true }, (s) => {
    serverSockets.add(s)
    s.on('close', () => serverSockets.delete(s))
    s.on('error', () => {})
    s.pipe(s, { end: false })
    s.on('end', () => s.end('bye'))
  })
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  echoPort = (echo.address() as net.AddressInfo).port
})

afterAll(async () => {
  for (const s of serverSockets) s.destroy()
  await new Promise<void>((resolve) => echo.close(() => resolve()))
})

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(s))
    s.once('error', reject)
  })
}

/** Resolves with what arrives within `ms` and whether the peer closed or reset the connection by then. */
function collect(s: net.Socket, ms: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = ''
    let closed = s.destroyed
    const onData = (c: Buffer): void => {
      data += c.toString('utf8')
    }
    const onClose = (): void => {
      closed = true
    }
    s.on('data', onData)
    s.on('end', onClose)
    s.on('close', onClose)
    s.on('error', () => {})
    setTimeout(() => {
      s.off('data', onData)
      s.off('end', onClose)
      s.off('close', onClose)
      resolve({ data, closed })
    }, ms)
  })
}

async function roundTrip(port: number, message: string): Promise<string> {
  const s = await connect(port)
  const got = collect(s, 300)
  s.write(message)
  const { data } = await got
  s.destroy()
  return data
}

describe('startTcpProxy', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort })
  })
  afterAll(() => proxy.close())

  it('forwards both ways, with backpressure, and passes a half-close through', async () => {
    expect(await roundTrip(proxy.port, 'ping')).toBe('ping')

    const s = await connect(proxy.port)
    const big = Buffer.alloc(8 * 1024 * 1024, 7)
    let received = 0
    const done = new Promise<string>((resolve) => {
      let tail = ''
      s.on('data', (c: Buffer) => {
        received += c.length
        tail = (tail + c.toString('latin1')).slice(-3)
      })
      s.on('end', () => resolve(tail))
    })
    s.end(big) // FIN after 8 MiB: the server's answer must still come back through the proxy
    expect(await done).toBe('bye')
    expect(received).toBe(big.length + 3)
    s.destroy()
    await waitFor(() => proxy.connections() === 0)
  })

  it('cut() resets open connections and refuses new ones until heal()', async () => {
    const open = await connect(proxy.port)
    expect(await roundTrip(proxy.port, 'a')).toBe('a')
    const watched = collect(open, 200)
    proxy.cut()
    expect((await watched).closed).toBe(true)
    expect(proxy.connections()).toBe(0)

    // The kernel completes the handshake; the proxy resets the connection at once (maybe before 'connect' fires).
    const during = await connect(proxy.port).then(
      (s) => collect(s, 200),
      (e: Error) => ({ data: '', closed: /ECONNRESET/.test(e.message) }),
    )
    expect(during).toEqual({ data: '', closed: true })
    await waitFor(() => serverSockets.size === 0)

    proxy.heal()
    expect(await roundTrip(proxy.port, 'again')).toBe('again')
  })

  it("cut('blackhole') freezes links silently; heal() drops them so peers reconnect", async () => {
    const open = await connect(proxy.port)
    open.on('error', () => {})
    expect(await collectAfterWrite(open, 'x')).toEqual({ data: 'x', closed: false })
    proxy.cut('blackhole')
    expect(await collectAfterWrite(open, 'lost')).toEqual({ data: '', closed: false })
    const during = await connect(proxy.port)
    during.on('error', () => {})
    expect(await collectAfterWrite(during, 'lost too')).toEqual({ data: '', closed: false })
    expect(proxy.connections()).toBe(2)

    const openClosed = collect(open, 200)
    const duringClosed = collect(during, 200)
    proxy.heal()
    expect((await openClosed).closed).toBe(true)
    expect((await duringClosed).closed).toBe(true)
    expect(await roundTrip(proxy.port, 'fresh')).toBe('fresh')
    await waitFor(() => proxy.connections() === 0)
  })

  it('close() stops listening and drops everything', async () => {
    const other = await startTcpProxy({ host: '127.0.0.1', port: echoPort })
    const open = await connect(other.port)
    const watched = collect(open, 200)
    await other.close()
    expect((await watched).closed).toBe(true)
    await expect(connect(other.port)).rejects.toThrow(/ECONNREFUSED/)
    await other.close() // twice is fine
  })

  it('a dead target closes the client instead of hanging', async () => {
    const dead = await startTcpProxy({ host: '127.0.0.1', port: 1 })
    try {
      const s = await connect(dead.port)
      expect((await collect(s, 300)).closed).toBe(true)
      expect(dead.connections()).toBe(0)
    } finally {
      await dead.close()
    }
  })
})

async function collectAfterWrite(s: net.Socket, message: string): Promise<{ data: string; closed: boolean }> {
  const got = collect(s, 200)
  s.write(message)
  return got
}

async function waitFor(cond: () => boolean, ms = 2_000): Promise<void> {
  await pollUntil('the condition', () => cond() || undefined, { timeoutMs: ms, intervalMs: 20 })
}
