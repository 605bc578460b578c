// Issue 12 item 1, the flood rules of the mempool on their own (the attack through JSON-RPC is in
// test/integration/sidechain/mempool-flood.test.ts): a sender's transactions must be affordable together; queued
// transactions (behind a nonce gap) are bounded per sender and in all; every transaction expires after the
// lifetime; a full pool gives way to an executable or better-paying transaction, and never opens a nonce gap.
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToHex, toHex } from '../../../spv/base/bytes.js'
import { DEV_CHAIN_ID, DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, createChainCommon } from '../../../sidechain/chain/params.js'
import { DEFAULT_MEMPOOL_LIMITS, Mempool, type AdmissionContext, type MempoolLimits } from '../../../sidechain/mempool/mempool.js'
import { expectCode } from '../../helpers/expect.js'

const common = createChainCommon({ chainId: DEV_CHAIN_ID, name: 'dev' })
const GWEI = 1_000_000_000n
const ETHER = 10n ** 18n
const key = (i: number) => {
  const k = new Uint8Array(32)
  k[30] = i >> 8
  k[31] = i & 0xff
  k[0] = 1
  return k
}
const sender = (i: number) => bytesToHex(createAddressFromPrivateKey(key(i)).bytes)

function tx(i: number, nonce: number, maxFee = 2n * GWEI, tip = GWEI): TypedTransaction {
  return createFeeMarket1559Tx({ nonce: BigInt(nonce), maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, gasLimit: 21_000n, to: `0x${'ee'.repeat(20)}`, value: 1n }, { common }).sign(key(i))
}

function ctx(o: { nonce?: bigint; balance?: bigint; now?: number; duty?: boolean } = {}): AdmissionContext {
  return {
    chainId: DEV_CHAIN_ID,
    blockGasLimit: DEFAULT_GAS_LIMIT,
    minGasPrice: DEFAULT_MIN_BASE_FEE,
    account: { nonce: o.nonce ?? 0n, balance: o.balance ?? ETHER },
    now: o.now ?? 0,
    ...(o.duty === true ? { dutyGasBound: 1_000_000n } : {}),
  }
}

const pool = (l: Partial<MempoolLimits> = {}) => new Mempool({ ...DEFAULT_MEMPOOL_LIMITS, ...l })
const add = (p: Mempool, t: TypedTransaction, c: AdmissionContext = ctx()) => p.add(t, t.serialize(), c)
const COST = 21_000n * 2n * GWEI + 1n

describe('mempool flood rules', () => {
  it('a balance of one transaction\'s cost holds one transaction, not 256', () => {
    const p = pool()
    add(p, tx(1, 0), ctx({ balance: COST }))
    expectCode(() => add(p, tx(1, 1), ctx({ balance: COST })), 'MEMPOOL_INSUFFICIENT_FUNDS')
    expectCode(() => add(p, tx(1, 5), ctx({ balance: COST })), 'MEMPOOL_INSUFFICIENT_FUNDS')
    add(p, tx(1, 1), ctx({ balance: 2n * COST }))
    // A replacement counts instead of the one it replaces.
    add(p, tx(1, 1, 3n * GWEI, 2n * GWEI), ctx({ balance: 2n * COST + 21_000n * GWEI }))
    expect(p.size).toBe(2)
  })

  it('queued transactions are bounded per sender and in all; executable ones are not', () => {
    const p = pool({ queuedPerSender: 3, queuedTotal: 5 })
    for (const n of [2, 3, 4]) add(p, tx(1, n))
    expect(p.queued).toBe(3)
    expectCode(() => add(p, tx(1, 9)), 'MEMPOOL_QUEUE_FULL')
    for (let n = 0; n < 10; n++) add(p, tx(2, n)) // executable: only the per-sender bound applies
    add(p, tx(3, 1))
    add(p, tx(3, 2))
    expect(p.queued).toBe(5)
    expectCode(() => add(p, tx(4, 1)), 'MEMPOOL_QUEUE_FULL')
    // A better-paying queued transaction takes the place of the cheapest queued one.
    const { evicted } = add(p, tx(4, 1, 3n * GWEI, 2n * GWEI))
    expect(evicted).toHaveLength(1)
    expect(evicted[0]!.queued).toBe(false) // unmarked once it left
    expect(p.queued).toBe(5)
    // Filling the gap makes the sender's queued transactions executable.
    add(p, tx(1, 0))
    add(p, tx(1, 1))
    expect(p.queued).toBeLessThan(5)
  })

  it('every transaction not included within the lifetime is dropped, oldest first', () => {
    const p = pool({ lifetimeMs: 1000 })
    add(p, tx(1, 0), ctx({ now: 0 }))
    add(p, tx(2, 5), ctx({ now: 500 }))
    add(p, tx(3, 0), ctx({ now: 900 }))
    expect(p.queued).toBe(1)
    expect(p.expire(1400).map((e) => e.sender)).toEqual([sender(1)])
    expect(p.expire(1600).map((e) => e.sender)).toEqual([sender(2)])
    expect(p.size).toBe(1)
    expect(p.queued).toBe(0)
  })

  it('a full pool of queued transactions gives way to an executable one at the same price', () => {
    const p = pool({ total: 10, queuedPerSender: 64, queuedTotal: 10 })
    for (let n = 1; n <= 10; n++) add(p, tx(1, n))
    expect(p.size).toBe(10)
    const { evicted } = add(p, tx(2, 0))
    expect(evicted.map((e) => Number(e.tx.nonce))).toEqual([10]) // the attacker's last: no gap opens
    // A queued one at the same price does not get in: it would only take another queued one's place for nothing.
    expectCode(() => add(p, tx(3, 4)), 'MEMPOOL_FULL')
  })

  it('a full pool of executable transactions gives way only to one that pays more; duties are never evicted', () => {
    const p = pool({ total: 4 })
    add(p, tx(1, 0), ctx({ duty: true }))
    for (let n = 0; n < 3; n++) add(p, tx(2, n))
    expectCode(() => add(p, tx(3, 0)), 'MEMPOOL_FULL')
    try {
      add(p, tx(3, 0))
    } catch (e) {
      expect((e as Error).message).toContain('pay more than 2000000000 wei per gas')
    }
    const { evicted } = add(p, tx(3, 0, 3n * GWEI, GWEI))
    expect(evicted.map((e) => [e.sender, Number(e.tx.nonce)])).toEqual([[sender(2), 2]])
    add(p, tx(4, 0, 4n * GWEI, GWEI))
    add(p, tx(5, 0, 5n * GWEI, GWEI))
    add(p, tx(6, 0, 6n * GWEI, GWEI))
    // Sender 2 lost its transactions from the top down; the duty stays.
    expect([...p.entries()].map((e) => e.sender).sort()).toEqual([sender(1), sender(4), sender(5), sender(6)].sort())
    expectCode(() => add(p, tx(7, 0, 4n * GWEI, GWEI)), 'MEMPOOL_FULL')
  })

  // The whole 20,066-transaction flood runs through JSON-RPC in the integration test; here the rule, per account.
  it('79 accounts of 21 sats, each with transactions behind a gap, do not keep a paying transaction out', () => {
    const p = pool()
    const dust = 21n * 10n ** 10n // 21 sats in wei
    const perAccount = 16
    let refused = 0
    for (let i = 0; i < 79; i++) {
      for (let n = 0; n < perAccount; n++) {
        try {
          add(p, tx(100 + i, n + 1, DEFAULT_MIN_BASE_FEE, 0n), ctx({ balance: dust }))
        } catch {
          refused++
        }
      }
    }
    expect(p.size).toBe(0) // not one of them is affordable (21,000 gas × the minimum fee is more than 21 sats)
    expect(refused).toBe(79 * perAccount)
    expect(toHex(add(p, tx(1, 0)).entry.hash)).toMatch(/^0x/)
  })

  it('keeps which transactions are queued exact through random admissions, replacements, evictions and prunes', () => {
    const p = pool({ queuedPerSender: 6, queuedTotal: 20, total: 40 })
    const state = [0n, 0n, 0n, 0n, 0n]
    const who = state.map((_, k) => sender(200 + k))
    let seed = 12345
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let step = 0; step < 300; step++) {
      const i = rnd(5)
      if (rnd(10) < 8) {
        try {
          add(p, tx(200 + i, Number(state[i]!) + rnd(10), BigInt(2 + rnd(4)) * GWEI, GWEI), ctx({ nonce: state[i]!, balance: ETHER }))
        } catch {
          // refusals are part of the walk
        }
      } else {
        state[i]! += BigInt(rnd(3))
        p.pruneSender(who[i]!, state[i]!)
      }
      // Every entry is queued exactly when a nonce between its sender's state nonce and its own is missing.
      const bySender = new Map<string, Set<bigint>>()
      for (const e of p.entries()) bySender.set(e.sender, (bySender.get(e.sender) ?? new Set()).add(e.tx.nonce))
      let queued = 0
      for (const e of p.entries()) {
        const nonces = bySender.get(e.sender)!
        let next = state[who.indexOf(e.sender)]!
        while (nonces.has(next)) next++
        expect(e.queued, `step ${step}: nonce ${e.tx.nonce} of sender ${e.sender}`).toBe(e.tx.nonce > next)
        if (e.queued) queued++
      }
      expect(p.queued).toBe(queued)
    }
  })
})
