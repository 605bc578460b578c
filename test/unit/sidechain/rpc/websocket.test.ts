// JSON-RPC over a raw WebSocket on the HTTP port: requests and batches, eth_subscribe newHeads / logs /
// newPendingTransactions, eth_unsubscribe, and the node listener released when the socket closes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { toHex } from '../../../../spv/base/bytes.js'
import { startRpcServer, type RpcServer } from '../../../../sidechain/rpc/index.js'
import { pollUntil } from '../../../../io/poll.js'
import { RECIPIENT, TOKEN, fakeChain, signedTx, type FakeNode } from '../../../helpers/fake-node.js'

let node: FakeNode
let server: RpcServer
const open: Client[] = []

beforeAll(async () => {
  node = fakeChain()
  server = await startRpcServer({ api: node, port: 0, limits: { maxBodyBytes: 10_000 } })
})

afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

afterAll(async () => {
  await server.close()
})

/** A WebSocket JSON-RPC client that records every message it receives. */
class Client {
  readonly messages: any[] = [] // JSON from the wire
  private nextId = 1
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString())))
  }

  static async connect(url = server.wsUrl): Promise<Client> {
    const ws = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const client = new Client(ws)
    open.push(client)
    return client
  }

  async call(method: string, params: unknown[] = []): Promise<any> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    await until(() => this.messages.some((m) => m.id === id))
    return this.messages.find((m) => m.id === id)
  }

  notifications(subscription: string): unknown[] {
    return this.messages.filter((m) => m.method === 'eth_subscription' && m.params.subscription === subscription).map((m) => m.params.result)
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    const closed = new Promise((resolve) => this.ws.once('close', resolve))
    this.ws.close()
    await closed
  }
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  await pollUntil('the condition', () => condition() || undefined, { timeoutMs: ms, intervalMs: 5 })
}

const quiet = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('requests over WebSocket', () => {
  it('answers single requests, batches and errors', async () => {
    const c = await Client.connect()
    expect(await c.call('eth_chainId')).toEqual({ jsonrpc: '2.0', id: 1, result: '0x43415553' })
    c.ws.send(JSON.stringify([{ jsonrpc: '2.0', id: 'x', method: 'eth_blockNumber' }, { jsonrpc: '2.0', id: 'y', method: 'nope' }]))
    await until(() => c.messages.some(Array.isArray))
    const batch = c.messages.find(Array.isArray)!
    expect(batch.map((m: { id: string }) => m.id)).toEqual(['x', 'y'])
    expect(batch[1].error.code).toBe(-32601)
    c.ws.send('not json')
    await until(() => c.messages.some((m) => m.error?.code === -32700))
  })

  it('refuses upgrades on other paths and closes sockets that send oversized messages', async () => {
    await expect(Client.connect(server.wsUrl + 'other')).rejects.toThrow(/404/)
    const c = await Client.connect()
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)))
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: ['0x' + 'ab'.repeat(10_000)] }))
    expect(await closed).toBe(1009) // RFC 6455: message too big
  })
})

describe('subscriptions', () => {
  it('sends newHeads with the header of each new block until unsubscribed', async () => {
    const c = await Client.connect()
    const listeners = node.listenerCount
    const { result: id } = await c.call('eth_subscribe', ['newHeads'])
    expect(id).toMatch(/^0x[0-9a-f]{32}$/)
    expect(node.listenerCount).toBe(listeners + 1)
    const block = node.mine([])
    await until(() => c.notifications(id).length === 1)
    const head = c.notifications(id)[0] as Record<string, unknown>
    expect(head['hash']).toBe(toHex(block.hash()))
    expect(head['number']).toBe(`0x${block.header.number.toString(16)}`)
    expect(head['transactions']).toBeUndefined()
    expect((await c.call('eth_unsubscribe', [id])).result).toBe(true)
    expect((await c.call('eth_unsubscribe', [id])).result).toBe(false)
    expect(node.listenerCount).toBe(listeners)
    node.mine([])
    await quiet()
    expect(c.notifications(id)).toHaveLength(1)
  })

  it('sends only the logs matching the address and topics', async () => {
    const c = await Client.connect()
    const { result: all } = await c.call('eth_subscribe', ['logs', {}])
    const { result: token } = await c.call('eth_subscribe', ['logs', { address: [toHex(TOKEN)] }])
    const { result: none } = await c.call('eth_subscribe', ['logs', { address: toHex(RECIPIENT) }])
    const nonce = Number(await node.getTransactionCount(node.blocks[1]!.transactions[0]!.getSenderAddress().bytes, node.blockNumber()))
    const block = node.mine([signedTx(nonce, '1559', TOKEN), signedTx(nonce + 1, '2930', TOKEN)])
    await until(() => c.notifications(token).length === 2)
    expect(c.notifications(all)).toHaveLength(2)
    expect(c.notifications(none)).toHaveLength(0)
    expect(c.notifications(token)).toMatchObject([
      { blockHash: toHex(block.hash()), logIndex: '0x0', removed: false },
      { blockHash: toHex(block.hash()), logIndex: '0x1', removed: false },
    ])
  })

  it('sends pending transaction hashes, and full transactions when asked', async () => {
    const c = await Client.connect()
    const { result: hashes } = await c.call('eth_subscribe', ['newPendingTransactions'])
    const { result: full } = await c.call('eth_subscribe', ['newPendingTransactions', true])
    const tx = signedTx(50)
    node.addPending(tx)
    await until(() => c.notifications(hashes).length === 1 && c.notifications(full).length === 1)
    expect(c.notifications(hashes)).toEqual([toHex(tx.hash())])
    expect(c.notifications(full)[0]).toMatchObject({ hash: toHex(tx.hash()), blockHash: null, nonce: '0x32' })
  })

  it('refuses unknown subscription types with a message naming them', async () => {
    const c = await Client.connect()
    const { error } = await c.call('eth_subscribe', ['syncing'])
    expect(error.code).toBe(-32602)
    expect(error.message).toContain('unsupported subscription type "syncing"')
  })

  it('releases the node listener when the socket closes', async () => {
    const listeners = node.listenerCount
    const c = await Client.connect()
    await c.call('eth_subscribe', ['newHeads'])
    await c.call('eth_subscribe', ['logs', { topics: [null] }])
    expect(node.listenerCount).toBe(listeners + 1)
    await c.close()
    await until(() => node.listenerCount === listeners)
  })

  it('closes subscribers when the server closes', async () => {
    const own = await startRpcServer({ api: node, port: 0 })
    const listeners = node.listenerCount
    const c = await Client.connect(own.wsUrl)
    await c.call('eth_subscribe', ['newHeads'])
    const closed = new Promise((resolve) => c.ws.once('close', resolve))
    await own.close()
    await closed
    expect(node.listenerCount).toBe(listeners)
  })
})
