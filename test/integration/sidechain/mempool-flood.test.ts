// Issue 12 item 1, "Mempool flood for 21 sats", through JSON-RPC against a real development node: 79 accounts of
// 21 sats each send 254 transactions behind a nonce gap (20,066 in all, each alone affordable at the minimum fee).
// The pool used to take 20,000 of them — never executable, never expiring, never evicted — and refuse every
// honest transaction with MEMPOOL_FULL. Now a sender's transactions must be affordable together and queued ones
// are bounded, so the flood leaves one queued transaction per account; and past those bounds, a full pool gives
// way to an executable or better-paying transaction (test/unit/sidechain/mempool-flood.test.ts).
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_CHAIN_ID, DEFAULT_MIN_BASE_FEE, createChainCommon } from '../../../sidechain/chain/params.js'
import { toHex } from '../../../spv/base/bytes.js'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'

const common = createChainCommon({ chainId: DEV_CHAIN_ID, name: 'dev' })
const ACCOUNTS = 79
const PER_ACCOUNT = 254
const DUST = 21n * 10n ** 10n // 21 sats in wei: 21,000 gas at the minimum fee
const devKey = randomBytes(32)

let node: NodeProcess

async function rpc(body: unknown): Promise<any> {
  const r = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return r.json()
}
const call = async (method: string, params: unknown[]) => {
  const a = await rpc({ jsonrpc: '2.0', id: 1, method, params })
  if (a.error !== undefined) throw new Error(`${method}: ${JSON.stringify(a.error)}`)
  return a.result
}
function sign(key: Uint8Array, nonce: bigint, fields: { to: string; value: bigint; maxFee: bigint; tip: bigint }): string {
  const tx = createFeeMarket1559Tx({ nonce, maxFeePerGas: fields.maxFee, maxPriorityFeePerGas: fields.tip, gasLimit: 21_000n, to: fields.to as `0x${string}`, value: fields.value }, { common }).sign(key)
  return toHex(tx.serialize())
}
async function mined(hash: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const r = await call('eth_getTransactionReceipt', [hash])
    if (r !== null) return r
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error(`${hash} not mined`)
}

describe('a mempool flood of 21-sat accounts (issue 12 item 1)', () => {
  beforeAll(async () => {
    node = await startDevNodeProcess({ devKey: toHex(devKey) })
  }, 60_000)
  afterAll(async () => {
    await node?.stop(true)
  })

  it('20,066 unexecutable transactions leave the pool open to an honest one', async () => {
    const dev = toHex(createAddressFromPrivateKey(devKey).bytes)
    const keys = Array.from({ length: ACCOUNTS }, () => randomBytes(32))
    let nonce = BigInt(await call('eth_getTransactionCount', [dev, 'pending']))
    const fee = { maxFee: 10n * DEFAULT_MIN_BASE_FEE, tip: 0n }
    const funding = keys.map((k) => sign(devKey, nonce++, { to: toHex(createAddressFromPrivateKey(k).bytes), value: DUST, ...fee }))
    const hashes = (await rpc(funding.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })))) as { result?: string; error?: unknown }[]
    for (const h of hashes) expect(h.error).toBeUndefined()
    await mined(hashes.at(-1)!.result!)

    // The flood: nonces 1…254 of every account (nonce 0 never comes), each at the minimum fee, in batches.
    let admitted = 0
    const codes = new Map<string, number>()
    for (const k of keys) {
      const batch = []
      for (let n = 1; n <= PER_ACCOUNT; n++) batch.push(sign(k, BigInt(n), { to: dev, value: 0n, maxFee: DEFAULT_MIN_BASE_FEE, tip: 0n }))
      const answers = (await rpc(batch.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })))) as { result?: string; error?: { message?: string } }[]
      for (const a of answers) {
        if (a.result !== undefined) admitted++
        else {
          const why = (a.error?.message ?? 'unknown').split(':')[0]!
          codes.set(why, (codes.get(why) ?? 0) + 1)
        }
      }
    }
    // One each: 21 sats pay for one transaction, not 254.
    expect(admitted, JSON.stringify([...codes])).toBe(ACCOUNTS)
    expect(Object.fromEntries(codes)).toEqual({ 'insufficient funds for gas * price + value of all pending transactions': ACCOUNTS * (PER_ACCOUNT - 1) })

    // An honest transfer at the node's suggested price gets in and is mined.
    const price = BigInt(await call('eth_gasPrice', []))
    const honest = await call('eth_sendRawTransaction', [sign(devKey, nonce++, { to: toHex(randomBytes(20)), value: 1n, maxFee: 2n * price, tip: 0n })])
    expect((await mined(honest)).status).toBe('0x1')
  }, 240_000)
})
