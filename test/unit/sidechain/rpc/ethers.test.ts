// ethers v6 against the JSON-RPC server over real HTTP and WebSocket on loopback: what a contract developer's tools
// read (blocks, transactions, receipts, logs, balances) and how the node's refusals and reverts reach them.
import { AbiCoder, Contract, JsonRpcProvider, Transaction, Wallet, WebSocketProvider, getAddress } from 'ethers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CausewayError } from '../../../../spv/base/errors.js'
import { toHex } from '../../../../spv/base/bytes.js'
import { startRpcServer, type RpcServer } from '../../../../sidechain/rpc/index.js'
import { pollUntil, sleep, timeoutIsFine } from '../../../../io/poll.js'
import { BASE_FEE, CHAIN_ID, GWEI, RECIPIENT, SENDER, SENDER_KEY, TOKEN, fakeChain, signedTx, type FakeNode } from '../../../helpers/fake-node.js'

let node: FakeNode
let server: RpcServer
let http: JsonRpcProvider
let ws: WebSocketProvider

beforeAll(async () => {
  node = fakeChain()
  server = await startRpcServer({ api: node, port: 0 })
  http = new JsonRpcProvider(server.url, Number(CHAIN_ID), { staticNetwork: true })
  ws = new WebSocketProvider(server.wsUrl, Number(CHAIN_ID), { staticNetwork: true })
})

afterAll(async () => {
  http.destroy()
  await ws.destroy()
  await server.close()
})

afterEach(() => {
  node.hooks = {}
})

const errorData = (reason: string): string => '0x08c379a0' + AbiCoder.defaultAbiCoder().encode(['string'], [reason]).slice(2)

async function signed(nonce: number): Promise<string> {
  return new Wallet(toHex(SENDER_KEY)).signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce,
    to: toHex(RECIPIENT),
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: 5n * GWEI,
    maxPriorityFeePerGas: GWEI,
  })
}

describe('reads through JsonRpcProvider', () => {
  it('reads the chain id, the head and a block with its transaction hashes', async () => {
    expect((await http.getNetwork()).chainId).toBe(CHAIN_ID)
    expect(await http.getBlockNumber()).toBe(2)
    const block = await http.getBlock(1)
    const want = node.blocks[1]!
    expect(block?.hash).toBe(toHex(want.hash()))
    expect(block?.parentHash).toBe(toHex(node.blocks[0]!.hash()))
    expect(block?.baseFeePerGas).toBe(BASE_FEE)
    expect(block?.transactions).toEqual(want.transactions.map((t) => toHex(t.hash())))
    expect(block?.miner).toBe(getAddress('0x' + 'fe'.repeat(20)))
    expect(await http.getBlock(99)).toBeNull()
  })

  it('reads a block with prefetched transactions of every type', async () => {
    const block = await http.getBlock(2, true)
    const [t2930, t1559] = block!.prefetchedTransactions
    expect(t2930?.type).toBe(1)
    expect(t2930?.from).toBe(getAddress(toHex(SENDER)))
    expect(t2930?.accessList?.[0]?.address).toBe(getAddress(toHex(TOKEN)))
    expect(t1559?.type).toBe(2)
    // In a block, an EIP-1559 transaction's gasPrice is what it paid: min(maxFee, baseFee + tip).
    expect(t1559?.gasPrice).toBe(BASE_FEE + GWEI)
    expect(t1559?.blockNumber).toBe(2)
    expect(t1559?.index).toBe(1)
    // ethers recomputes the hash from the fields and signature it read: every field must be exact.
    expect(Transaction.from(t1559!).hash).toBe(t1559?.hash)
  })

  it('reads a legacy transaction and its receipt', async () => {
    const legacy = node.blocks[1]!.transactions[1]!
    const tx = await http.getTransaction(toHex(legacy.hash()))
    expect(tx?.type).toBe(0)
    expect(tx?.chainId).toBe(CHAIN_ID)
    expect(tx?.nonce).toBe(1)
    expect(tx?.gasPrice).toBe(3n * GWEI)
    expect(Transaction.from(tx!).hash).toBe(tx?.hash)
    const receipt = await http.getTransactionReceipt(toHex(legacy.hash()))
    expect(receipt?.status).toBe(1)
    expect(receipt?.index).toBe(1)
    expect(receipt?.gasUsed).toBe(21_000n)
    expect(receipt?.to).toBe(getAddress(toHex(RECIPIENT)))
    expect(await http.getTransactionReceipt('0x' + '00'.repeat(32))).toBeNull()
  })

  it('reads logs with getLogs and a contract query filter', async () => {
    const logs = await http.getLogs({ address: toHex(TOKEN), fromBlock: 0, toBlock: 'latest' })
    expect(logs.map((l) => [l.blockNumber, l.index, l.removed])).toEqual([
      [2, 0, false],
      [2, 1, false],
    ])
    const token = new Contract(toHex(TOKEN), ['event Transfer(address indexed from, address indexed to, uint256 value)'], http)
    const events = await token.queryFilter(token.filters['Transfer']!(toHex(SENDER)), 0, 'latest')
    expect(events).toHaveLength(2)
    expect(events.map((e) => ('args' in e ? e.args[2] : undefined))).toEqual([1002n, 1003n])
    const byHash = await http.getLogs({ blockHash: toHex(node.blocks[2]!.hash()) })
    expect(byHash).toHaveLength(2)
  })

  it('reads balances, code, storage and nonces', async () => {
    expect(await http.getBalance(toHex(SENDER))).toBe(10n ** 21n)
    expect(await http.getCode(toHex(TOKEN))).toBe('0x6080604052')
    // ethers sends the slot as a quantity (0x1); the fake answers slot + 7.
    expect(await http.getStorage(toHex(TOKEN), 1)).toBe('0x' + '00'.repeat(31) + '08')
    expect(await http.getTransactionCount(toHex(SENDER))).toBe(4)
    const fees = await http.getFeeData()
    expect(fees.gasPrice).toBe(2n * GWEI)
    expect(fees.maxPriorityFeePerGas).toBe(GWEI)
  })
})

describe('sending and executing through JsonRpcProvider', () => {
  it('broadcasts a raw transaction and reads it back while pending', async () => {
    const raw = await signed(4)
    const sent = await http.broadcastTransaction(raw)
    expect(sent.hash).toBe(Transaction.from(raw).hash)
    const pending = await http.getTransaction(sent.hash)
    expect(pending?.blockNumber).toBeNull()
    expect(pending?.gasPrice).toBe(5n * GWEI)
    expect(await http.getTransactionCount(toHex(SENDER), 'pending')).toBe(5)
  })

  it('surfaces the mempool refusals as the ethers error codes wallets handle', async () => {
    const raw = await signed(0)
    const refusals: [string, string, string][] = [
      ['MEMPOOL_NONCE_TOO_LOW', 'nonce too low', 'NONCE_EXPIRED'],
      ['MEMPOOL_INSUFFICIENT_FUNDS', 'insufficient funds for gas * price + value', 'INSUFFICIENT_FUNDS'],
      ['MEMPOOL_REPLACEMENT_UNDERPRICED', 'replacement transaction underpriced', 'REPLACEMENT_UNDERPRICED'],
    ]
    for (const [code, message, ethersCode] of refusals) {
      node.hooks.sendRawTransaction = () => Promise.reject(new CausewayError(code, message))
      await expect(http.broadcastTransaction(raw)).rejects.toMatchObject({ code: ethersCode })
    }
  })

  it('returns eth_call results and decodes a revert reason', async () => {
    expect(await http.call({ to: toHex(TOKEN), data: '0x12345678' })).toBe('0x' + '00'.repeat(31) + '2a')
    node.hooks.call = async () => ({ returnValue: hexBytes(errorData('boom')), gasUsed: 30_000n, reverted: true, error: 'revert' })
    await expect(http.call({ to: toHex(TOKEN), data: '0x12345678' })).rejects.toMatchObject({
      code: 'CALL_EXCEPTION',
      reason: 'boom',
      data: errorData('boom'),
    })
  })

  it('decodes a revert reason from eth_estimateGas', async () => {
    expect(await http.estimateGas({ to: toHex(RECIPIENT), value: 1n })).toBe(21_000n)
    node.hooks.estimateGas = () =>
      Promise.reject(new CausewayError('EXEC_REVERTED', 'execution reverted', { details: { data: errorData('no way') } }))
    await expect(http.estimateGas({ to: toHex(TOKEN), data: '0x12345678' })).rejects.toMatchObject({
      code: 'CALL_EXCEPTION',
      reason: 'no way',
    })
  })
})

describe('events through JsonRpcProvider', () => {
  it('delivers contract events over HTTP through eth_newFilter and eth_getFilterChanges', async () => {
    const polling = new JsonRpcProvider(server.url, Number(CHAIN_ID), { staticNetwork: true, pollingInterval: 20 })
    try {
      const token = new Contract(toHex(TOKEN), ['event Transfer(address indexed from, address indexed to, uint256 value)'], polling)
      const got = new Promise<bigint>((resolve) => void token.once('Transfer', (_from, _to, value: bigint) => resolve(value)))
      // ethers installs its filter on the next poll; mine only once it is there.
      await sleep(100)
      const nonce = Number(await node.getTransactionCount(SENDER, 'pending'))
      node.mine([signedTx(nonce, '1559', TOKEN)])
      expect(await got).toBe(1000n + BigInt(nonce))
      // `once` uninstalls the filter; let that finish before the provider is destroyed.
      const uninstalled = async () => (await metricsText()).includes('method="eth_uninstallFilter"') || undefined
      await pollUntil('eth_uninstallFilter', uninstalled, { timeoutMs: 1_000, intervalMs: 10 }).catch(timeoutIsFine)
      expect(await metricsText()).toMatch(/causeway_rpc_requests_total\{method="eth_newFilter",outcome="ok"\} 1/)
    } finally {
      polling.destroy()
    }
  })
})

describe('WebSocketProvider', () => {
  it('reads blocks and receipts over the socket', async () => {
    const block = await ws.getBlock('latest')
    expect(block?.number).toBe(node.blocks.length - 1)
    const tx = node.blocks[2]!.transactions[0]!
    const receipt = await ws.getTransactionReceipt(toHex(tx.hash()))
    expect(receipt?.logs).toHaveLength(1)
    expect(receipt?.logs[0]?.topics).toHaveLength(3)
  })

  it('gets a block event from a newHeads subscription', async () => {
    const listeners = node.listenerCount
    const got = new Promise<number>((resolve) => void ws.once('block', (n: number) => resolve(n)))
    await until(() => node.listenerCount > listeners)
    const block = node.mine([])
    expect(await got).toBe(Number(block.header.number))
    // `once` unsubscribes after the event; wait for it, or destroying the provider would cancel eth_unsubscribe.
    await until(() => node.listenerCount === listeners)
    // The server dropped the listener, but the client may not have read its eth_unsubscribe reply yet: one more
    // round trip on the same socket makes sure it has.
    await ws.send('eth_blockNumber', [])
  })
})

async function metricsText(): Promise<string> {
  return (await fetch(new URL('/metrics', server.url))).text()
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  await pollUntil('the condition', () => condition() || undefined, { timeoutMs: ms, intervalMs: 5 })
}
