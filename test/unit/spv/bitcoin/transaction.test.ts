// Transaction ids and peg evidence checks against the real block 830,000 (../shared/testdata/bitcoin), and the
// 64-byte transaction that could pass for an inner merkle node (CVE-2017-12842).
import { readFileSync } from 'node:fs'
import { Block, Transaction } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { ByteReader, bytesToHex, concatBytes, hashToDisplayHex } from '../../../../spv/base/bytes.js'
import { hash256, merkleParent } from '../../../../spv/bitcoin/hash.js'
import { computeMerkleRoot } from '../../../../spv/bitcoin/merkle.js'
import { buildMerkleBlock, encodeMerkleBlock, verifyMerkleBlock } from '../../../../spv/bitcoin/merkleblock.js'
import { assertPegEvidenceTx, parseTransaction, txid, verifyTxInProof, wtxid } from '../../../../spv/bitcoin/transaction.js'
import { expectCode } from '../../../helpers/expect.js'

const DATA = new URL('../../../../../shared/testdata/bitcoin/', import.meta.url)
const blockBytes = new Uint8Array(readFileSync(new URL('mainnet-block-830000.bin', DATA)))
const block = Block.fromBuffer(blockBytes)
const header = blockBytes.slice(0, 80)
const proofOf = (n: number): Uint8Array => new Uint8Array(readFileSync(new URL(`txoutproof-830000/0830000-${n}.bin`, DATA)))

// The raw bytes of every transaction, cut from the block file itself (not re-serialized).
const rawTxs: Uint8Array[] = (() => {
  const r = new ByteReader(blockBytes)
  r.bytesN(80)
  const count = r.compactSize()
  const out: Uint8Array[] = []
  let at = r.position
  for (let i = 0; i < count; i++) {
    const len = block.transactions![i]!.byteLength()
    out.push(blockBytes.subarray(at, at + len))
    at += len
  }
  if (at !== blockBytes.length) throw new Error('block 830,000 did not split into its transactions')
  return out
})()

// A transaction of one input with an empty scriptSig and one output with a script of `scriptLength` bytes:
// 4 version + 1 + 41 input + 1 + (8 + 1 + scriptLength) output + 4 locktime = 60 + scriptLength bytes.
function smallTx(scriptLength: number, witness?: Uint8Array[]): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  tx.addInput(hash256(Uint8Array.of(1)), 0)
  tx.addOutput(Uint8Array.from([0x6a, ...new Array<number>(scriptLength - 1).fill(0x51)]), 1000n)
  if (witness) tx.setWitness(0, witness)
  return tx.toBuffer()
}

describe('txid and wtxid of the transactions of block 830,000', () => {
  it('the txids of all 1,851 transactions are those bitcoinjs-lib computes and build the header merkle root', () => {
    const ids = rawTxs.map((raw) => txid(raw))
    ids.forEach((id, i) => expect(hashToDisplayHex(id)).toBe(block.transactions![i]!.getId()))
    expect(bytesToHex(computeMerkleRoot(ids).root)).toBe(bytesToHex(header.subarray(36, 68)))
  })

  it('the coinbase is segwit: its txid hashes the bytes without witness, its wtxid all of them', () => {
    const coinbase = rawTxs[0]!
    expect(parseTransaction(coinbase).hasWitnesses()).toBe(true)
    expect(bytesToHex(txid(coinbase))).toBe(bytesToHex(block.transactions![0]!.getHash(false)))
    expect(bytesToHex(wtxid(coinbase))).toBe(bytesToHex(hash256(coinbase)))
    expect(bytesToHex(wtxid(coinbase))).not.toBe(bytesToHex(txid(coinbase)))
  })

  it('the wtxids build the witness commitment of the coinbase (BIP141, coinbase wtxid taken as zero)', () => {
    const wtxids = rawTxs.map((raw, i) => (i === 0 ? new Uint8Array(32) : wtxid(raw)))
    const coinbase = parseTransaction(rawTxs[0]!)
    const reserved = coinbase.ins[0]!.witness[0]!
    const commitment = hash256(concatBytes(computeMerkleRoot(wtxids).root, reserved))
    const out = coinbase.outs.find((o) => bytesToHex(o.script.subarray(0, 6)) === '6a24aa21a9ed')!
    expect(bytesToHex(out.script.subarray(6, 38))).toBe(bytesToHex(commitment))
  })

  it('a transaction without witness has wtxid = txid', () => {
    const i = block.transactions!.findIndex((tx) => !tx.hasWitnesses())
    expect(i).toBeGreaterThan(0)
    expect(bytesToHex(wtxid(rawTxs[i]!))).toBe(bytesToHex(txid(rawTxs[i]!)))
  })
})

describe('malformed transactions (SPV_TX_MALFORMED)', () => {
  const raw = rawTxs[1]!

  it('garbage, empty input and every truncation of a real transaction', () => {
    expectCode(() => parseTransaction(new Uint8Array(0)), 'SPV_TX_MALFORMED')
    expectCode(() => txid(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01, 0x02)), 'SPV_TX_MALFORMED')
    expectCode(() => wtxid(hash256(Uint8Array.of(9))), 'SPV_TX_MALFORMED')
    for (let len = 0; len < raw.length; len += 7) expectCode(() => parseTransaction(raw.subarray(0, len)), 'SPV_TX_MALFORMED')
  })

  it('a trailing byte', () => {
    expectCode(() => txid(concatBytes(raw, Uint8Array.of(0))), 'SPV_TX_MALFORMED')
  })

  it('a non-canonical CompactSize (Core refuses it; its txid would not hash these bytes)', () => {
    const legacy = smallTx(10)
    expect(legacy[4]).toBe(1) // input count
    expectCode(() => txid(concatBytes(legacy.subarray(0, 4), Uint8Array.of(0xfd, 1, 0), legacy.subarray(5))), 'SPV_TX_MALFORMED')
  })

  it('a witness flag with no witness data', () => {
    const legacy = smallTx(10)
    const flagged = concatBytes(legacy.subarray(0, 4), Uint8Array.of(0, 1), legacy.subarray(4, legacy.length - 4), Uint8Array.of(0), legacy.subarray(legacy.length - 4))
    expectCode(() => txid(flagged), 'SPV_TX_MALFORMED')
  })
})

describe('peg evidence: the 64-byte transaction (CVE-2017-12842)', () => {
  it('a transaction of exactly 64 bytes without witness is refused (SPV_TX_64_BYTES), its neighbours are not', () => {
    const tx64 = smallTx(4)
    expect(tx64.length).toBe(64)
    expectCode(() => assertPegEvidenceTx(tx64), 'SPV_TX_64_BYTES')
    // With a witness it is longer on the wire, but its txid still hashes the 64 bytes.
    const segwit64 = smallTx(4, [Uint8Array.of(1, 2, 3)])
    expect(segwit64.length).toBeGreaterThan(64)
    expectCode(() => assertPegEvidenceTx(segwit64), 'SPV_TX_64_BYTES')
    expect(smallTx(3).length).toBe(63)
    expect(smallTx(5).length).toBe(65)
    expect(assertPegEvidenceTx(smallTx(3)).outs).toHaveLength(1)
    expect(assertPegEvidenceTx(smallTx(5)).outs).toHaveLength(1)
    expectCode(() => assertPegEvidenceTx(Uint8Array.of(1, 2, 3)), 'SPV_TX_MALFORMED')
  })

  it('why: a 64-byte transaction can be an inner node of a valid proof, and only the size rule stops it', () => {
    // A block whose first two txids are the two halves of a 64-byte transaction T: the node above them is
    // hash256(T) = txid(T). A proof claiming a two-transaction block then "matches" T, which is in no block.
    const t = smallTx(4)
    const leaves = [t.slice(0, 32), t.slice(32, 64), hash256(Uint8Array.of(3)), hash256(Uint8Array.of(4))]
    const hdr = new Uint8Array(80)
    hdr.set(computeMerkleRoot(leaves).root, 36)
    const inner = [merkleParent(leaves[0]!, leaves[1]!), merkleParent(leaves[2]!, leaves[3]!)]
    expect(bytesToHex(inner[0]!)).toBe(bytesToHex(txid(t)))
    const forged = buildMerkleBlock(hdr, inner, [0])
    expect(bytesToHex(verifyMerkleBlock(forged).matches[0]!.txid)).toBe(bytesToHex(txid(t)))
    expectCode(() => verifyTxInProof(t, encodeMerkleBlock(forged)), 'SPV_TX_64_BYTES')
  })
})

describe('verifyTxInProof', () => {
  for (const n of [0, 1, 10, 100, 1000, 1850]) {
    it(`proves transaction ${n} of block 830,000 with Core's proof`, () => {
      const r = verifyTxInProof(rawTxs[n]!, proofOf(n), header)
      expect(r.index).toBe(n)
      expect(hashToDisplayHex(r.txid)).toBe(block.transactions![n]!.getId())
      expect(hashToDisplayHex(r.blockHash)).toBe(block.getId())
      expect(bytesToHex(r.merkleRoot)).toBe(bytesToHex(block.merkleRoot!))
    })
  }

  it('a transaction the proof does not match is refused (SPV_PROOF_TX_NOT_MATCHED), even its stored sibling', () => {
    expectCode(() => verifyTxInProof(rawTxs[1001]!, proofOf(1000)), 'SPV_PROOF_TX_NOT_MATCHED')
    expectCode(() => verifyTxInProof(rawTxs[5]!, proofOf(1000)), 'SPV_PROOF_TX_NOT_MATCHED')
  })

  it('the wrong header, a bad proof or a bad transaction fail with their codes', () => {
    const other = header.slice()
    other[0]! ^= 1
    expectCode(() => verifyTxInProof(rawTxs[10]!, proofOf(10), other), 'SPV_PROOF_HEADER_MISMATCH')
    expectCode(() => verifyTxInProof(rawTxs[10]!, proofOf(10).subarray(0, 200)), 'SPV_PROOF_TRUNCATED')
    expectCode(() => verifyTxInProof(rawTxs[10]!.subarray(1), proofOf(10)), 'SPV_TX_MALFORMED')
  })
})
