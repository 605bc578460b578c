// The demo wallet's pure part, without a node: keys and bcoin's regtest addresses, coinbase maturity, coin
// selection, fees against the real size, signatures that verify, determinism and the refusals.
import { Transaction, payments, script as bscript } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { DemoWallet, bcoinRegtest, bip34Height, estimateVsize, type WalletUtxo } from '../../../../regtest/bitcoin/index.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'

const coin = (i: number, height: number | null, valueSats = 5_000_000_000n, coinbase = true): WalletUtxo => ({
  txid: i.toString(16).padStart(64, '0'),
  vout: 0,
  valueSats,
  height,
  coinbase,
})

const target = payments.p2wsh({ redeem: payments.p2ms({ m: 1, pubkeys: [new DemoWallet({ seed: 'x' }).publicKey] }) }).output!

describe('keys and addresses', () => {
  it('is deterministic per seed, with a P2WPKH address on bcoin regtest (rb1q…)', () => {
    const a = new DemoWallet({ seed: 's' })
    expect(new DemoWallet({ seed: 's' }).address).toBe(a.address)
    expect(new DemoWallet({ seed: 't' }).address).not.toBe(a.address)
    expect(a.address).toMatch(/^rb1q[02-9ac-hj-np-z]{38}$/)
    expect(a.scriptPubKey).toHaveLength(22)
    const key = new Uint8Array(32).fill(9)
    expect(new DemoWallet({ privateKey: key }).publicKey).toEqual(ecc.pointFromScalar(key, true))
    expect(() => new DemoWallet({ privateKey: new Uint8Array(32) })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_BAD_KEY' }))
  })

  it('bcoinRegtest is Core regtest with bcoin prefixes', () => {
    expect(bcoinRegtest).toMatchObject({ bech32: 'rb', pubKeyHash: 0x3c, scriptHash: 0x26, messagePrefix: regtest.addresses.messagePrefix })
    expect(regtest.addresses.bech32).toBe('bcrt') // untouched
    expect(Object.isFrozen(bcoinRegtest)).toBe(true)
  })
})

describe('payments', () => {
  it('spends only mature coinbases (100 blocks), oldest first, with change', () => {
    const w = new DemoWallet()
    w.track(coin(2, 2))
    w.track(coin(1, 1))
    // A coinbase of height 1 may go into block 101, the one after tip 100.
    expect(w.spendable(100).map((c) => c.height)).toEqual([1])
    expect(w.spendable(99)).toEqual([])
    expect(() => w.createPayment({ outputs: [{ scriptPubKey: target, valueSats: 100_000_000n }] }, 99)).toThrow(
      expect.objectContaining({ code: 'DEMO_WALLET_INSUFFICIENT_FUNDS' }),
    )
    const p = w.createPayment({ outputs: [{ scriptPubKey: target, valueSats: 100_000_000n }], feeRate: 5 }, 101)
    expect(p.inputs.map((c) => c.height)).toEqual([1])
    const tx = Transaction.fromBuffer(p.raw)
    expect(tx.getId()).toBe(p.txid)
    expect(tx.outs.map((o) => o.value)).toEqual([100_000_000n, 5_000_000_000n - 100_000_000n - p.feeSats])
    expect(p.change).toMatchObject({ txid: p.txid, vout: 1, height: null, coinbase: false })
    expect(p.feeSats).toBeGreaterThanOrEqual(BigInt(5 * tx.virtualSize()))
    expect(p.feeSats).toBeLessThanOrEqual(BigInt(5 * (tx.virtualSize() + 1)))
    expect(estimateVsize(1, [target, w.scriptPubKey])).toBeGreaterThanOrEqual(tx.virtualSize())
    // Same request, same bytes (RFC 6979); nothing was marked spent by createPayment.
    expect(w.createPayment({ outputs: [{ scriptPubKey: target, valueSats: 100_000_000n }], feeRate: 5 }, 101).raw).toEqual(p.raw)
    expect(w.utxos()).toHaveLength(2)
  })

  it('signs every input so that the signatures verify, with OP_RETURN after the outputs', () => {
    const w = new DemoWallet()
    for (let i = 1; i <= 3; i++) w.track(coin(i, null, 40_000n, false))
    const p = w.createPayment({ outputs: [{ scriptPubKey: target, valueSats: 100_000n }], opReturn: Uint8Array.of(1, 2, 3) }, 10)
    expect(p.inputs).toHaveLength(3)
    const tx = Transaction.fromBuffer(p.raw)
    expect(bscript.toASM(tx.outs[1]!.script)).toBe('OP_RETURN 010203')
    tx.ins.forEach((input, i) => {
      const [sig, pubkey] = input.witness as [Uint8Array, Uint8Array]
      const decoded = bscript.signature.decode(sig)
      const sighash = tx.hashForWitnessV0(i, payments.p2pkh({ pubkey }).output!, 40_000n, Transaction.SIGHASH_ALL)
      expect(ecc.verify(sighash, pubkey, decoded.signature)).toBe(true)
    })
  })

  it('sends change below the dust margin to the fee', () => {
    const w = new DemoWallet()
    w.track(coin(1, null, 100_500n, false))
    const p = w.createPayment({ outputs: [{ scriptPubKey: target, valueSats: 100_000n }], feeRate: 1 }, 10)
    expect(p.change).toBeNull()
    expect(p.feeSats).toBe(500n)
    expect(Transaction.fromBuffer(p.raw).outs).toHaveLength(1)
  })

  it('refuses bad requests with codes', () => {
    const w = new DemoWallet()
    w.track(coin(1, null, 1_000_000n, false))
    const bad = (request: Parameters<DemoWallet['createPayment']>[0]) => () => w.createPayment(request, 10)
    expect(bad({ outputs: [] })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_BAD_REQUEST' }))
    expect(bad({ outputs: [{ scriptPubKey: target, valueSats: 0n }] })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_BAD_REQUEST' }))
    expect(bad({ outputs: [{ scriptPubKey: target, valueSats: 1000n }], opReturn: new Uint8Array(81) })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_BAD_REQUEST' }))
    expect(bad({ outputs: [{ scriptPubKey: target, valueSats: 1000n }], feeRate: -1 })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_BAD_REQUEST' }))
    expect(bad({ outputs: [{ scriptPubKey: target, valueSats: 2_000_000n }] })).toThrow(expect.objectContaining({ code: 'DEMO_WALLET_INSUFFICIENT_FUNDS' }))
  })
})

describe('bip34Height', () => {
  const coinbaseWith = (chunks: (number | Uint8Array)[]) => {
    const tx = new Transaction()
    tx.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, bscript.compile(chunks))
    return tx
  }
  it('reads small heights from OP_n and larger ones from the pushed number', () => {
    expect(bip34Height(coinbaseWith([bscript.OPS['OP_1']!, Uint8Array.of(7)]))).toBe(1)
    expect(bip34Height(coinbaseWith([bscript.OPS['OP_16']!]))).toBe(16)
    expect(bip34Height(coinbaseWith([bscript.number.encode(432)]))).toBe(432)
    expect(bip34Height(coinbaseWith([bscript.number.encode(830_000)]))).toBe(830_000)
  })
})
