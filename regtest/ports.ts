// Free TCP ports on loopback for the processes a regtest world (or a test) starts. The port is picked below the
// kernel's ephemeral range: a port the OS hands out for "listen on 0" comes from that range, which is also where
// every outgoing connection takes its local port — so a port released and handed to a child a moment later (or
// given back when a child restarts on the same configuration) could meanwhile be some client's. Below the range
// only another listener can take it. A small race remains (another process may bind it first), so launchers that
// pick ports themselves retry on "address in use".
import { readFileSync } from 'node:fs'
import net from 'node:net'

/** The kernel's ephemeral range [low, high], or undefined where it cannot be read (not Linux). */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    return low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) ? [low, high] : undefined
  } catch {
    return undefined
  }
}

/** Ports this process handed out already: not handed out twice. */
const given = new Set<number>()
const LOWEST = 10_000

/** A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range where one can be. */
export async function freeLoopbackPort(): Promise<number> {
  const range = ephemeralRange()
  if (range !== undefined && range[0] - LOWEST >= 2_000) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (range[0] - LOWEST))
      if (given.has(port)) continue
      if (await loopbackPortFree(port)) {
        given.add(port)
        return port
      }
    }
  }
  return osPickedPort()
}

function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('freeLoopbackPort: the server has no TCP address'))
        return
      }
      const { port } = address
      server.close((err) => (err ? reject(err) : resolve(port)))
    })
  })
}

/** Whether a TCP port on 127.0.0.1 can be bound right now. */
export function loopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
