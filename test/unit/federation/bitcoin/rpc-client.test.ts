// The Bitcoin RPC client against a tiny local HTTP server that answers as Bitcoin Core or bcoin would: auth,
// error mapping (node errors, HTTP errors, garbage, timeouts, refused connections), the Core/bcoin differences
// it smooths over, and the acceptance check of sendRawTransaction.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Transaction } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BitcoinRpcClient, btcToSats } from '../../../../federation/bitcoin/rpc-client.js'
import { freePort } from '../../../helpers/ports.js'

type Reply = { status?: number; body?: unknown; raw?: string } | 'hang'
type Handler = (method: string, params: unknown[], auth: string | undefined) => Reply

let handler: Handler = () => ({ body: { result: null, error: null } })
const seen: { method: string; params: unknown[] }[] = []
let server: http.Server
let url: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = ''
    req.on('data', (c: Buffer) => (data += c.toString()))
    req.on('end', () => {
      const { method, params, id } = JSON.parse(data) as { method: string; params: unknown[]; id: number }
      seen.push({ method, params })
      const reply = handler(method, params, req.headers.authorization)
      if (reply === 'hang') return // never answers
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
      res.end(reply.raw ?? JSON.stringify({ id, ...(reply.body as object) }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const ok = (result: unknown): Reply => ({ body: { result, error: null } })
const rpcError = (code: number, message: string, status = 500): Reply => ({ status, body: { result: null, error: { code, message } } })
const client = (options: { timeoutMs?: number } = {}) => new BitcoinRpcClient({ url, password: 'key', ...options })

/** A small valid transaction and its txid (display order). */
function sampleTx(): { raw: Uint8Array; txid: string } {
  const tx = new Transaction()
  tx.addInput(new Uint8Array(32).fill(1), 0)
  tx.addOutput(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(2)), 50_000n)
  return { raw: tx.toBuffer(), txid: tx.getId() }
}

describe('transport and errors', () => {
  it('sends basic auth; credentials in the URL become the header and leave the URL', async () => {
    let auth: string | undefined
    handler = (_m, _p, a) => {
      auth = a
      return ok(7)
    }
    expect(await new BitcoinRpcClient({ url, username: 'u', password: 'p' }).getBlockCount()).toBe(7)
    expect(auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)
    const fromUrl = new BitcoinRpcClient({ url: url.replace('http://', 'http://alice:s%40cret@') })
    expect(fromUrl.url).toBe(url)
    await fromUrl.getBlockCount()
    expect(auth).toBe(`Basic ${Buffer.from('alice:s@cret').toString('base64')}`)
  })

  it("maps the node's JSON-RPC error (Core sends it with HTTP 500) to BTC_RPC_ERROR with its code and message", async () => {
    handler = () => rpcError(-8, 'Block height out of range')
    await expect(client().getBlockHash(99)).rejects.toMatchObject({
      code: 'BTC_RPC_ERROR',
      details: { method: 'getblockhash', rpcCode: -8, rpcMessage: 'Block height out of range' },
    })
    handler = () => rpcError(-32601, 'Method not found', 404)
    await expect(client().call('nosuch')).rejects.toMatchObject({ code: 'BTC_RPC_ERROR', details: { rpcCode: -32601 } })
    handler = () => rpcError(-1, 'bcoin answers errors with HTTP 200', 200)
    await expect(client().call('x')).rejects.toMatchObject({ code: 'BTC_RPC_ERROR', details: { rpcCode: -1 } })
  })

  it('HTTP 401/403 is BTC_RPC_UNAUTHORIZED; a body that is not JSON-RPC is BTC_RPC_BAD_RESPONSE', async () => {
    handler = () => ({ status: 401, raw: '' })
    await expect(client().getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNAUTHORIZED', details: { status: 401 } })
    handler = () => ({ status: 502, raw: '<html>Bad gateway</html>' })
    await expect(client().getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_BAD_RESPONSE', details: { status: 502 } })
    handler = () => ({ raw: '[1,2]' })
    await expect(client().getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_BAD_RESPONSE' })
    handler = () => ok('seven')
    await expect(client().getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_BAD_RESPONSE' })
    handler = () => ok('00'.repeat(79))
    await expect(client().getBlockHeaderRaw('ab'.repeat(32))).rejects.toMatchObject({ code: 'BTC_RPC_BAD_RESPONSE' })
  })

  it('no answer within the timeout, or nobody listening, is BTC_RPC_UNREACHABLE', async () => {
    handler = () => 'hang'
    await expect(client({ timeoutMs: 200 }).getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNREACHABLE', details: { reason: 'timeout' } })
    const closed = new BitcoinRpcClient({ url: `http://127.0.0.1:${await freePort()}/`, password: 'key' })
    await expect(closed.getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNREACHABLE', details: { reason: 'network' } })
  })

  it('refuses bad arguments before calling, and a URL that is not http', async () => {
    const before = seen.length
    await expect(client().getRawTransaction('xyz')).rejects.toMatchObject({ code: 'BTC_RPC_BAD_ARGUMENT' })
    await expect(client().getBlockHash(-1)).rejects.toMatchObject({ code: 'BTC_RPC_BAD_ARGUMENT' })
    await expect(client().getTxOutProof([])).rejects.toMatchObject({ code: 'BTC_RPC_BAD_ARGUMENT' })
    expect(seen.length).toBe(before)
    expect(() => new BitcoinRpcClient({ url: 'ftp://127.0.0.1/' })).toThrow(expect.objectContaining({ code: 'BTC_RPC_BAD_URL' }))
  })
})

describe('Core and bcoin differences', () => {
  it('getmempoolentry: "not in mempool" (Core -5, bcoin -1) is null; other errors throw', async () => {
    handler = () => rpcError(-5, 'Transaction not in mempool')
    expect(await client().getMempoolEntry('11'.repeat(32))).toBeNull()
    handler = () => rpcError(-1, 'Transaction not in mempool.', 200)
    expect(await client().getMempoolEntry('11'.repeat(32))).toBeNull()
    handler = () => rpcError(-1, 'No mempool available.', 200)
    await expect(client().getMempoolEntry('11'.repeat(32))).rejects.toMatchObject({ code: 'BTC_RPC_ERROR' })
    // bcoin: size (already virtual) and fee in BTC; Core: vsize and fees.base.
    handler = () => ok({ size: 141, fee: 0.00000282, time: 1, height: 432, depends: [] })
    expect(await client().getMempoolEntry('11'.repeat(32))).toEqual({ vsize: 141, feeSats: 282n, time: 1, height: 432, depends: [] })
    handler = () => ok({ vsize: 141, weight: 561, fees: { base: 0.00000282 }, time: 1, height: 432, depends: ['22'.repeat(32)] })
    expect(await client().getMempoolEntry('11'.repeat(32))).toEqual({ vsize: 141, feeSats: 282n, time: 1, height: 432, depends: ['22'.repeat(32)] })
  })

  it('estimatesmartfee: no estimate (bcoin fee -1, Core errors) is null; rates come back in sat/kvB', async () => {
    handler = () => ok({ fee: -1, blocks: 6 })
    expect(await client().estimateSmartFee(6)).toBeNull()
    handler = () => ok({ errors: ['Insufficient data or no feerate found'], blocks: 0 })
    expect(await client().estimateSmartFee(6)).toBeNull()
    handler = () => ok({ feerate: 0.00012345, blocks: 2 })
    expect(await client().estimateSmartFee(2)).toEqual({ satPerKvB: 12_345n, blocks: 2 })
    handler = () => ok({ fee: 0.0002, blocks: 1 })
    expect(await client().estimateSmartFee(1)).toEqual({ satPerKvB: 20_000n, blocks: 1 })
  })

  it('getblock passes a boolean (both nodes accept it) and reads the verbose form', async () => {
    const hash = 'aa'.repeat(32)
    handler = (_m, params) => (params[1] === false ? ok('00ff') : ok({ hash, height: 5, confirmations: 1, previousblockhash: 'bb'.repeat(32), merkleroot: 'cc'.repeat(32), time: 9, tx: ['dd'.repeat(32)] }))
    expect(await client().getBlock(hash, false)).toEqual(Uint8Array.of(0, 255))
    expect(await client().getBlock(hash, true)).toEqual({
      hash,
      height: 5,
      confirmations: 1,
      previousBlockHash: 'bb'.repeat(32),
      merkleRootDisplay: 'cc'.repeat(32),
      time: 9,
      txids: ['dd'.repeat(32)],
    })
    expect(seen.at(-1)).toEqual({ method: 'getblock', params: [hash, true] })
  })
})

describe('sendRawTransaction confirms acceptance', () => {
  const { raw, txid } = sampleTx()

  it('bcoin: a txid back but never in the mempool is BTC_TX_REJECTED', async () => {
    handler = (m) => (m === 'sendrawtransaction' ? ok(txid) : rpcError(-1, m === 'getmempoolentry' ? 'Transaction not in mempool.' : 'Transaction not found.', 200))
    await expect(client().sendRawTransaction(raw, { acceptTimeoutMs: 100 })).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { txid } })
  })

  it('bcoin: accepted once the mempool shows it (the mempool looks after the RPC has answered)', async () => {
    let polls = 0
    handler = (m) => {
      if (m === 'sendrawtransaction') return ok(txid)
      if (m === 'getmempoolentry' && ++polls >= 3) return ok({ size: 100, fee: 0.000002, time: 1, height: 1, depends: [] })
      return rpcError(-1, 'Transaction not in mempool.', 200)
    }
    expect(await client().sendRawTransaction(raw)).toBe(txid)
    expect(polls).toBe(3)
  })

  it('Core: its refusal codes become BTC_TX_REJECTED / BTC_TX_ALREADY_IN_CHAIN with the message kept', async () => {
    handler = () => rpcError(-26, 'bad-txns-inputs-missingorspent')
    await expect(client().sendRawTransaction(raw)).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { rpcCode: -26, rpcMessage: 'bad-txns-inputs-missingorspent' } })
    handler = () => rpcError(-27, 'Transaction outputs already in utxo set')
    await expect(client().sendRawTransaction(raw)).rejects.toMatchObject({ code: 'BTC_TX_ALREADY_IN_CHAIN' })
  })

  it('already confirmed (found by the transaction index) is BTC_TX_ALREADY_IN_CHAIN without waiting', async () => {
    handler = (m) => (m === 'getrawtransaction' ? ok({ txid, blockhash: 'ee'.repeat(32), confirmations: 3 }) : m === 'sendrawtransaction' ? ok(txid) : rpcError(-1, 'Transaction not in mempool.', 200))
    const t0 = Date.now()
    await expect(client().sendRawTransaction(raw, { acceptTimeoutMs: 5_000 })).rejects.toMatchObject({ code: 'BTC_TX_ALREADY_IN_CHAIN', details: { blockHash: 'ee'.repeat(32) } })
    expect(Date.now() - t0).toBeLessThan(2_000)
  })

  it('a different txid back is BTC_RPC_BAD_RESPONSE; bytes that are no transaction never leave', async () => {
    handler = () => ok('ff'.repeat(32))
    await expect(client().sendRawTransaction(raw)).rejects.toMatchObject({ code: 'BTC_RPC_BAD_RESPONSE' })
    const before = seen.length
    await expect(client().sendRawTransaction(Uint8Array.of(1, 2, 3))).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { reason: 'decode' } })
    expect(seen.length).toBe(before)
  })
})

describe('btcToSats', () => {
  it('converts JSON amounts exactly', () => {
    expect(btcToSats(21_000_000)).toBe(2_100_000_000_000_000n)
    expect(btcToSats(20_999_999.99999999)).toBe(2_099_999_999_999_999n)
    expect(btcToSats(0.00000001)).toBe(1n)
    expect(btcToSats(12.5)).toBe(1_250_000_000n)
    expect(btcToSats(0.1 + 0.2)).toBe(30_000_000n)
    expect(btcToSats(-0.5)).toBe(-50_000_000n)
    expect(() => btcToSats('1')).toThrow(expect.objectContaining({ code: 'BTC_RPC_BAD_RESPONSE' }))
  })
})
