// Every mempool refusal of a real `causeway node --dev` process reaches the caller as an EIP-1474 error over
// JSON-RPC with a message a user can act on (geth's wording, which ethers maps to its own error codes), the node
// keeps serving afterwards, and a batch mixing good and bad requests answers each one in order.
//
// What the server returns (observed and asserted here): every transaction the pool refuses is -32000 ("invalid
// input", as geth), including undecodable transaction bytes; a param that is not hex at all, or empty, is -32602.
import { JsonRpcProvider, Transaction, Wallet, isError, type BaseWallet, type TransactionLike } from 'ethers'
import { Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import { Blob4844Tx, createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChainCommon } from '../../../sidechain/chain/params.js'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'

const DEV_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba'
const CHAIN_ID = 0xca05e0n
const MIN_BASE_FEE = 10_000_000n
const GWEI = 1_000_000_000n

let node: NodeProcess
let provider: JsonRpcProvider
let dev: Wallet
let devNonce = 0

beforeAll(async () => {
  node = await startDevNodeProcess({ devKey: DEV_KEY })
  provider = new JsonRpcProvider(node.url, Number(CHAIN_ID), { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 })
  dev = new Wallet(DEV_KEY, provider)
}, 60_000)

afterAll(async () => {
  provider?.destroy()
  await node?.stop(true)
})

interface RpcReply {
  jsonrpc: '2.0'
  id: number | string | null
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

async function post(body: unknown): Promise<{ status: number; body: RpcReply | RpcReply[] }> {
  const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as RpcReply | RpcReply[] }
}

let nextId = 1
async function rpc(method: string, params: unknown[] = []): Promise<RpcReply> {
  const { status, body } = await post({ jsonrpc: '2.0', id: nextId++, method, params })
  expect(status).toBe(200)
  return body as RpcReply
}

const sendRaw = (raw: string) => rpc('eth_sendRawTransaction', [raw])

/** A signed EIP-1559 transfer from `wallet` (defaults: 1 wei to a fixed address, 21,000 gas, 1 gwei cap). */
function sign(wallet: BaseWallet, tx: TransactionLike = {}): Promise<string> {
  return wallet.signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce: 0,
    to: '0x00000000000000000000000000000000000000e1',
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: GWEI,
    maxPriorityFeePerGas: 0n,
    ...tx,
  })
}

async function waitMined(hash: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const r = await rpc('eth_getTransactionReceipt', [hash])
    if (r.result !== null && r.result !== undefined) return r.result as Record<string, unknown>
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error(`transaction ${hash} was not mined`)
}

/** Sends a good transfer from the dev account and waits for it: the node still admits and mines. */
async function goodTransfer(): Promise<string> {
  const r = await sendRaw(await sign(dev, { nonce: devNonce++ }))
  expect(r.error).toBeUndefined()
  const receipt = await waitMined(r.result as string)
  expect(receipt['status']).toBe('0x1')
  return r.result as string
}

function expectTxRefusal(reply: RpcReply, message: RegExp, code = -32000): void {
  expect(reply.result).toBeUndefined()
  expect(reply.error?.code).toBe(code)
  expect(reply.error?.message).toMatch(message)
}

describe('eth_sendRawTransaction refusals', () => {
  it('nonce too low: says which nonce is next', async () => {
    await goodTransfer()
    const reply = await sendRaw(await sign(dev, { nonce: 0, value: 2n }))
    expectTxRefusal(reply, /^nonce too low: next nonce 1, tx nonce 0$/)
    // ethers recognises geth's wording.
    const err = await provider.broadcastTransaction(await sign(dev, { nonce: 0, value: 3n })).catch((e: unknown) => e)
    expect(isError(err, 'NONCE_EXPIRED')).toBe(true)
  })

  it('insufficient funds: an empty account, with balance and cost', async () => {
    const empty = Wallet.createRandom()
    const reply = await sendRaw(await sign(empty, { value: 5n }))
    expectTxRefusal(reply, /^insufficient funds for gas \* price \+ value: balance 0, tx cost 21000000000005$/)
    const err = await provider.broadcastTransaction(await sign(empty, { value: 6n })).catch((e: unknown) => e)
    expect(isError(err, 'INSUFFICIENT_FUNDS')).toBe(true)
  })

  it('intrinsic gas too low: below 21,000, and below the EIP-7623 calldata floor', async () => {
    expectTxRefusal(await sendRaw(await sign(dev, { nonce: devNonce, gasLimit: 20_999n })), /^intrinsic gas too low: have 20999, want 21000$/)
    const data = '0x' + 'ff'.repeat(1000) // intrinsic 37,000; Prague's floor 61,000
    expectTxRefusal(await sendRaw(await sign(dev, { nonce: devNonce, gasLimit: 40_000n, data })), /^intrinsic gas too low: have 40000, want 61000$/)
  })

  it('wrong chain id: typed and EIP-155 legacy transactions signed for chain 1', async () => {
    expectTxRefusal(await sendRaw(await sign(dev, { nonce: devNonce, chainId: 1n })), /invalid chain id.*13239776/)
    const legacy = await dev.signTransaction({ type: 0, chainId: 1n, nonce: devNonce, to: dev.address, value: 1n, gasLimit: 21_000n, gasPrice: GWEI })
    expectTxRefusal(await sendRaw(legacy), /invalid chain id.*13239776/)
  })

  it('fee below minimum: names the minimum fee cap', async () => {
    const reply = await sendRaw(await sign(dev, { nonce: devNonce, maxFeePerGas: MIN_BASE_FEE - 1n }))
    expectTxRefusal(reply, new RegExp(`^transaction underpriced: fee cap ${MIN_BASE_FEE - 1n} wei per gas is below the minimum ${MIN_BASE_FEE}$`))
  })

  it('oversized: more than 128 KiB, with the limit', async () => {
    const data = '0x' + '01'.repeat(128 * 1024)
    const reply = await sendRaw(await sign(dev, { nonce: devNonce, gasLimit: 20_000_000n, data }))
    expectTxRefusal(reply, /^oversized data: \d+ bytes, at most 131072$/)
  })

  it('not replay-protected: a legacy transaction without EIP-155', async () => {
    const unprotected = await dev.signTransaction({ type: 0, chainId: 0n, nonce: devNonce, to: dev.address, value: 1n, gasLimit: 21_000n, gasPrice: GWEI })
    expect(Transaction.from(unprotected).chainId).toBe(0n)
    expectTxRefusal(await sendRaw(unprotected), /only replay-protected \(EIP-155\) transactions allowed/)
  })

  it('already known, and replacement underpriced (ethers: REPLACEMENT_UNDERPRICED)', async () => {
    // A future nonce waits in the pool (a gap), so it can be sent twice and replaced.
    const waiting = await sign(dev, { nonce: devNonce + 5, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI })
    const first = await sendRaw(waiting)
    expect(first.error).toBeUndefined()
    expectTxRefusal(await sendRaw(waiting), /^already known$/)
    const cheap = await sign(dev, { nonce: devNonce + 5, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, value: 9n })
    expectTxRefusal(await sendRaw(cheap), /^replacement transaction underpriced: raise fee cap and tip by at least 10%$/)
    const err = await provider.broadcastTransaction(cheap).catch((e: unknown) => e)
    expect(isError(err, 'REPLACEMENT_UNDERPRICED')).toBe(true)
    const bumped = await sendRaw(await sign(dev, { nonce: devNonce + 5, maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 11n * GWEI / 10n }))
    expect(bumped.error).toBeUndefined()
    expect((await rpc('eth_getTransactionByHash', [first.result])).result).toBeNull()
    expect((await rpc('eth_getTransactionByHash', [bumped.result])).result).toMatchObject({ blockHash: null, nonce: `0x${(devNonce + 5).toString(16)}` })
  })

  // A transaction waiting behind a nonce gap must not make the producer spin (it once rebuilt an empty candidate
  // in a busy loop, a whole CPU core for one stuck transaction).
  it('a transaction waiting behind a nonce gap costs the node no CPU', async () => {
    // The previous test left nonce devNonce + 5 waiting behind a gap. Wait out the trailing empty blocks after
    // the last mined transaction (the spin starts once they are done), then measure.
    for (let last = -1n; ; ) {
      const h = BigInt((await rpc('eth_blockNumber')).result as string)
      if (h === last) break
      last = h
      await new Promise((r) => setTimeout(r, 1100))
    }
    const cpu = async () => Number(/^process_cpu_seconds_total (\S+)$/m.exec(await (await fetch(new URL('/metrics', node.url))).text())![1])
    const before = await cpu()
    await new Promise((r) => setTimeout(r, 1500))
    expect(await cpu() - before).toBeLessThan(0.3) // idle: about 0.02 s; spinning: 0.7 s or more
  })

  it('malformed: undecodable bytes are -32000, non-hex or empty params -32602, and the message says what is wrong', async () => {
    expectTxRefusal(await sendRaw('0x1234'), /^invalid transaction: /)
    expectTxRefusal(await sendRaw('0x02' + 'c0'), /^invalid transaction: /)
    const good = await sign(dev, { nonce: devNonce })
    expectTxRefusal(await sendRaw(good.slice(0, -10)), /^invalid transaction: /) // truncated
    expectTxRefusal(await sendRaw('0xzz'), /^invalid transaction: .*hex/i, -32602)
    expectTxRefusal(await sendRaw('0x'), /^invalid transaction: empty transaction$/, -32602)
    expectTxRefusal(await rpc('eth_sendRawTransaction', []), /missing value for required argument 0/, -32602)
    expectTxRefusal(await rpc('eth_sendRawTransaction', [42]), /^invalid transaction: /, -32602)
  })

  // A type-3 transaction cannot be decoded without a KZG setup; the node must still say plainly what is wrong.
  it('a blob (EIP-4844) transaction is refused as unsupported on this chain', async () => {
    const blobCommon = createCustomCommon({ name: 'causeway-dev', chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: { kzg: {} as never } })
    const blob = new Blob4844Tx(
      { chainId: CHAIN_ID, nonce: 0n, maxFeePerGas: GWEI, maxPriorityFeePerGas: 0n, maxFeePerBlobGas: GWEI, gasLimit: 21_000n, to: dev.address as `0x${string}`, value: 1n, blobVersionedHashes: [`0x01${'00'.repeat(31)}`] },
      { common: blobCommon },
    ).sign(hexToBytes(DEV_KEY))
    expectTxRefusal(await sendRaw(bytesToHex(blob.serialize())), /blob transactions are not supported/)
  })

  it('a bad signature: no sender recovers', async () => {
    // A well-formed EIP-1559 transaction whose signature has r = 0: no public key recovers from it.
    const forged = createFeeMarket1559Tx(
      { chainId: CHAIN_ID, nonce: 0n, maxFeePerGas: GWEI, maxPriorityFeePerGas: 0n, gasLimit: 21_000n, to: dev.address as `0x${string}`, value: 1n, r: 0n, s: 1n, v: 0n },
      { common: createChainCommon({ chainId: CHAIN_ID, name: 'dev' }) },
    )
    const reply = await sendRaw(bytesToHex(forged.serialize()))
    expectTxRefusal(reply, /^invalid sender/)
  })

  it('the node keeps serving after every refusal: it answers and mines the next good transaction', async () => {
    const before = BigInt((await rpc('eth_blockNumber')).result as string)
    const hash = await goodTransfer()
    const after = BigInt((await rpc('eth_blockNumber')).result as string)
    expect(after).toBeGreaterThan(before)
    expect(((await rpc('eth_getTransactionByHash', [hash])).result as { blockHash: string }).blockHash).toMatch(/^0x[0-9a-f]{64}$/)
    const health = await fetch(new URL('/health', node.url))
    expect(health.status).toBe(200)
  })
})

describe('a batch mixing good and bad requests', () => {
  it('answers each request in order with its own result or error', async () => {
    const good = await sign(dev, { nonce: devNonce++, value: 77n })
    const low = await sign(dev, { nonce: 0, value: 78n })
    const { status, body } = await post([
      { jsonrpc: '2.0', id: 'chain', method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 'low', method: 'eth_sendRawTransaction', params: [low] },
      { jsonrpc: '2.0', id: 'good', method: 'eth_sendRawTransaction', params: [good] },
      { jsonrpc: '2.0', id: 'junk', method: 'eth_sendRawTransaction', params: ['0xdeadbeef'] },
      { jsonrpc: '2.0', id: 'nope', method: 'eth_doesNotExist', params: [] },
      { jsonrpc: '2.0', id: 'addr', method: 'eth_getBalance', params: ['0x1234', 'latest'] },
      { jsonrpc: '2.0', id: 'bal', method: 'eth_getBalance', params: [dev.address, 'latest'] },
    ])
    expect(status).toBe(200)
    const replies = body as RpcReply[]
    expect(replies.map((r) => r.id)).toEqual(['chain', 'low', 'good', 'junk', 'nope', 'addr', 'bal'])
    expect(replies[0]!.result).toBe('0xca05e0')
    expectTxRefusal(replies[1]!, /^nonce too low/)
    expect(replies[2]!.error).toBeUndefined()
    expect(replies[2]!.result).toBe(Transaction.from(good).hash)
    expectTxRefusal(replies[3]!, /^invalid transaction: /)
    expect(replies[4]!.error?.code).toBe(-32601)
    expect(replies[5]!.error?.code).toBe(-32602)
    expect(replies[5]!.error?.message).toMatch(/address/)
    expect(BigInt(replies[6]!.result as string)).toBeGreaterThan(0n)
    const receipt = await waitMined(replies[2]!.result as string)
    expect(receipt['status']).toBe('0x1')
  })
})
