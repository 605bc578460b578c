// A small TCP proxy on loopback for network-partition tests (e.g. between two side-chain validators): it pipes each
// connection to a target and can cut the link — drop everything open and refuse or stall new connections — and heal it.
import net from 'node:net'

export interface TcpProxyTarget {
  readonly host: string
  readonly port: number
}

/**
 * How a cut looks to the peers:
 * - `reset` (default): open connections are destroyed and new ones are destroyed as soon as they are accepted,
 *   so both sides see an error at once (a crashed peer, a refused link);
 * - `blackhole`: open connections are frozen (nothing more is forwarded either way) and new ones are accepted but
 *   never forwarded, so the peers see only silence and must notice by their own timeouts (a real partition).
 *   Everything frozen is dropped at `heal()`, so peers reconnect over a fresh link.
 */
export type CutMode = 'reset' | 'blackhole'

export interface TcpProxy {
  /** The port the proxy listens on at 127.0.0.1. */
  readonly port: number
  cut(mode?: CutMode): void
  heal(): void
  /** Client-side connections currently held (forwarding or frozen); 0 once a `reset` cut has taken effect. */
  connections(): number
  /** Stops listening and drops every connection. Safe to call twice. */
  close(): Promise<void>
}

interface Link {
  readonly client: net.Socket
  upstream: net.Socket | undefined
}

function reset(socket: net.Socket): void {
  if (socket.destroyed) return
  // resetAndDestroy() throws on a socket that is still connecting; plain destroy() then.
  if (socket.connecting || socket.pending) socket.destroy()
  else socket.resetAndDestroy()
}

export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  let cutMode: CutMode | undefined
  let closed = false
  const links = new Set<Link>()

  // RST rather than FIN: both peers see the link fail (ECONNRESET) instead of a polite end of stream.
  const drop = (link: Link): void => {
    links.delete(link)
    reset(link.client)
    if (link.upstream !== undefined) reset(link.upstream)
  }
  // One side closed cleanly: pipe() has already ended the other side's writing; let what is queued there flush
  // before closing it, so a response is never cut short (destroying at once would discard its write buffer).
  const settle = (link: Link, other: net.Socket | undefined): void => {
    if (cutMode === 'blackhole') return drop(link) // nothing crosses a partition, not even a FIN
    if (other !== undefined && !other.destroyed) {
      if (other.writableFinished) other.destroy()
      else {
        other.once('finish', () => other.destroy())
        other.end()
      }
    }
    if (link.client.destroyed && (link.upstream === undefined || link.upstream.destroyed)) links.delete(link)
  }
  // Frozen: unpiped and paused, so no data moves and nothing is buffered beyond what is already read (at most one
  // highWaterMark per socket); the kernel's socket buffers then fill and TCP flow control stalls the sender.
  const freeze = (link: Link): void => {
    link.client.unpipe()
    link.client.pause()
    if (link.upstream !== undefined) {
      link.upstream.unpipe()
      link.upstream.pause()
    }
  }

  // allowHalfOpen: a peer that shuts down its sending side still gets the answer; pipe() forwards the FIN.
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const link: Link = { client, upstream: undefined }
    links.add(link)
    client.on('error', () => drop(link))
    client.on('close', (hadError) => (hadError ? drop(link) : settle(link, link.upstream)))
    if (closed || cutMode === 'reset') {
      drop(link)
      return
    }
    if (cutMode === 'blackhole') return // stays paused, never connected upstream, dropped at heal()
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true })
    link.upstream = upstream
    upstream.on('error', () => drop(link))
    upstream.on('close', (hadError) => (hadError ? drop(link) : settle(link, client)))
    // pipe() applies backpressure both ways: a slow reader pauses the other side instead of growing a buffer.
    client.pipe(upstream)
    upstream.pipe(client)
    client.resume()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') {
    server.close()
    throw new Error('startTcpProxy: the server has no TCP address')
  }

  return {
    port: address.port,
    cut(mode: CutMode = 'reset') {
      cutMode = mode
      for (const link of [...links]) {
        if (mode === 'reset') drop(link)
        else freeze(link)
      }
    },
    heal() {
      if (cutMode === 'blackhole') for (const link of [...links]) drop(link)
      cutMode = undefined
    },
    connections: () => links.size,
    close() {
      if (closed) return Promise.resolve()
      closed = true
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const link of [...links]) drop(link)
      return stopped
    },
  }
}
