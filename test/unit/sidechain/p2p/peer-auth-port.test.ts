// Attacks on the p2p port's authentication (ARCHITECTURE decision 8), through a real server on a real socket:
// a consensus message reaches the engine only when a current validator signed the request, within ±30 s.
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startP2pServer, type P2pServer } from '../../../../sidechain/p2p/server.js'
import { PeerClient } from '../../../../sidechain/p2p/peer-client.js'
import { peerKeyOf, signRequest } from '../../../../sidechain/p2p/peer-auth.js'
import { signMessage, toWire, type SignedMessage } from '../../../../sidechain/consensus/messages.js'
import type { Node } from '../../../../sidechain/node/node.js'

const key = (b: number) => peerKeyOf(new Uint8Array(32).fill(b))
const [v0, v1, outsider] = [key(1), key(2), key(9)]
const members = [v0.publicKey, v1.publicKey]

const message = signMessage({ type: 'prevote', chainId: 7n, height: 1n, round: 0, from: 1, payload: [new Uint8Array(32)] }, v1.privateKey)
const body = JSON.stringify(toWire(message))
const bytes = (s: string) => new TextEncoder().encode(s)

let server: P2pServer
let clock = Date.now()
const received: SignedMessage[] = []
let txBatches = 0

async function post(path: string, text: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
  const r = await fetch(new URL(path, server.url), { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } })
  return { status: r.status, json: (await r.json()) as { error?: { code: string; message: string } } }
}

beforeAll(async () => {
  server = await startP2pServer({
    node: {} as Node,
    host: '127.0.0.1',
    port: 0,
    members,
    now: () => clock,
    logger: pino({ level: 'silent' }),
    handlers: {
      onMessage: async (m) => {
        received.push(m)
      },
      onTxs: async (raws) => {
        txBatches++
        return { accepted: raws.length, rejected: 0 }
      },
    },
  })
})
afterAll(() => server.close())

describe('p2p port authentication', () => {
  it('refuses an unsigned consensus message with 401 and never handles it', async () => {
    const r = await post('p2p/message', body)
    expect(r.status).toBe(401)
    expect(r.json.error?.code).toBe('P2P_UNAUTHENTICATED')
    expect(received).toHaveLength(0)
  })

  it('refuses a message signed by a key outside the federation', async () => {
    // The consensus message itself is a validator's (captured, say); the request signer is not.
    const r = await post('p2p/message', body, signRequest(outsider, { method: 'POST', path: '/p2p/message', body: bytes(body), timeMs: clock }))
    expect(r.status).toBe(401)
    expect(r.json.error?.code).toBe('P2P_UNAUTHENTICATED')
    expect(r.json.error?.message).toContain('not a federation member')
    expect(received).toHaveLength(0)
  })

  it("refuses a member's signature on another body or path", async () => {
    const other = JSON.stringify(toWire({ ...message, height: 2n }))
    const headers = signRequest(v0, { method: 'POST', path: '/p2p/message', body: bytes(body), timeMs: clock })
    expect((await post('p2p/message', other, headers)).status).toBe(401)
    const forTxs = signRequest(v0, { method: 'POST', path: '/p2p/txs', body: bytes(body), timeMs: clock })
    expect((await post('p2p/message', body, forTxs)).status).toBe(401)
    expect(received).toHaveLength(0)
  })

  it('takes a correctly signed message, and refuses the same request replayed 31 s later', async () => {
    const headers = signRequest(v0, { method: 'POST', path: '/p2p/message', body: bytes(body), timeMs: clock })
    const first = await post('p2p/message', body, headers)
    expect(first.status).toBe(200)
    expect(received).toHaveLength(1)
    expect(received[0]!.from).toBe(1)
    clock += 31_000
    const replay = await post('p2p/message', body, headers)
    expect(replay.status).toBe(401)
    expect(replay.json.error?.code).toBe('P2P_UNAUTHENTICATED')
    expect(replay.json.error?.message).toContain('outside ±30 s')
    expect(received).toHaveLength(1)
  })

  it("reaches the handler from a validator's PeerClient, not from a full node's", async () => {
    const validator = new PeerClient(server.url, { key: v1, now: () => clock })
    const fullNode = new PeerClient(server.url)
    try {
      expect(await validator.send(message)).toBe(true)
      expect(received).toHaveLength(2)
      expect(await fullNode.send(message)).toBe(false)
      expect(received).toHaveLength(2)
      // Both may forward transactions: signed ones verify, unsigned ones are taken as before.
      expect(await validator.forwardTxs([new Uint8Array([1])])).toBe(true)
      expect(await fullNode.forwardTxs([new Uint8Array([1])])).toBe(true)
      expect(txBatches).toBe(2)
    } finally {
      validator.close()
      fullNode.close()
    }
  })

  it('takes unsigned forwarded transactions but refuses a signature that does not verify', async () => {
    const txs = JSON.stringify({ txs: ['0x01'] })
    const before = txBatches
    expect((await post('p2p/txs', txs)).status).toBe(200)
    const bad = await post('p2p/txs', txs, signRequest(outsider, { method: 'POST', path: '/p2p/txs', body: bytes(txs), timeMs: clock }))
    expect(bad.status).toBe(401)
    expect(bad.json.error?.code).toBe('P2P_UNAUTHENTICATED')
    // One header alone counts as an attempt at signing, and fails.
    expect((await post('p2p/txs', txs, { 'x-causeway-peer': `0x${'00'.repeat(33)}` })).status).toBe(401)
    expect(txBatches).toBe(before + 1)
  })
})
