// End to end with real cryptography: deposits to a 2-of-3 federation (deposit addresses and the memo form), a batch
// over those UTXOs, signatures by two of three members, the assembled transaction — run through bcoin's script
// interpreter under standard flags — and, independently, each signature checked against its sighash and the key
// at its place in the witness script.
import { payments, Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import {
  assembleBatch,
  batchSighashes,
  buildBatch,
  depositScriptPubKey,
  depositWitnessScript,
  encodePegInMemo,
  federationScriptPubKey,
  federationWitnessScript,
  findPegInOutputs,
  signBatch,
  utxoScriptPubKey,
  verifyBatchSignature,
  type Batch,
  type FederationUtxo,
} from '../../../../peg/bitcoin/index.js'
import { verifyWithBcoin } from '../../../helpers/bcoin-script.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, bob, CHAIN_ID, destinations, fed, fundingTx, memberPrivs, testKey } from './fixtures.js'

// Three peg-ins: Alice to her deposit address, Bob by memo to the plain address, Alice again in a later transaction.
function pegIns(): FederationUtxo[] {
  const utxos: FederationUtxo[] = []
  const txs = [
    { tx: fundingTx([{ script: depositScriptPubKey(fed, CHAIN_ID, alice), value: 150_000n }], 1), recipient: alice },
    {
      tx: fundingTx([{ script: encodePegInMemo({ chainId: CHAIN_ID, recipient: bob }), value: 0n }, { script: federationScriptPubKey(fed), value: 90_000n }], 2),
      recipient: undefined,
    },
    { tx: fundingTx([{ script: destinations.p2wpkh, value: 1n }, { script: depositScriptPubKey(fed, CHAIN_ID, alice), value: 60_000n }], 3), recipient: alice },
  ]
  for (const { tx, recipient } of txs) {
    for (const out of findPegInOutputs(tx.raw, { fed, chainId: CHAIN_ID, recipient })) {
      // The UTXO's script: the deposit script for the address form, the plain federation script for the memo form.
      utxos.push({ txid: tx.txid, vout: out.vout, valueSats: out.valueSats, recipient: out.kind === 'deposit-address' ? out.recipient : null })
    }
  }
  return utxos
}

const utxos = pegIns()
const requests = [
  { id: 1n, scriptPubKey: destinations.p2wpkh, valueSats: 120_000n },
  { id: 2n, scriptPubKey: destinations.p2wsh, valueSats: 60_000n },
  { id: 4n, scriptPubKey: destinations.p2pkh, valueSats: 65_000n },
]
const batch = buildBatch(utxos, requests, { fed, chainId: CHAIN_ID, feeRateSatPerVb: 3n })
const spent = (b: Batch) => b.inputs.map((u) => ({ script: utxoScriptPubKey(fed, CHAIN_ID, u.recipient), value: u.valueSats }))
const sigs = memberPrivs.map((d) => signBatch(batch, d, fed, CHAIN_ID))

describe('a batch over deposit-address and memo UTXOs, signed by 2 of 3', () => {
  it('spends both kinds of UTXO', () => {
    expect(batch.inputs.map((u) => (u.recipient === null ? 'plain' : bytesToHex(u.recipient)))).toEqual([bytesToHex(alice), 'plain', bytesToHex(alice)])
  })

  it.each([[[0, 1]], [[0, 2]], [[1, 2]], [[0, 1, 2]]])('validates in bcoin’s script interpreter, signed by members %j', (members) => {
    const raw = assembleBatch(batch, fed, CHAIN_ID, new Map(members.map((m) => [m, sigs[m]!])))
    const verdict = verifyWithBcoin(raw, spent(batch))
    expect(verdict.standardReason).toBe('valid')
    expect(verdict.standard).toBe(true)
    // The fee was computed from an upper bound: the real size is at most it, and short of it by at most one byte per
    // signature (71- instead of 72-byte signatures), counted at witness weight.
    expect(verdict.vsize).toBeLessThanOrEqual(batch.vsize)
    expect(verdict.weight).toBeGreaterThanOrEqual(4 * batch.vsize - 3 - batch.inputs.length * fed.threshold)
    const tx = Transaction.fromBuffer(raw)
    expect(bytesToHex(tx.getHash())).toBe(bytesToHex(batch.txid)) // witnesses do not change the txid
    expect(tx.virtualSize()).toBe(verdict.vsize)
  })

  it('pays taproot too: consensus-valid in bcoin, though bcoin 1.0.2 (pre-taproot) calls the output non-standard', () => {
    const withTaproot = buildBatch(utxos, [...requests, { id: 5n, scriptPubKey: destinations.p2tr, valueSats: 20_000n }], {
      fed,
      chainId: CHAIN_ID,
      feeRateSatPerVb: 3n,
    })
    const members = new Map([0, 2].map((m) => [m, signBatch(withTaproot, memberPrivs[m]!, fed, CHAIN_ID)]))
    const verdict = verifyWithBcoin(assembleBatch(withTaproot, fed, CHAIN_ID, members), spent(withTaproot))
    expect(verdict.valid).toBe(true)
    expect(verdict.standardReason).toBe('scriptpubkey') // why parsePegOutAddress can refuse p2tr (allowTaproot: false)
  })

  it('each witness is [empty, k signatures in script key order, witness script] — checked without peg/ signing code', () => {
    const raw = assembleBatch(batch, fed, CHAIN_ID, new Map([[2, sigs[2]!], [0, sigs[0]!]]))
    const tx = Transaction.fromBuffer(raw)
    batch.inputs.forEach((u, i) => {
      const witness = tx.ins[i]!.witness
      expect(witness).toHaveLength(4)
      expect(witness[0]!.length).toBe(0)
      const ws = witness[3]!
      expect(bytesToHex(ws)).toBe(bytesToHex(u.recipient === null ? federationWitnessScript(fed) : depositWitnessScript(fed, CHAIN_ID, u.recipient)))
      const keys = payments.p2ms({ output: ws }).pubkeys!
      // OP_CHECKMULTISIG: walk the keys in script order, each signature must match a key after the previous one's.
      const hash = tx.hashForWitnessV0(i, ws, u.valueSats, Transaction.SIGHASH_ALL)
      let k = 0
      for (const sig of witness.slice(1, 3)) {
        expect(sig[sig.length - 1]).toBe(0x01)
        const compact = decodeDer(sig.subarray(0, -1))
        while (k < keys.length && !ecc.verify(hash, keys[k]!, compact, true)) k++
        expect(k).toBeLessThan(keys.length)
        k++
      }
    })
  })

  it('bcoin refuses the same signatures out of key order, and a witness with one signature', () => {
    const raw = assembleBatch(batch, fed, CHAIN_ID, new Map([[0, sigs[0]!], [1, sigs[1]!]]))
    const swapped = Transaction.fromBuffer(raw)
    const w = swapped.ins[0]!.witness
    swapped.setWitness(0, [w[0]!, w[2]!, w[1]!, w[3]!])
    expect(() => verifyWithBcoin(swapped.toBuffer(), spent(batch))).toThrow()
    const short = Transaction.fromBuffer(raw)
    short.setWitness(1, [w[0]!, short.ins[1]!.witness[1]!, short.ins[1]!.witness[3]!])
    expect(() => verifyWithBcoin(short.toBuffer(), spent(batch))).toThrow()
  })

  it('a deposit input needs the tweaked key: the untweaked key’s signature is not valid there', () => {
    const hashes = batchSighashes(batch, fed, CHAIN_ID)
    const untweaked = ecc.sign(hashes[0]!, memberPrivs[1]!)
    const der = encodeDer(untweaked)
    expect(verifyBatchSignature(batch, fed, CHAIN_ID, 0, 1, der)).toBe(false)
    // and assembling with it in place of member 1's real signature on input 0 leaves input 0 one short
    const forged = [der, ...sigs[1]!.slice(1)]
    const e = expectCode(() => assembleBatch(batch, fed, CHAIN_ID, new Map([[0, sigs[0]!], [1, forged]])), 'PEG_NOT_ENOUGH_SIGNATURES')
    expect(e.details).toMatchObject({ input: 0, valid: 1, threshold: 2 })
  })

  it('PEG_NOT_ENOUGH_SIGNATURES with one member, none, or bad bytes in place of a signature', () => {
    expectCode(() => assembleBatch(batch, fed, CHAIN_ID, new Map([[2, sigs[2]!]])), 'PEG_NOT_ENOUGH_SIGNATURES')
    expectCode(() => assembleBatch(batch, fed, CHAIN_ID, new Map()), 'PEG_NOT_ENOUGH_SIGNATURES')
    const junk = sigs[1]!.map(() => new Uint8Array(64).fill(7))
    expectCode(() => assembleBatch(batch, fed, CHAIN_ID, new Map([[0, sigs[0]!], [1, junk]])), 'PEG_NOT_ENOUGH_SIGNATURES')
    // a third member's good signatures make up for the bad ones
    expect(() => verifyWithBcoin(assembleBatch(batch, fed, CHAIN_ID, new Map([[0, sigs[0]!], [1, junk], [2, sigs[2]!]])), spent(batch))).not.toThrow()
    expectCode(() => assembleBatch(batch, fed, CHAIN_ID, new Map([[3, sigs[0]!]])), 'PEG_NOT_A_MEMBER')
  })
})

describe('signBatch', () => {
  it('is deterministic (RFC6979) and low-S', () => {
    expect(signBatch(batch, memberPrivs[0]!, fed, CHAIN_ID).map(bytesToHex)).toEqual(sigs[0]!.map(bytesToHex))
    const halfN = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n
    for (const sig of sigs.flat()) {
      const s = BigInt(`0x${bytesToHex(decodeDer(sig.subarray(0, -1)).subarray(32))}`)
      expect(s <= halfN).toBe(true)
    }
  })

  it('signs the BIP143 sighash of each input', () => {
    const tx = Transaction.fromBuffer(batch.unsignedTx)
    const expected = batch.inputs.map((u, i) =>
      tx.hashForWitnessV0(i, u.recipient === null ? federationWitnessScript(fed) : depositWitnessScript(fed, CHAIN_ID, u.recipient), u.valueSats, 0x01),
    )
    expect(batchSighashes(batch, fed, CHAIN_ID).map(bytesToHex)).toEqual(expected.map(bytesToHex))
  })

  it('refuses a key that is not a member’s, or not a key', () => {
    expectCode(() => signBatch(batch, testKey('stranger'), fed, CHAIN_ID), 'PEG_NOT_A_MEMBER')
    expectCode(() => signBatch(batch, new Uint8Array(32), fed, CHAIN_ID), 'PEG_PRIVATE_KEY_INVALID')
    expectCode(() => signBatch(batch, new Uint8Array(31), fed, CHAIN_ID), 'PEG_PRIVATE_KEY_INVALID')
  })
})

describe('verifyBatchSignature', () => {
  it('is true for the member’s own signature of that input only', () => {
    for (let i = 0; i < batch.inputs.length; i++) {
      for (let m = 0; m < 3; m++) {
        for (let signer = 0; signer < 3; signer++) {
          expect(verifyBatchSignature(batch, fed, CHAIN_ID, i, m, sigs[signer]![i]!)).toBe(m === signer)
        }
        expect(verifyBatchSignature(batch, fed, CHAIN_ID, i, m, sigs[m]![(i + 1) % batch.inputs.length]!)).toBe(false)
      }
    }
  })

  it('is false for the same signature on another chain’s batch or another transaction', () => {
    const other = buildBatch(utxos, requests.slice(0, 2), { fed, chainId: CHAIN_ID, feeRateSatPerVb: 3n })
    expect(verifyBatchSignature(other, fed, CHAIN_ID, 0, 0, sigs[0]![0]!)).toBe(false)
  })

  it('is false for a high-S twin of a valid signature (BIP146), and for a changed s', () => {
    const compact = decodeDer(sigs[0]![0]!.subarray(0, -1))
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(`0x${bytesToHex(compact.subarray(32))}`)
    const high = Uint8Array.of(...compact.subarray(0, 32), ...hex32(n - s))
    expect(verifyBatchSignature(batch, fed, CHAIN_ID, 0, 0, encodeDer(high))).toBe(false)
    const changed = Uint8Array.of(...compact.subarray(0, 32), ...hex32(s - 1n))
    expect(verifyBatchSignature(batch, fed, CHAIN_ID, 0, 0, encodeDer(changed))).toBe(false)
    const rTooBig = Uint8Array.of(...hex32(n + 5n), ...compact.subarray(32))
    expect(verifyBatchSignature(batch, fed, CHAIN_ID, 0, 0, encodeDer(rTooBig))).toBe(false)
  })

  it('PEG_SIGNATURE_MALFORMED for bytes that are not DER + SIGHASH_ALL; range errors for bad indexes', () => {
    const good = sigs[0]![0]!
    const bads = [
      new Uint8Array(0),
      good.subarray(0, -1), // no sighash byte
      Uint8Array.of(...good.subarray(0, -1), 0x02), // SIGHASH_NONE
      Uint8Array.of(...good.subarray(0, -1), 0x81), // ALL|ANYONECANPAY
      Uint8Array.of(0x31, ...good.subarray(1)), // not a SEQUENCE
      new Uint8Array(64).fill(1),
    ]
    for (const bad of bads) expectCode(() => verifyBatchSignature(batch, fed, CHAIN_ID, 0, 0, bad), 'PEG_SIGNATURE_MALFORMED')
    expectCode(() => verifyBatchSignature(batch, fed, CHAIN_ID, 3, 0, good), 'PEG_BATCH_INVALID')
    expectCode(() => verifyBatchSignature(batch, fed, CHAIN_ID, 0, 3, good), 'PEG_NOT_A_MEMBER')
  })
})

// Minimal DER for the test's own use (independent of peg/ and bitcoinjs-lib).
function derInt(x: Uint8Array): number[] {
  let i = 0
  while (i < x.length - 1 && x[i] === 0) i++
  const v = [...x.subarray(i)]
  return v[0]! & 0x80 ? [0, ...v] : v
}
function encodeDer(compact: Uint8Array): Uint8Array {
  const r = derInt(compact.subarray(0, 32))
  const s = derInt(compact.subarray(32))
  return Uint8Array.of(0x30, 4 + r.length + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s, 0x01)
}
function decodeDer(der: Uint8Array): Uint8Array {
  const rLen = der[3]!
  const r = der.subarray(4, 4 + rLen)
  const s = der.subarray(6 + rLen)
  const out = new Uint8Array(64)
  out.set(r.subarray(Math.max(0, r.length - 32)), 32 - Math.min(32, r.length))
  out.set(s.subarray(Math.max(0, s.length - 32)), 64 - Math.min(32, s.length))
  return out
}
function hex32(v: bigint): Uint8Array {
  const h = v.toString(16).padStart(64, '0').slice(-64)
  return Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)))
}
