// Which funding script a first input reveals (peg/bitcoin/refund.ts): each form that fixes the script exactly, and
// the forms that must reveal nothing because a guess could pay an address nobody can spend. The spends are built
// by bitcoinjs-lib's payments, as a wallet would build them.
import { Transaction, payments, script as bscript } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { fundingOutputScript, fundingScriptOf } from '../../../../peg/bitcoin/index.js'

const priv = (n: number) => new Uint8Array(32).fill(n)
const pub = (n: number) => ecc.pointFromScalar(priv(n), true)!
const sig = (n: number) => bscript.signature.encode(ecc.sign(new Uint8Array(32).fill(0xee), priv(n)), Transaction.SIGHASH_ALL)

function spending(scriptSig: Uint8Array, witness: Uint8Array[], prev: Uint8Array = new Uint8Array(32).fill(3)): Transaction {
  const tx = new Transaction()
  tx.addInput(prev, prev.every((b) => b === 0) ? 0xffffffff : 0, 0xffffffff, scriptSig)
  if (witness.length > 0) tx.setWitness(0, witness)
  tx.addOutput(Uint8Array.of(0x51), 1n)
  return tx
}

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'))

describe('fundingScriptOf', () => {
  const key = pub(1)
  const ms = payments.p2ms({ m: 2, pubkeys: [pub(1), pub(2), pub(3)] })

  it.each([
    ['P2PKH', () => spending(bscript.compile([sig(1), key]), []), payments.p2pkh({ pubkey: key }).output!, 'p2pkh'],
    ['P2WPKH', () => spending(new Uint8Array(0), [sig(1), key]), payments.p2wpkh({ pubkey: key }).output!, 'p2wpkh'],
    [
      'P2SH-P2WPKH',
      () => spending(bscript.compile([payments.p2wpkh({ pubkey: key }).output!]), [sig(1), key]),
      payments.p2sh({ redeem: payments.p2wpkh({ pubkey: key }) }).output!,
      'p2sh',
    ],
    [
      'P2SH-P2WSH',
      () => spending(bscript.compile([payments.p2wsh({ redeem: ms }).output!]), [new Uint8Array(0), sig(1), sig(2), ms.output!]),
      payments.p2sh({ redeem: payments.p2wsh({ redeem: ms }) }).output!,
      'p2sh',
    ],
    ['P2WSH multisig', () => spending(new Uint8Array(0), [new Uint8Array(0), sig(1), sig(2), ms.output!]), payments.p2wsh({ redeem: ms }).output!, 'p2wsh'],
  ])('%s reveals its script', (_, make, expected, type) => {
    const r = fundingScriptOf(make())
    expect(hex(r.script)).toBe(hex(expected))
    expect('type' in r && r.type).toBe(type)
  })

  it.each([
    ['a coinbase', () => spending(Uint8Array.of(1, 1), [], new Uint8Array(32))],
    ['a taproot key-path spend', () => spending(new Uint8Array(0), [new Uint8Array(64).fill(7)])],
    ['a taproot script-path spend', () => spending(new Uint8Array(0), [sig(1), Uint8Array.of(0x20, ...new Uint8Array(32).fill(1), 0xac), Uint8Array.of(0xc0, ...new Uint8Array(32).fill(2))])],
    ['a P2WSH with a non-multisig witness script', () => spending(new Uint8Array(0), [sig(1), Uint8Array.of(0x51)])],
    ['a legacy P2SH (scriptSig pushes only)', () => spending(bscript.compile([bscript.OPS.OP_0, sig(1), ms.output!]), [])],
    ['a P2PKH-shaped scriptSig whose key is not a point', () => spending(bscript.compile([sig(1), Uint8Array.of(0x05, ...new Uint8Array(32).fill(2))]), [])],
    ['a nested P2WPKH whose key does not match its program', () => spending(bscript.compile([payments.p2wpkh({ pubkey: pub(2) }).output!]), [sig(1), key])],
    ['a nested P2WSH whose witness script does not match', () => spending(bscript.compile([payments.p2wsh({ redeem: ms }).output!]), [sig(1), Uint8Array.of(0x51)])],
  ])('%s reveals nothing', (_, make) => {
    const r = fundingScriptOf(make())
    expect(r.script).toBeNull()
    expect('why' in r && r.why.length > 0).toBe(true)
  })
})

describe('fundingOutputScript', () => {
  it('gives a standard output\'s script, null for a missing or non-standard one', () => {
    const tx = new Transaction()
    tx.addInput(new Uint8Array(32).fill(1), 0)
    tx.addOutput(payments.p2wpkh({ pubkey: pub(1) }).output!, 50_000n)
    tx.addOutput(Uint8Array.of(0x51), 1n)
    expect(hex(fundingOutputScript(tx, 0))).toBe(hex(payments.p2wpkh({ pubkey: pub(1) }).output!))
    expect(fundingOutputScript(tx, 1)).toBeNull()
    expect(fundingOutputScript(tx, 2)).toBeNull()
  })
})
