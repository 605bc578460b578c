// The peer-to-peer HTTP endpoint of a node (its own port, loopback by default): consensus messages in, forwarded
// transactions in, and status and final blocks out for peers and syncing full nodes.
//
// Who may send what (ARCHITECTURE decision 8; the scheme is in peer-auth.ts):
// - POST /p2p/message takes consensus messages only from a current validator signing the request with its
//   validator key, within ±30 s of our clock; anything else is answered 401 P2P_UNAUTHENTICATED before the message
//   is parsed. (The engine checks each message's own signature too; this keeps strangers from making the node
//   parse and verify blocks at all.) The body is read first, bounded as below, since the signature covers its hash.
// - POST /p2p/txs verifies the signature when one is present (401 if it does not verify), but also takes unsigned
//   requests: full nodes hold no federation key and must still forward their users' transactions. An unsigned
//   request is bounded as before — 8 MiB, 1000 transactions — and each transaction is checked by the pool like one
//   sent over JSON-RPC, so it gives an outsider nothing the public RPC port does not.
// - GET endpoints are open: final blocks are self-certifying (their certificates), status is public.
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { createAdaptorServer } from '@hono/node-server'
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { fromWire, type SignedMessage } from '../consensus/messages.js'
import { hasAuthHeaders, verifyRequest } from './peer-auth.js'
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
/** An answer of final blocks stops growing past this many bytes of hex (always one block at least). */
export const MAX_BLOCKS_ANSWER_BYTES = 32 * 1024 * 1024

export interface P2pServerOptions {
  readonly node: Node
  readonly host: string
  readonly port: number
  readonly handlers: P2pHandlers
  /** The validators' compressed public keys, by index: the peers whose signed requests are authenticated. */
  readonly members: readonly Uint8Array[]
  readonly logger: Logger
  /** The clock requests' times are checked against (tests); default Date.now. */
  readonly now?: () => number
}

export async function startP2pServer(opts: P2pServerOptions): Promise<P2pServer> {
  const { node, handlers, logger, members } = opts
  const now = opts.now ?? Date.now
  const app = new Hono()
  const refuse = (code: string, message: string, status: 400 | 401 | 413 | 404 = 400) =>
    new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json' } })

  // The limit is enforced while reading (issue 12): a chunked body has no content-length, so reading it whole
  // first let one request grow the heap by its full size. Past MAX_BODY the stream is cancelled and 413 answered.
  async function readBody(c: { req: { raw: Request } }): Promise<Uint8Array> {
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
    return Buffer.concat(chunks)
  }

  function json(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
    } catch {
      throw new CausewayError('P2P_MALFORMED', 'body is not JSON')
    }
  }

  /** Throws P2P_UNAUTHENTICATED unless the request is signed by a member over this body. */
  function authenticate(c: { req: { raw: Request } }, body: Uint8Array): number {
    return verifyRequest(c.req.raw.headers, { method: 'POST', path: new URL(c.req.raw.url).pathname, body, nowMs: now(), members })
  }

  const status = (code: string) => (code === 'P2P_TOO_LARGE' ? 413 : code === 'P2P_UNAUTHENTICATED' ? 401 : 400)

  app.post('/p2p/message', async (c) => {
    if (handlers.onMessage === undefined) return refuse('P2P_NOT_VALIDATOR', 'this node takes no consensus messages', 404)
    try {
      const body = await readBody(c)
      authenticate(c, body)
      await handlers.onMessage(fromWire(json(body)))
      return c.json({ ok: true })
    } catch (e) {
      if (e instanceof CausewayError) return refuse(e.code, e.message, status(e.code))
      logger.error({ err: e }, 'consensus message handling failed')
      return refuse('P2P_INTERNAL', 'internal error')
    }
  })

  app.post('/p2p/txs', async (c) => {
    try {
      const body = await readBody(c)
      // Signed by a validator, or not signed at all (a full node forwarding); a signature that fails is refused.
      if (hasAuthHeaders(c.req.raw.headers)) authenticate(c, body)
      const b = json(body) as { txs?: unknown }
      if (!Array.isArray(b.txs) || b.txs.length > 1000) return refuse('P2P_MALFORMED', 'expected { txs: [hex…] } with at most 1000 entries')
      const raws = b.txs.map((t, i) => hexToBytes(String(t), `txs[${i}]`))
      return c.json(await handlers.onTxs(raws))
    } catch (e) {
      if (e instanceof CausewayError) return refuse(e.code, e.message, status(e.code))
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
    let bytes = 0
    for (let n = BigInt(from); n <= node.chain.head().number && blocks.length < limit && bytes < MAX_BLOCKS_ANSWER_BYTES; n++) {
      const block = await node.chain.getBlock(n)
      const cert = await node.chain.getCertificate(n)
      if (block === undefined || cert === undefined) break
      const entry = { block: toHex(block.serialize()), certificate: toHex(encodeCertificate(cert)) }
      bytes += entry.block.length + entry.certificate.length
      blocks.push(entry)
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
