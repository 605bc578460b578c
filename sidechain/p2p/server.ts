// The peer-to-peer HTTP endpoint of a node (its own port, loopback by default): consensus messages in, forwarded
// transactions in, and status and final blocks out for peers and syncing full nodes. Final blocks are
// self-certifying (their certificates), so reading them needs no authentication; consensus messages are checked
// by the engine against the validator set.
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { createAdaptorServer } from '@hono/node-server'
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { fromWire, type SignedMessage } from '../consensus/messages.js'
import { encodeCertificate } from '../consensus/certificate.js'
import type { Node } from '../node/node.js'

export interface P2pHandlers {
  /** A consensus message (validators only); resolves when handled, throws a coded error when refused. */
  readonly onMessage?: (message: SignedMessage) => Promise<void>
  /** Raw transactions forwarded by a peer: admitted to the local pool without forwarding them again. */
  readonly onTxs: (raws: readonly Uint8Array[]) => Promise<{ accepted: number; rejected: number }>
}

export interface P2pServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const MAX_BODY = 8 * 1024 * 1024
const MAX_BLOCKS = 64

export async function startP2pServer(opts: { node: Node; host: string; port: number; handlers: P2pHandlers; logger: Logger }): Promise<P2pServer> {
  const { node, handlers, logger } = opts
  const app = new Hono()
  const refuse = (code: string, message: string, status: 400 | 413 | 404 = 400) =>
    new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json' } })

  // The limit is enforced while reading (issue 12): a chunked body has no content-length, so reading it whole
  // first let one request grow the heap by its full size. Past MAX_BODY the stream is cancelled and 413 answered.
  async function body(c: { req: { raw: Request } }): Promise<unknown> {
    const length = Number(c.req.raw.headers.get('content-length') ?? '0')
    if (length > MAX_BODY) throw new CausewayError('P2P_TOO_LARGE', `body over ${MAX_BODY} bytes`)
    const stream = c.req.raw.body
    const chunks: Uint8Array[] = []
    let size = 0
    if (stream !== null) {
      const reader = stream.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.byteLength
        if (size > MAX_BODY) {
          await reader.cancel().catch(() => undefined)
          throw new CausewayError('P2P_TOO_LARGE', `body over ${MAX_BODY} bytes`)
        }
        chunks.push(value)
      }
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      throw new CausewayError('P2P_MALFORMED', 'body is not JSON')
    }
  }

  app.post('/p2p/message', async (c) => {
    if (handlers.onMessage === undefined) return refuse('P2P_NOT_VALIDATOR', 'this node takes no consensus messages', 404)
    try {
      const message = fromWire(await body(c))
      await handlers.onMessage(message)
      return c.json({ ok: true })
    } catch (e) {
      if (e instanceof CausewayError) return refuse(e.code, e.message, e.code === 'P2P_TOO_LARGE' ? 413 : 400)
      logger.error({ err: e }, 'consensus message handling failed')
      return refuse('P2P_INTERNAL', 'internal error')
    }
  })

  app.post('/p2p/txs', async (c) => {
    try {
      const b = (await body(c)) as { txs?: unknown }
      if (!Array.isArray(b.txs) || b.txs.length > 1000) return refuse('P2P_MALFORMED', 'expected { txs: [hex…] } with at most 1000 entries')
      const raws = b.txs.map((t, i) => hexToBytes(String(t), `txs[${i}]`))
      return c.json(await handlers.onTxs(raws))
    } catch (e) {
      if (e instanceof CausewayError) return refuse(e.code, e.message, e.code === 'P2P_TOO_LARGE' ? 413 : 400)
      throw e
    }
  })

  app.get('/p2p/status', (c) => {
    const head = node.chain.head()
    return c.json({ chainId: `0x${node.chainId.toString(16)}`, height: `0x${head.number.toString(16)}`, hash: toHex(head.hash) })
  })

  app.get('/p2p/blocks', async (c) => {
    const from = c.req.query('from') ?? ''
    const limitText = c.req.query('limit') ?? '16'
    if (!/^\d+$/.test(from) || !/^\d+$/.test(limitText)) return refuse('P2P_MALFORMED', 'from and limit must be decimal integers')
    const limit = Math.min(Number(limitText), MAX_BLOCKS)
    const blocks: { block: string; certificate: string }[] = []
    for (let n = BigInt(from); n <= node.chain.head().number && blocks.length < limit; n++) {
      const block = await node.chain.getBlock(n)
      const cert = await node.chain.getCertificate(n)
      if (block === undefined || cert === undefined) break
      blocks.push({ block: toHex(block.serialize()), certificate: toHex(encodeCertificate(cert)) })
    }
    return c.json({ blocks })
  })

  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (e) => logger.error({ err: e }, 'p2p server error'))
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : opts.port
  logger.info({ host: opts.host, port }, 'p2p listening')
  return {
    url: `http://${opts.host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
