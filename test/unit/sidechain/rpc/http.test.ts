// The JSON-RPC envelope over real HTTP: batches, notifications, every EIP-1474 error with a message naming the
// bad param, limits, internal errors that leave the server serving, poll filters, /health and /metrics.
import { Gauge, Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../../spv/base/bytes.js'
import { createRpcMetrics, startRpcServer, type RpcServer } from '../../../../sidechain/rpc/index.js'
import { CHAIN_ID, SENDER, TOKEN, TRANSFER_TOPIC, fakeChain, signedTx, type FakeNode } from '../../../helpers/fake-node.js'

let node: FakeNode
let server: RpcServer
const registry = new Registry()

beforeAll(async () => {
  node = fakeChain()
  new Gauge({ name: 'causeway_block_height', help: 'head', registers: [registry], collect() { this.set(Number(node.blockNumber())) } })
  server = await startRpcServer({ api: node, port: 0, registry, limits: { maxBatch: 5, maxBodyBytes: 64 * 1024 }, extras: { peerCount: () => 2 } })
})

afterAll(async () => {
  await server.close()
})

afterEach(() => {
  node.hooks = {}
})

interface Reply {
  status: number
  body: any // JSON from the wire
}

async function post(body: unknown): Promise<Reply> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
}

async function call(method: string, params: unknown[] = []): Promise<any> {
  return (await post({ jsonrpc: '2.0', id: 1, method, params })).body
}

describe('the envelope', () => {
  it('answers a batch in order, leaving out notifications', async () => {
    const { status, body } = await post([
      { jsonrpc: '2.0', id: 'a', method: 'eth_chainId' },
      { jsonrpc: '2.0', method: 'eth_blockNumber' },
      { jsonrpc: '2.0', id: 7, method: 'net_version', params: [] },
      { jsonrpc: '2.0', id: null, method: 'nope_nope' },
    ])
    expect(status).toBe(200)
    expect(body).toEqual([
      { jsonrpc: '2.0', id: 'a', result: toHex(new Uint8Array([0x43, 0x41, 0x55, 0x53])) },
      { jsonrpc: '2.0', id: 7, result: CHAIN_ID.toString(10) },
      { jsonrpc: '2.0', id: null, error: { code: -32601, message: 'the method nope_nope does not exist/is not available' } },
    ])
  })

  it('sends nothing back for notifications only', async () => {
    expect(await post({ jsonrpc: '2.0', method: 'eth_chainId' })).toEqual({ status: 204, body: undefined })
  })

  it('answers parse errors and invalid requests with -32700 and -32600', async () => {
    expect((await post('{"jsonrpc": "2.0", ')).body).toMatchObject({ id: null, error: { code: -32700 } })
    expect((await post([])).body).toMatchObject({ id: null, error: { code: -32600, message: 'invalid request: empty batch' } })
    expect((await post(42)).body).toMatchObject({ id: null, error: { code: -32600 } })
    expect((await post({ id: 3, method: 'eth_chainId' })).body).toMatchObject({ id: 3, error: { code: -32600 } })
    expect((await post({ jsonrpc: '2.0', id: {}, method: 'eth_chainId' })).body).toMatchObject({ id: null, error: { code: -32600 } })
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'eth_chainId', params: { a: 1 } })).body).toMatchObject({
      id: 4,
      error: { code: -32602 },
    })
    expect((await post([1, { jsonrpc: '2.0', id: 5, method: 'eth_chainId' }])).body).toMatchObject([
      { id: null, error: { code: -32600 } },
      { id: 5, result: '0x43415553' },
    ])
  })

  it('bounds the batch length and the body size, each with a clear error', async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' }))
    expect((await post(six)).body).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32005, message: 'batch too large: 6 requests, limit 5' },
    })
    const big = await post({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: ['0x' + 'ab'.repeat(40_000)] })
    expect(big.status).toBe(413)
    expect(big.body.error).toEqual({ code: -32005, message: 'request body too large: limit 65536 bytes' })
  })

  it('hides an unexpected exception behind -32603 and keeps serving', async () => {
    node.hooks.getBalance = () => Promise.reject(new TypeError('boom in the store'))
    expect(await call('eth_getBalance', [toHex(SENDER), 'latest'])).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'internal error' },
    })
    node.hooks.blockNumber = () => {
      throw new Error('synchronous failure')
    }
    expect((await call('eth_blockNumber')).error.code).toBe(-32603)
    node.hooks = {}
    expect((await call('eth_getBalance', [toHex(SENDER), 'latest'])).result).toBe('0x3635c9adc5dea00000')
  })
})

describe('params', () => {
  const cases: [string, unknown[], number, string][] = [
    ['eth_getBalance', ['0x1234', 'latest'], -32602, 'invalid address: expected a 20-byte address, got 2 bytes'],
    ['eth_getBalance', [toHex(SENDER), '0x01'], -32602, 'invalid block: hex number with leading zero digits'],
    ['eth_getBalance', [toHex(SENDER), 'newest'], -32602, 'invalid block: expected a hex block number or one of'],
    ['eth_getBalance', [], -32602, 'missing value for required argument 0 (address)'],
    ['eth_blockNumber', [1], -32602, 'too many arguments, want at most 0'],
    ['eth_getBlockByHash', ['0xabc', false], -32602, 'invalid block hash: hex string of odd length'],
    ['eth_getBlockByNumber', ['latest', 'yes'], -32602, 'invalid full transactions: expected true or false'],
    ['eth_call', [{ to: toHex(TOKEN), gas: '0x0100' }], -32602, 'invalid transaction.gas: hex number with leading zero digits'],
    ['eth_call', [{ to: toHex(TOKEN), gasPrice: '0x1', maxFeePerGas: '0x2' }], -32602, 'both gasPrice and'],
    ['eth_getLogs', [{ topics: [['0x12']] }], -32602, 'invalid filter.topics[0][0]: expected a 32-byte hash, got 1 bytes'],
    ['eth_getLogs', [{ blockHash: toHex(new Uint8Array(32)), fromBlock: '0x1' }], -32602, 'cannot specify both blockHash'],
    ['eth_getLogs', [{ fromBlock: '0x2', toBlock: '0x1' }], -32602, 'invalid block range'],
    ['eth_sendRawTransaction', ['0xzz'], -32602, 'invalid transaction: invalid hex string'],
    ['eth_feeHistory', ['0x2', 'latest', [50, 10]], -32602, 'non-monotonic reward percentile'],
    ['eth_getBalance', [toHex(SENDER), '0x63'], -32001, 'block 99 is past the head'],
    ['eth_getLogs', [{ blockHash: toHex(new Uint8Array(32)) }], -32001, 'unknown block'],
    ['eth_subscribe', ['newHeads'], -32601, 'notifications not supported'],
    ['eth_sendTransaction', [{}], -32004, 'the node holds no keys'],
    ['eth_getFilterChanges', ['0x1234'], -32000, 'filter not found'],
  ]
  it.each(cases)('%s %j → %i', async (method, params, code, message) => {
    const { error } = await call(method, params)
    expect(error.code).toBe(code)
    expect(error.message).toContain(message)
  })
})

describe('methods', () => {
  it('answers identity, sync, supply and fee methods', async () => {
    expect((await call('web3_sha3', ['0x'])).result).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
    expect((await call('web3_clientVersion')).result).toBe('causeway/v0.1.0-test')
    expect((await call('net_peerCount')).result).toBe('0x2')
    expect((await call('eth_accounts')).result).toEqual([])
    expect((await call('eth_syncing')).result).toBe(false)
    expect((await call('causeway_supply')).result).toEqual({
      totalWei: '0x29a2241af62c0000',
      peggedWei: '0xde0b6b3a7640000',
      unpeggedWei: '0x1bc16d674ec80000',
    })
    expect((await call('eth_feeHistory', [2, 'latest', [25, 75]])).result).toEqual({
      oldestBlock: '0x1',
      baseFeePerGas: ['0x3b9aca00', '0x3b9aca00', '0x3b9aca00'],
      gasUsedRatio: [0.5, 0.5],
      reward: [
        ['0x3b9aca00', '0x3b9aca00'],
        ['0x3b9aca00', '0x3b9aca00'],
      ],
    })
  })

  it('resolves tags: unknown blocks are null, safe and finalized are the final block', async () => {
    expect((await call('eth_getBlockByNumber', ['0x63', false])).result).toBeNull()
    expect((await call('eth_getBlockByNumber', ['finalized', false])).result.number).toBe('0x1')
    expect((await call('eth_getBlockByNumber', ['safe', false])).result.number).toBe('0x1')
    expect((await call('eth_getBlockByNumber', ['earliest', false])).result.number).toBe('0x0')
    expect((await call('eth_getBlockTransactionCountByNumber', ['0x2'])).result).toBe('0x2')
    expect((await call('eth_getBlockReceipts', [{ blockHash: toHex(node.blocks[2]!.hash()) }])).result).toHaveLength(2)
    expect((await call('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x5'])).result).toBeNull()
  })

  it('formats a block as geth does', async () => {
    const block = (await call('eth_getBlockByNumber', ['0x1', false])).result
    expect(Object.keys(block).sort()).toEqual(
      [
        'baseFeePerGas', 'blobGasUsed', 'difficulty', 'excessBlobGas', 'extraData', 'gasLimit', 'gasUsed', 'hash',
        'logsBloom', 'miner', 'mixHash', 'nonce', 'number', 'parentBeaconBlockRoot', 'parentHash', 'receiptsRoot',
        'requestsHash', 'sha3Uncles', 'size', 'stateRoot', 'timestamp', 'totalDifficulty', 'transactions',
        'transactionsRoot', 'uncles', 'withdrawals', 'withdrawalsRoot',
      ].sort(),
    )
    expect(block.size).toBe(`0x${node.blocks[1]!.serialize().length.toString(16)}`)
    expect(block.nonce).toBe('0x0000000000000000')
    expect(block.extraData).toBe('0xca')
  })

  it('answers eth_getProof with hex fields', async () => {
    const proof = (await call('eth_getProof', [toHex(TOKEN), ['0x1'], 'latest'])).result
    expect(proof.storageProof).toEqual([{ key: '0x' + '00'.repeat(31) + '01', value: '0x9', proof: ['0xe2'] }])
    expect(proof.nonce).toBe('0x3')
  })
})

describe('poll filters', () => {
  it('reports each new block hash once', async () => {
    const id = (await call('eth_newBlockFilter')).result as string
    expect((await call('eth_getFilterChanges', [id])).result).toEqual([])
    const a = node.mine([])
    const b = node.mine([])
    expect((await call('eth_getFilterChanges', [id])).result).toEqual([toHex(a.hash()), toHex(b.hash())])
    expect((await call('eth_getFilterChanges', [id])).result).toEqual([])
    expect((await call('eth_uninstallFilter', [id])).result).toBe(true)
    expect((await call('eth_uninstallFilter', [id])).result).toBe(false)
    expect((await call('eth_getFilterChanges', [id])).error).toEqual({ code: -32000, message: 'filter not found' })
  })

  it('reports new matching logs once, and all of them with eth_getFilterLogs', async () => {
    const id = (await call('eth_newFilter', [{ fromBlock: '0x0', address: toHex(TOKEN), topics: [toHex(TRANSFER_TOPIC)] }])).result
    const nonce = Number(await node.getTransactionCount(SENDER, node.blockNumber()))
    node.mine([signedTx(nonce, '1559', TOKEN), signedTx(nonce + 1, 'legacy')])
    const changes = (await call('eth_getFilterChanges', [id])).result
    expect(changes).toHaveLength(1)
    expect(changes[0].address).toBe(toHex(TOKEN))
    expect((await call('eth_getFilterChanges', [id])).result).toEqual([])
    expect((await call('eth_getFilterLogs', [id])).result).toHaveLength(3)
  })

  it('reports pending transaction hashes', async () => {
    const id = (await call('eth_newPendingTransactionFilter')).result
    const hash = node.addPending(signedTx(99))
    expect((await call('eth_getFilterChanges', [id])).result).toEqual([toHex(hash)])
    expect((await call('eth_uninstallFilter', [id])).result).toBe(true)
  })
})

describe('/health and /metrics', () => {
  it('reports the chain state', async () => {
    const res = await fetch(new URL('/health', server.url))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      ok: true,
      chainId: Number(CHAIN_ID),
      head: Number(node.blockNumber()),
      finalized: 1,
      syncing: false,
      peers: 2,
    })
  })

  it('exposes the RPC latency histogram and the gauges registered by the node', async () => {
    await call('eth_chainId')
    const res = await fetch(new URL('/metrics', server.url))
    const text = await res.text()
    expect(res.headers.get('content-type')).toContain('text/plain')
    expect(text).toMatch(/causeway_rpc_request_duration_seconds_bucket\{le="0\.005",method="eth_chainId"\} \d+/)
    expect(text).toMatch(/causeway_rpc_requests_total\{method="eth_chainId",outcome="ok"\} \d+/)
    expect(text).toMatch(/causeway_rpc_requests_total\{method="unknown",outcome="error"\} \d+/)
    expect(text).toContain(`causeway_block_height ${node.blockNumber()}`)
  })

  it('shares one registry between servers: a second createRpcMetrics reuses the metrics', () => {
    const again = createRpcMetrics(registry)
    expect(again.registry).toBe(registry)
    again.observe('eth_chainId', 0.001, 'ok')
  })

  it('lets browser pages call it: CORS on JSON-RPC answers and on preflights', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://wallet.example' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }),
    })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('content-type')).toContain('application/json')
    const pre = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://wallet.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('refuses a chunked body over the limit with 413', async () => {
    const big = new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: ['0x' + 'ab'.repeat(40_000)] }))
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < big.length; i += 8192) c.enqueue(big.subarray(i, i + 8192))
        c.close()
      },
    })
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32005)
    expect((await call('eth_chainId')).result).toBeDefined()
  })

  it('answers other paths with 404', async () => {
    expect((await fetch(new URL('/nope', server.url))).status).toBe(404)
  })
})
