// The mempool on its own, with real signed ethereumjs transactions of the dev chain's Common: every refusal code
// (and that a refusal changes nothing), fee-bumped replacement, pending nonces, block selection and pruning.
import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common'
import {
  Blob4844Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  createLegacyTxFromRLP,
  type TypedTransaction,
} from '@ethereumjs/tx'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { DEV_CHAIN_ID, DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, createChainCommon } from '../../../sidechain/chain/params.js'
import { DEFAULT_MEMPOOL_LIMITS, Mempool, type AdmissionContext, type MempoolLimits } from '../../../sidechain/mempool/mempool.js'
import { expectCode } from '../../helpers/expect.js'

const common = createChainCommon({ chainId: DEV_CHAIN_ID, name: 'dev' })
const GWEI = 1_000_000_000n
const ETHER = 10n ** 18n

const KEYS = [1, 2, 3, 4].map((i) => hexToBytes('0x' + i.toString(16).padStart(2, '0').repeat(32), 'key', 32))
const ADDR = KEYS.map((k) => createAddressFromPrivateKey(k).bytes)
/** The mempool's per-sender key: the address as lower-case hex without 0x. */
const SENDER = ADDR.map((a) => bytesToHex(a))
const TO = toHex(hexToBytes('0x' + 'ee'.repeat(20), 'to', 20))

interface TxOpts {
  key?: number
  nonce?: number | bigint
  maxFee?: bigint
  tip?: bigint
  gasLimit?: bigint
  value?: bigint
  data?: Uint8Array
  common?: Common
}

/** A signed EIP-1559 transfer. */
function tx1559(o: TxOpts = {}): TypedTransaction {
  return createFeeMarket1559Tx(
    {
      nonce: BigInt(o.nonce ?? 0),
      maxFeePerGas: o.maxFee ?? 2n * GWEI,
      maxPriorityFeePerGas: o.tip ?? GWEI,
      gasLimit: o.gasLimit ?? 21_000n,
      to: TO,
      value: o.value ?? 1n,
      data: o.data ?? new Uint8Array(0),
    },
    { common: o.common ?? common },
  ).sign(KEYS[o.key ?? 0]!)
}

/** A signed EIP-155 legacy transfer. */
function txLegacy(o: TxOpts & { gasPrice?: bigint } = {}): TypedTransaction {
  return createLegacyTx(
    { nonce: BigInt(o.nonce ?? 0), gasPrice: o.gasPrice ?? 2n * GWEI, gasLimit: o.gasLimit ?? 21_000n, to: TO, value: o.value ?? 1n },
    { common: o.common ?? common },
  ).sign(KEYS[o.key ?? 0]!)
}

function ctx(o: { nonce?: bigint; balance?: bigint } = {}): AdmissionContext {
  return {
    chainId: DEV_CHAIN_ID,
    blockGasLimit: DEFAULT_GAS_LIMIT,
    minGasPrice: DEFAULT_MIN_BASE_FEE,
    account: { nonce: o.nonce ?? 0n, balance: o.balance ?? ETHER },
  }
}

function add(pool: Mempool, tx: TypedTransaction, c: AdmissionContext = ctx()) {
  return pool.add(tx, tx.serialize(), c)
}

/** Everything observable about a pool, to show that a refusal changed nothing. */
function snapshot(pool: Mempool) {
  return {
    size: pool.size,
    hashes: [...pool.entries()].map((e) => toHex(e.hash)).sort(),
    senders: pool.senders().sort(),
    nonces: ADDR.map((a) => pool.pendingNonce(a, 0n)),
    selection: pool.select(DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, () => 0n).map((t) => toHex(t.hash())),
  }
}

/** Adds `tx` to a pool holding `prefill`, expects `code`, and checks the pool is exactly as before. */
function expectRefusal(code: string, tx: TypedTransaction, c: AdmissionContext = ctx(), limits?: MempoolLimits, prefill: TypedTransaction[] = []) {
  const pool = new Mempool(limits)
  for (const p of prefill) add(pool, p, { ...c, account: { ...c.account, nonce: 0n } })
  const before = snapshot(pool)
  expectCode(() => add(pool, tx, c), code)
  expect(snapshot(pool)).toEqual(before)
  if (!prefill.some((p) => toHex(p.hash()) === toHex(tx.hash()))) expect(pool.get(tx.hash())).toBeUndefined()
  return pool
}

const limits = (o: Partial<MempoolLimits>): MempoolLimits => ({ ...DEFAULT_MEMPOOL_LIMITS, ...o })

describe('admission', () => {
  it('admits a valid EIP-1559 and a valid EIP-155 legacy transaction', () => {
    const pool = new Mempool()
    const a = tx1559({ key: 0 })
    const b = txLegacy({ key: 1 })
    const { entry, replaced } = add(pool, a)
    expect(replaced).toBeUndefined()
    expect(entry.sender).toBe(SENDER[0])
    add(pool, b)
    expect(pool.size).toBe(2)
    expect(pool.get(a.hash())?.tx.hash()).toEqual(a.hash())
    expect(pool.get(b.hash())?.sender).toBe(SENDER[1])
  })

  it('MEMPOOL_ALREADY_KNOWN: the same transaction twice', () => {
    const t = tx1559()
    expectRefusal('MEMPOOL_ALREADY_KNOWN', t, ctx(), undefined, [t])
  })

  it('MEMPOOL_OVERSIZED: a raw transaction over the 128 KiB default', () => {
    const data = new Uint8Array(DEFAULT_MEMPOOL_LIMITS.maxTxBytes).fill(1)
    const big = tx1559({ data, gasLimit: 10_000_000n })
    expect(big.serialize().length).toBeGreaterThan(DEFAULT_MEMPOOL_LIMITS.maxTxBytes)
    expectRefusal('MEMPOOL_OVERSIZED', big)
    // Just under the limit is fine.
    const pool = new Mempool(limits({ maxTxBytes: big.serialize().length }))
    add(pool, big)
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_UNSUPPORTED_TYPE: an EIP-4844 blob transaction', () => {
    // ethereumjs builds blob transactions only with a KZG module present; without blobs it is never called.
    const blobCommon = createCustomCommon({ name: 'causeway-dev', chainId: Number(DEV_CHAIN_ID), defaultHardfork: Hardfork.Prague }, Mainnet, {
      hardfork: Hardfork.Prague,
      customCrypto: { kzg: {} as never },
    })
    const blob = new Blob4844Tx(
      {
        chainId: DEV_CHAIN_ID,
        nonce: 0n,
        maxFeePerGas: 2n * GWEI,
        maxPriorityFeePerGas: GWEI,
        maxFeePerBlobGas: GWEI,
        gasLimit: 21_000n,
        to: TO,
        value: 1n,
        blobVersionedHashes: [`0x01${'00'.repeat(31)}`],
      },
      { common: blobCommon },
    ).sign(KEYS[0]!)
    expectRefusal('MEMPOOL_UNSUPPORTED_TYPE', blob)
  })

  it('MEMPOOL_UNPROTECTED: a legacy transaction signed without EIP-155', () => {
    // Homestead rules sign with v = 27/28 (no chain id); decoded under the dev chain's rules it stays unprotected.
    const homestead = createCustomCommon({ chainId: Number(DEV_CHAIN_ID), name: 'old' }, Mainnet, { hardfork: Hardfork.Homestead })
    const signed = createLegacyTx({ nonce: 0n, gasPrice: 2n * GWEI, gasLimit: 21_000n, to: TO, value: 1n }, { common: homestead }).sign(KEYS[0]!)
    expect(signed.v === 27n || signed.v === 28n).toBe(true)
    const unprotected = createLegacyTxFromRLP(signed.serialize(), { common })
    expectRefusal('MEMPOOL_UNPROTECTED', unprotected)
  })

  it('MEMPOOL_WRONG_CHAIN: signed for another chain id (typed and legacy)', () => {
    const mainnetLike = createChainCommon({ chainId: 1n, name: 'other' })
    expectRefusal('MEMPOOL_WRONG_CHAIN', tx1559({ common: mainnetLike }))
    expectRefusal('MEMPOOL_WRONG_CHAIN', txLegacy({ common: mainnetLike }))
  })

  it('MEMPOOL_GAS_LIMIT: more gas than a block holds', () => {
    expectRefusal('MEMPOOL_GAS_LIMIT', tx1559({ gasLimit: DEFAULT_GAS_LIMIT + 1n, maxFee: 10n ** 8n, tip: 0n }))
    const pool = new Mempool()
    add(pool, tx1559({ gasLimit: DEFAULT_GAS_LIMIT, maxFee: 10n ** 8n, tip: 0n }))
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_INTRINSIC_GAS: below 21,000 for a transfer', () => {
    expectRefusal('MEMPOOL_INTRINSIC_GAS', tx1559({ gasLimit: 20_999n }))
    expectRefusal('MEMPOOL_INTRINSIC_GAS', txLegacy({ gasLimit: 20_999n }))
  })

  it('MEMPOOL_INTRINSIC_GAS: below the EIP-7623 calldata floor (Prague), which execution would refuse', () => {
    // 1,000 non-zero bytes: intrinsic 21,000 + 16·1,000 = 37,000; the floor is 21,000 + 10·4·1,000 = 61,000.
    const data = new Uint8Array(1000).fill(0xff)
    expect(tx1559({ data, gasLimit: 100_000n }).getIntrinsicGas()).toBe(37_000n)
    expectRefusal('MEMPOOL_INTRINSIC_GAS', tx1559({ data, gasLimit: 37_000n }))
    expectRefusal('MEMPOOL_INTRINSIC_GAS', tx1559({ data, gasLimit: 60_999n }))
    const pool = new Mempool()
    add(pool, tx1559({ data, gasLimit: 61_000n }))
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_UNDERPRICED: a fee cap below the chain minimum', () => {
    expectRefusal('MEMPOOL_UNDERPRICED', tx1559({ maxFee: DEFAULT_MIN_BASE_FEE - 1n, tip: 0n }))
    expectRefusal('MEMPOOL_UNDERPRICED', txLegacy({ gasPrice: DEFAULT_MIN_BASE_FEE - 1n }))
    const pool = new Mempool()
    add(pool, tx1559({ maxFee: DEFAULT_MIN_BASE_FEE, tip: 0n }))
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_NONCE_TOO_LOW: below the account nonce', () => {
    expectRefusal('MEMPOOL_NONCE_TOO_LOW', tx1559({ nonce: 4 }), ctx({ nonce: 5n }))
  })

  it('MEMPOOL_NONCE_TOO_HIGH: further ahead than the per-sender limit', () => {
    const l = limits({ perSender: 4 })
    expectRefusal('MEMPOOL_NONCE_TOO_HIGH', tx1559({ nonce: 7 }), ctx({ nonce: 3n }), l)
    const pool = new Mempool(l)
    add(pool, tx1559({ nonce: 6 }), ctx({ nonce: 3n })) // a gap is allowed within the window
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_INSUFFICIENT_FUNDS: balance below gas limit × fee cap + value', () => {
    const t = tx1559({ value: 1000n, maxFee: 2n * GWEI })
    const cost = 21_000n * 2n * GWEI + 1000n
    expectRefusal('MEMPOOL_INSUFFICIENT_FUNDS', t, ctx({ balance: cost - 1n }))
    const pool = new Mempool()
    add(pool, t, ctx({ balance: cost }))
    expect(pool.size).toBe(1)
  })

  it('MEMPOOL_REPLACEMENT_UNDERPRICED: the same nonce without a 10% bump of both fee cap and tip', () => {
    const old = tx1559({ maxFee: 100n * GWEI, tip: 10n * GWEI })
    // 9% on both; 10% on the cap only; 10% on the tip only.
    expectRefusal('MEMPOOL_REPLACEMENT_UNDERPRICED', tx1559({ maxFee: 109n * GWEI, tip: 10_900_000_000n }), ctx(), undefined, [old])
    expectRefusal('MEMPOOL_REPLACEMENT_UNDERPRICED', tx1559({ maxFee: 110n * GWEI, tip: 10n * GWEI }), ctx(), undefined, [old])
    expectRefusal('MEMPOOL_REPLACEMENT_UNDERPRICED', tx1559({ maxFee: 100n * GWEI, tip: 11n * GWEI }), ctx(), undefined, [old])
    const legacyOld = txLegacy({ gasPrice: 100n * GWEI })
    expectRefusal('MEMPOOL_REPLACEMENT_UNDERPRICED', txLegacy({ gasPrice: 109n * GWEI }), ctx(), undefined, [legacyOld])
  })

  it('MEMPOOL_SENDER_FULL: one more than the per-sender limit; a replacement still fits', () => {
    const l = limits({ perSender: 3 })
    const three = [0, 1, 2].map((n) => tx1559({ nonce: n }))
    expectRefusal('MEMPOOL_SENDER_FULL', tx1559({ nonce: 3 }), ctx(), l, three)
    const pool = new Mempool(l)
    for (const t of three) add(pool, t)
    add(pool, tx1559({ key: 1 })) // other senders are not affected
    const { replaced } = add(pool, tx1559({ nonce: 1, maxFee: 3n * GWEI, tip: 2n * GWEI }))
    expect(replaced?.hash).toEqual(three[1]!.hash())
    expect(pool.size).toBe(4)
  })

  it('MEMPOOL_FULL: one more than the total limit; a replacement still fits', () => {
    const l = limits({ total: 3 })
    const three = [0, 1, 2].map((k) => tx1559({ key: k }))
    expectRefusal('MEMPOOL_FULL', tx1559({ key: 3 }), ctx(), l, three)
    expectRefusal('MEMPOOL_FULL', tx1559({ key: 0, nonce: 1 }), ctx(), l, three)
    const pool = new Mempool(l)
    for (const t of three) add(pool, t)
    add(pool, tx1559({ key: 2, maxFee: 3n * GWEI, tip: 2n * GWEI }))
    expect(pool.size).toBe(3)
  })

  it('MEMPOOL_BAD_SIGNATURE: a signature from which no sender recovers', () => {
    const forged = createFeeMarket1559Tx(
      { nonce: 0n, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 21_000n, to: TO, value: 1n, r: 0n, s: 1n, v: 0n },
      { common },
    )
    expectRefusal('MEMPOOL_BAD_SIGNATURE', forged)
  })
})

describe('replacement', () => {
  it('a ≥10% bump of fee cap and tip replaces the old transaction', () => {
    const pool = new Mempool()
    const old = tx1559({ maxFee: 100n * GWEI, tip: 10n * GWEI })
    add(pool, old)
    add(pool, tx1559({ nonce: 1 }))
    const bumped = tx1559({ maxFee: 110n * GWEI, tip: 11n * GWEI })
    const { entry, replaced } = add(pool, bumped)
    expect(replaced?.hash).toEqual(old.hash())
    expect(entry.hash).toEqual(bumped.hash())
    expect(pool.size).toBe(2)
    expect(pool.get(old.hash())).toBeUndefined()
    expect(pool.get(bumped.hash())).toBeDefined()
    expect(pool.select(DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, () => 0n).map((t) => t.nonce)).toEqual([0n, 1n])
    expect(pool.select(DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, () => 0n)[0]!.hash()).toEqual(bumped.hash())
    // The old one is gone for good: it may be sent again only as a new replacement, which it is not.
    expectCode(() => add(pool, old), 'MEMPOOL_REPLACEMENT_UNDERPRICED')
    // A legacy replacement bumps its gas price.
    const l0 = txLegacy({ key: 1, gasPrice: 10n * GWEI })
    add(pool, l0)
    expect(add(pool, txLegacy({ key: 1, gasPrice: 11n * GWEI })).replaced?.hash).toEqual(l0.hash())
  })
})

describe('pendingNonce', () => {
  it('counts the run of pool nonces that follows the state nonce', () => {
    const pool = new Mempool()
    expect(pool.pendingNonce(ADDR[0]!, 0n)).toBe(0n)
    for (const n of [0, 1, 2, 4]) add(pool, tx1559({ nonce: n }))
    expect(pool.pendingNonce(ADDR[0]!, 0n)).toBe(3n) // the gap at 3 stops it
    expect(pool.pendingNonce(ADDR[0]!, 1n)).toBe(3n)
    expect(pool.pendingNonce(ADDR[0]!, 4n)).toBe(5n)
    expect(pool.pendingNonce(ADDR[0]!, 7n)).toBe(7n)
    expect(pool.pendingNonce(ADDR[1]!, 9n)).toBe(9n)
  })
})

describe('select', () => {
  const nonce0 = () => 0n
  const base = DEFAULT_MIN_BASE_FEE

  it('orders each sender by nonce, whatever the arrival order', () => {
    const pool = new Mempool()
    for (const n of [3, 1, 2, 0]) add(pool, tx1559({ nonce: n, tip: BigInt(10 - n) * GWEI, maxFee: 20n * GWEI }))
    expect(pool.select(DEFAULT_GAS_LIMIT, base, nonce0).map((t) => t.nonce)).toEqual([0n, 1n, 2n, 3n])
  })

  it('starts each sender at its state nonce and ignores stale nonces below it', () => {
    const pool = new Mempool()
    for (const n of [0, 1, 2, 3]) add(pool, tx1559({ nonce: n }))
    expect(pool.select(DEFAULT_GAS_LIMIT, base, () => 2n).map((t) => t.nonce)).toEqual([2n, 3n])
  })

  it('interleaves senders by effective tip, highest first, then by arrival', () => {
    const pool = new Mempool()
    const a0 = tx1559({ key: 0, nonce: 0, tip: 3n * GWEI, maxFee: 10n * GWEI })
    const a1 = tx1559({ key: 0, nonce: 1, tip: 1n * GWEI, maxFee: 10n * GWEI })
    const b0 = tx1559({ key: 1, nonce: 0, tip: 2n * GWEI, maxFee: 10n * GWEI })
    const b1 = tx1559({ key: 1, nonce: 1, tip: 2n * GWEI, maxFee: 10n * GWEI })
    // C offers a big tip but a cap just above the base fee: its effective tip is 1 wei.
    const c0 = tx1559({ key: 2, nonce: 0, tip: 100n * GWEI, maxFee: 100n * GWEI })
    // D ties with A1 (1 gwei) and arrived after it.
    const d0 = txLegacy({ key: 3, gasPrice: 2n * GWEI })
    for (const t of [a0, a1, b0, b1, c0, d0]) add(pool, t)
    const baseFee = 99n * GWEI + GWEI - 1n // C's effective tip: 100 gwei − baseFee = 1 wei
    const order = pool.select(DEFAULT_GAS_LIMIT, baseFee, nonce0).map((t) => toHex(t.hash()))
    // Only txs whose cap covers the base fee are selected: A, B and D cap below 100 gwei − 1 wei, so only C.
    expect(order).toEqual([toHex(c0.hash())])
    const low = 1n * GWEI // every tx can pay; effective tips: A0 3, A1 1, B 2/2, C 99, D 1 (legacy: price − base)
    const order2 = pool.select(DEFAULT_GAS_LIMIT, low, nonce0).map((t) => toHex(t.hash()))
    expect(order2).toEqual([c0, a0, b0, b1, a1, d0].map((t) => toHex(t.hash())))
  })

  it('a nonce gap stops a sender; the others go on', () => {
    const pool = new Mempool()
    for (const n of [0, 1, 3, 4]) add(pool, tx1559({ key: 0, nonce: n }))
    add(pool, tx1559({ key: 1, nonce: 1 })) // B's nonce 0 is missing altogether
    add(pool, tx1559({ key: 2, nonce: 0 }))
    const picked = pool.select(DEFAULT_GAS_LIMIT, base, nonce0).map((t) => `${bytesToHex(t.getSenderAddress().bytes)}:${t.nonce}`)
    expect(picked.sort()).toEqual([`${SENDER[0]}:0`, `${SENDER[0]}:1`, `${SENDER[2]}:0`].sort())
  })

  it('respects the gas cap; a sender whose next transaction does not fit contributes nothing more', () => {
    const pool = new Mempool()
    add(pool, tx1559({ key: 0, nonce: 0, tip: 5n * GWEI, maxFee: 10n * GWEI }))
    add(pool, tx1559({ key: 0, nonce: 1, tip: 5n * GWEI, maxFee: 10n * GWEI, gasLimit: 100_000n }))
    add(pool, tx1559({ key: 0, nonce: 2, tip: 5n * GWEI, maxFee: 10n * GWEI }))
    add(pool, tx1559({ key: 1, nonce: 0, tip: 1n * GWEI, maxFee: 10n * GWEI }))
    const picked = pool.select(63_000n, base, nonce0)
    expect(picked.map((t) => `${bytesToHex(t.getSenderAddress().bytes)}:${t.nonce}`)).toEqual([`${SENDER[0]}:0`, `${SENDER[1]}:0`])
    expect(picked.reduce((s, t) => s + t.gasLimit, 0n)).toBeLessThanOrEqual(63_000n)
    // Many small ones: exactly as many as fit.
    const many = new Mempool()
    for (let n = 0; n < 10; n++) add(many, tx1559({ key: 3, nonce: n }))
    expect(many.select(21_000n * 4n + 20_999n, base, nonce0)).toHaveLength(4)
    expect(many.select(0n, base, nonce0)).toHaveLength(0)
  })

  it('transactions whose fee cap is below the base fee wait (and so does everything after them)', () => {
    const pool = new Mempool()
    add(pool, tx1559({ key: 0, nonce: 0, maxFee: 1n * GWEI, tip: 0n }))
    add(pool, tx1559({ key: 0, nonce: 1, maxFee: 50n * GWEI, tip: GWEI }))
    add(pool, tx1559({ key: 1, nonce: 0, maxFee: 50n * GWEI, tip: GWEI }))
    expect(pool.select(DEFAULT_GAS_LIMIT, 2n * GWEI, nonce0).map((t) => bytesToHex(t.getSenderAddress().bytes))).toEqual([SENDER[1]])
    expect(pool.size).toBe(3) // waiting, not dropped
    expect(pool.select(DEFAULT_GAS_LIMIT, 1n * GWEI, nonce0)).toHaveLength(3)
  })
})

describe('remove and pruneSender', () => {
  it('pruneSender drops the nonces below the new state nonce and returns their hashes', () => {
    const pool = new Mempool()
    const txs = [0, 1, 2, 3, 4].map((n) => tx1559({ nonce: n }))
    for (const t of txs) add(pool, t)
    const other = tx1559({ key: 1 })
    add(pool, other)
    const dropped = pool.pruneSender(SENDER[0]!, 3n)
    expect(dropped.map(toHex).sort()).toEqual(txs.slice(0, 3).map((t) => toHex(t.hash())).sort())
    expect(pool.size).toBe(3)
    for (const t of txs.slice(0, 3)) expect(pool.get(t.hash())).toBeUndefined()
    expect(pool.pendingNonce(ADDR[0]!, 3n)).toBe(5n)
    expect(pool.pruneSender(SENDER[0]!, 3n)).toEqual([])
    expect(pool.pruneSender(SENDER[0]!, 10n)).toHaveLength(2)
    expect(pool.senders()).toEqual([SENDER[1]])
    expect(pool.pruneSender(SENDER[2]!, 10n)).toEqual([])
    // The freed nonces can be admitted again (as new transactions of the new state).
    add(pool, tx1559({ nonce: 10 }), ctx({ nonce: 10n }))
    expect(pool.size).toBe(2)
  })

  it('remove takes one transaction out and reports whether it was there', () => {
    const pool = new Mempool()
    const a = tx1559({ nonce: 0 })
    const b = tx1559({ nonce: 1 })
    add(pool, a)
    add(pool, b)
    expect(pool.remove(a.hash())).toBe(true)
    expect(pool.remove(a.hash())).toBe(false)
    expect(pool.size).toBe(1)
    expect(pool.pendingNonce(ADDR[0]!, 0n)).toBe(0n)
    expect(pool.remove(b.hash())).toBe(true)
    expect(pool.senders()).toEqual([])
  })
})
