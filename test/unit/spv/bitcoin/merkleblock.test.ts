// Partial merkle trees against real data: Bitcoin Core's `gettxoutproof` answers for block 830,000
// (../shared/testdata/bitcoin, see its README.md), rebuilt byte for byte, and every way of breaking them.
import { readFileSync, readdirSync } from 'node:fs'
import { Block } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hashToDisplayHex } from '../../../../spv/base/bytes.js'
import { CausewayError } from '../../../../spv/base/errors.js'
import { hash256, merkleParent } from '../../../../spv/bitcoin/hash.js'
import { computeMerkleRoot } from '../../../../spv/bitcoin/merkle.js'
import {
  MAX_PROOF_TRANSACTIONS,
  buildMerkleBlock,
  decodeMerkleBlock,
  encodeMerkleBlock,
  verifyMerkleBlock,
  verifyTxOutProof,
  type MerkleBlock,
} from '../../../../spv/bitcoin/merkleblock.js'
import { expectCode } from '../../../helpers/expect.js'

const DATA = new URL('../../../../../shared/testdata/bitcoin/', import.meta.url)
const blockBytes = new Uint8Array(readFileSync(new URL('mainnet-block-830000.bin', DATA)))
const block = Block.fromBuffer(blockBytes)
const header = blockBytes.slice(0, 80)
const txids = block.transactions!.map((tx) => tx.getHash())
const proofs = new Map<number, Uint8Array>(
  readdirSync(new URL('txoutproof-830000/', DATA))
    .filter((f) => f.endsWith('.bin'))
    .map((f) => [Number(/-(\d+)\.bin$/.exec(f)![1]), new Uint8Array(readFileSync(new URL(`txoutproof-830000/${f}`, DATA)))]),
)
const proofIndexes = [...proofs.keys()].sort((a, b) => a - b)

function proof(n: number): Uint8Array {
  return proofs.get(n)!
}

// The code a verification fails with, or the matched indexes when it passes.
function outcome(f: () => { matches: readonly { index: number }[] }): string | number[] {
  try {
    return f().matches.map((m) => m.index)
  } catch (e) {
    if (e instanceof CausewayError) return e.code
    throw e
  }
}

function withFlagBit(mb: MerkleBlock, bit: number): MerkleBlock {
  const flags = mb.flags.slice()
  flags[bit >>> 3]! ^= 1 << (bit & 7)
  return { ...mb, flags }
}

describe('the real proofs of block 830,000', () => {
  it('has the files the README lists, for a block of 1,851 transactions', () => {
    expect(proofIndexes).toEqual([0, 1, 10, 100, 1000, 1850])
    expect(txids.length).toBe(1851)
  })

  it('the full merkle root of the block txids is the header merkle root, and the tree is not mutated', () => {
    const { root, mutated } = computeMerkleRoot(txids)
    expect(bytesToHex(root)).toBe(bytesToHex(header.subarray(36, 68)))
    expect(bytesToHex(root)).toBe(bytesToHex(block.merkleRoot!))
    expect(mutated).toBe(false)
  })

  for (const n of [0, 1, 10, 100, 1000, 1850]) {
    it(`proof ${n}: verifies, has the block header and matches exactly transaction ${n}`, () => {
      const bytes = proof(n)
      expect(bytesToHex(bytes.subarray(0, 80))).toBe(bytesToHex(header))
      const r = verifyTxOutProof(bytes, header)
      expect(r.matches).toHaveLength(1)
      expect(r.matches[0]!.index).toBe(n)
      expect(bytesToHex(r.matches[0]!.txid)).toBe(bytesToHex(txids[n]!))
      expect(hashToDisplayHex(r.matches[0]!.txid)).toBe(block.transactions![n]!.getId())
      expect(hashToDisplayHex(r.blockHash)).toBe(block.getId())
      expect(bytesToHex(r.blockHash)).toBe(bytesToHex(hash256(header)))
      expect(bytesToHex(r.merkleRoot)).toBe(bytesToHex(header.subarray(36, 68)))
    })

    it(`proof ${n}: decode then encode gives the same bytes`, () => {
      expect(bytesToHex(encodeMerkleBlock(decodeMerkleBlock(proof(n))))).toBe(bytesToHex(proof(n)))
    })

    it(`proof ${n}: buildMerkleBlock over the block's txids reproduces Core's proof byte for byte`, () => {
      expect(bytesToHex(encodeMerkleBlock(buildMerkleBlock(header, txids, [n])))).toBe(bytesToHex(proof(n)))
      expect(bytesToHex(encodeMerkleBlock(buildMerkleBlock(header, txids, (i) => i === n)))).toBe(bytesToHex(proof(n)))
    })
  }

  it('a proof for several transactions matches them all, in block order', () => {
    const set = [1850, 3, 4, 999, 1000, 0]
    const r = verifyTxOutProof(encodeMerkleBlock(buildMerkleBlock(header, txids, set)), header)
    expect(r.matches.map((m) => m.index)).toEqual([0, 3, 4, 999, 1000, 1850])
    for (const m of r.matches) expect(bytesToHex(m.txid)).toBe(bytesToHex(txids[m.index]!))
    // Every transaction at once: the proof is all the txids, one bit per node.
    const all = buildMerkleBlock(header, txids, () => true)
    expect(all.hashes).toHaveLength(txids.length)
    expect(verifyMerkleBlock(all).matches).toHaveLength(txids.length)
  })

  it('the proof of a wrong header is refused (SPV_PROOF_HEADER_MISMATCH)', () => {
    const other = header.slice()
    other[79]! ^= 1 // the nonce
    expectCode(() => verifyTxOutProof(proof(1000), other), 'SPV_PROOF_HEADER_MISMATCH')
    expectCode(() => verifyTxOutProof(proof(1000), header.subarray(0, 79)), 'SPV_PROOF_HEADER_MISMATCH')
  })
})

describe('mutations of a real proof', () => {
  it('flipping each flag bit of proof 0 fails with the code of what it breaks', () => {
    // Proof 0's flags are ff 0f 00: 11 bits down the left edge (root to the parent of leaf 0), leaf 0 matched
    // (bit 11), leaf 1 as a hash (bit 12), the ten pruned right siblings on the way up (bits 13..22), one
    // padding bit (23).
    const mb = decodeMerkleBlock(proof(0))
    expect(bytesToHex(mb.flags)).toBe('ff0f00')
    const expected = (bit: number): string | number[] => {
      if (bit === 0) return 'SPV_PROOF_UNUSED_BITS' // the root becomes a stored hash; 22 bits left over
      if (bit <= 10) return 'SPV_PROOF_MERKLE_MISMATCH' // an inner node on the path becomes a stored hash
      if (bit === 11) return 'SPV_PROOF_NO_MATCH' // the leaf is still hashed in, but no longer claimed
      if (bit === 12) return [0, 1] // see below
      if (bit <= 22) return 'SPV_PROOF_BAD_FLAGS' // a pruned subtree claims to be descended into
      return 'SPV_PROOF_NONZERO_PADDING'
    }
    for (let bit = 0; bit < 24; bit++) expect([bit, outcome(() => verifyMerkleBlock(withFlagBit(mb, bit)))]).toEqual([bit, expected(bit)])
  })

  it('flipping a flag bit never makes a proof claim a transaction that is not at that index of the block', () => {
    // Leaf bits are not committed by the root: they only say which leaves the prover points at. Setting the
    // bit of the matched leaf's sibling (stored as a hash anyway) yields a valid proof for both, as in Core;
    // it is still true, which is all a proof has to be.
    for (const n of proofIndexes) {
      const mb = decodeMerkleBlock(proof(n))
      for (let bit = 0; bit < mb.flags.length * 8; bit++) {
        const r = outcome(() => verifyMerkleBlock(withFlagBit(mb, bit)))
        if (typeof r === 'string') continue
        expect(r).toEqual([n & ~1, n | 1].filter((i) => i < txids.length))
      }
    }
  })

  it('a padding bit of the last flag byte must be zero (SPV_PROOF_NONZERO_PADDING, stricter than Core)', () => {
    const mb = decodeMerkleBlock(proof(1850)) // flags d5 d5 06: 17 bits used, 7 padding bits
    for (let bit = 19; bit < 24; bit++) expectCode(() => verifyMerkleBlock(withFlagBit(mb, bit)), 'SPV_PROOF_NONZERO_PADDING')
  })

  it('changing any byte of any stored hash fails (SPV_PROOF_MERKLE_MISMATCH)', () => {
    for (const n of proofIndexes) {
      const mb = decodeMerkleBlock(proof(n))
      for (let i = 0; i < mb.hashes.length; i++) {
        for (const byte of [0, 17, 31]) {
          const hashes = mb.hashes.map((h) => h.slice())
          hashes[i]![byte]! ^= 0x40
          expectCode(() => verifyMerkleBlock({ ...mb, hashes }), 'SPV_PROOF_MERKLE_MISMATCH')
        }
      }
    }
  })

  it("changing the header's merkle root fails (SPV_PROOF_MERKLE_MISMATCH)", () => {
    const bytes = proof(10).slice()
    bytes[36 + 5]! ^= 1
    expectCode(() => verifyTxOutProof(bytes), 'SPV_PROOF_MERKLE_MISMATCH')
  })

  it('changing the transaction count breaks the shape of the tree', () => {
    // Proof 1850 walks the right edge of the tree, whose shape every count change moves.
    const mb = decodeMerkleBlock(proof(1850))
    const cases: [number, string][] = [
      [0, 'SPV_PROOF_NO_TRANSACTIONS'],
      [1, 'SPV_PROOF_TOO_MANY_HASHES'],
      [7, 'SPV_PROOF_TOO_MANY_HASHES'],
      [1000, 'SPV_PROOF_BAD_FLAGS'],
      [1849, 'SPV_PROOF_UNUSED_HASHES'],
      [1850, 'SPV_PROOF_UNUSED_HASHES'],
      [1852, 'SPV_PROOF_BAD_FLAGS'],
      [2049, 'SPV_PROOF_UNUSED_BITS'],
      [MAX_PROOF_TRANSACTIONS, 'SPV_PROOF_UNUSED_BITS'],
      [MAX_PROOF_TRANSACTIONS + 1, 'SPV_PROOF_TOO_MANY_TRANSACTIONS'],
      [0xffffffff, 'SPV_PROOF_TOO_MANY_TRANSACTIONS'],
    ]
    for (const [count, code] of cases) expect([count, outcome(() => verifyMerkleBlock({ ...mb, totalTransactions: count }))]).toEqual([count, code])
  })

  it('a count that keeps the tree shape along the proven path still proves the same index (as in Core)', () => {
    // The count is committed only through the shape it gives the tree: for a leaf away from the right edge
    // any count with the same tree height verifies. The index stays right; the count is not the block's.
    const mb = decodeMerkleBlock(proof(1000))
    for (const count of [1025, 1852, 2048]) expect(outcome(() => verifyMerkleBlock({ ...mb, totalTransactions: count }))).toEqual([1000])
    expect(outcome(() => verifyMerkleBlock({ ...mb, totalTransactions: 2049 }))).toBe('SPV_PROOF_BAD_FLAGS')
  })

  it('the count as it is on the wire: 0 and above the maximum', () => {
    const zero = proof(1).slice()
    zero.set([0, 0, 0, 0], 80)
    expectCode(() => verifyTxOutProof(zero), 'SPV_PROOF_NO_TRANSACTIONS')
    const tooMany = proof(1).slice()
    new DataView(tooMany.buffer).setUint32(80, 16667, true)
    expectCode(() => verifyTxOutProof(tooMany), 'SPV_PROOF_TOO_MANY_TRANSACTIONS')
    expect(MAX_PROOF_TRANSACTIONS).toBe(16666)
  })

  it('every truncation fails (SPV_PROOF_TRUNCATED)', () => {
    for (const n of [0, 1850]) {
      const bytes = proof(n)
      for (let len = 0; len < bytes.length; len++) expectCode(() => decodeMerkleBlock(bytes.subarray(0, len)), 'SPV_PROOF_TRUNCATED')
    }
  })

  it('a byte after the end fails (SPV_PROOF_TRAILING_BYTES)', () => {
    for (const extra of [0x00, 0xff]) expectCode(() => verifyTxOutProof(concatBytes(proof(100), Uint8Array.of(extra))), 'SPV_PROOF_TRAILING_BYTES')
  })

  it('a hash count announcing more than the proof holds fails before allocating (SPV_PROOF_TRUNCATED)', () => {
    const base = proof(0).subarray(0, 84)
    expectCode(() => decodeMerkleBlock(concatBytes(base, Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0xff))), 'SPV_PROOF_TRUNCATED')
    expectCode(() => decodeMerkleBlock(concatBytes(base, Uint8Array.of(0xff, 0, 0, 0, 0, 1, 0, 0, 0))), 'SPV_PROOF_TRUNCATED')
  })

  it('a non-canonical CompactSize fails (SPV_PROOF_NONCANONICAL), as Core refuses it', () => {
    const bytes = proof(0)
    expect(bytes[84]).toBe(12) // hash count
    const longForm = concatBytes(bytes.subarray(0, 84), Uint8Array.of(0xfd, 12, 0), bytes.subarray(85))
    expectCode(() => decodeMerkleBlock(longForm), 'SPV_PROOF_NONCANONICAL')
  })

  it('an extra hash fails (SPV_PROOF_UNUSED_HASHES); more hashes than transactions fails (SPV_PROOF_TOO_MANY_HASHES)', () => {
    const mb = decodeMerkleBlock(proof(1000))
    expectCode(() => verifyTxOutProof(encodeMerkleBlock({ ...mb, hashes: [...mb.hashes, txids[5]!] })), 'SPV_PROOF_UNUSED_HASHES')
    const small = buildMerkleBlock(header, txids, [7])
    expectCode(() => verifyMerkleBlock({ ...small, totalTransactions: small.hashes.length - 1 }), 'SPV_PROOF_TOO_MANY_HASHES')
  })

  it('an extra flag byte fails (SPV_PROOF_UNUSED_BITS)', () => {
    const mb = decodeMerkleBlock(proof(1000))
    expectCode(() => verifyMerkleBlock({ ...mb, flags: concatBytes(mb.flags, Uint8Array.of(0)) }), 'SPV_PROOF_UNUSED_BITS')
  })

  it('fewer flag bits than hashes, or bits or hashes running out, fail (SPV_PROOF_BAD_FLAGS)', () => {
    const mb = decodeMerkleBlock(proof(1000))
    expectCode(() => verifyMerkleBlock({ ...mb, flags: mb.flags.subarray(0, 1) }), 'SPV_PROOF_BAD_FLAGS') // 8 bits, 12 hashes
    expectCode(() => verifyMerkleBlock({ ...mb, flags: Uint8Array.of(0xff, 0xff) }), 'SPV_PROOF_BAD_FLAGS') // bits run out
    expectCode(() => verifyMerkleBlock({ ...mb, hashes: mb.hashes.slice(0, 11) }), 'SPV_PROOF_BAD_FLAGS') // hashes run out
    expectCode(() => verifyMerkleBlock({ ...mb, hashes: [], flags: new Uint8Array(0) }), 'SPV_PROOF_BAD_FLAGS')
  })

  it('a proof of no transaction fails (SPV_PROOF_NO_MATCH): Core answers an empty list', () => {
    const none = buildMerkleBlock(header, txids, [])
    expect(none.hashes).toHaveLength(1) // just the root
    expectCode(() => verifyMerkleBlock(none), 'SPV_PROOF_NO_MATCH')
  })
})

describe('CVE-2012-2459: duplicated tails', () => {
  it('block 830,000 with its last transaction repeated has the same root, and a proof of the copy is refused', () => {
    // 1,851 is odd, so the last txid is paired with itself; the list with it written twice hashes the same.
    const forged = [...txids, txids[1850]!]
    const { root, mutated } = computeMerkleRoot(forged)
    expect(bytesToHex(root)).toBe(bytesToHex(header.subarray(36, 68)))
    expect(mutated).toBe(true)
    for (const index of [1851, 1850]) {
      const mb = buildMerkleBlock(header, forged, [index])
      expectCode(() => verifyTxOutProof(encodeMerkleBlock(mb), header), 'SPV_PROOF_DUPLICATE_CHILDREN')
    }
  })

  it('a duplicated inner subtree is refused too', () => {
    // [a..f] and [a..f, e, f] share a root: level 1 is ab cd ef (ef paired with itself) vs ab cd ef ef.
    const leaves = Array.from({ length: 6 }, (_, i) => hash256(Uint8Array.of(i)))
    const forged = [...leaves, leaves[4]!, leaves[5]!]
    const real = computeMerkleRoot(leaves)
    expect(bytesToHex(computeMerkleRoot(forged).root)).toBe(bytesToHex(real.root))
    const hdr = new Uint8Array(80)
    hdr.set(real.root, 36)
    expect(outcome(() => verifyMerkleBlock(buildMerkleBlock(hdr, leaves, [4])))).toEqual([4])
    expectCode(() => verifyMerkleBlock(buildMerkleBlock(hdr, forged, [6])), 'SPV_PROOF_DUPLICATE_CHILDREN')
    expectCode(() => verifyMerkleBlock(buildMerkleBlock(hdr, forged, [7])), 'SPV_PROOF_DUPLICATE_CHILDREN')
  })

  it('a hand-made node with two equal children is refused even when it is what the root commits to', () => {
    const a = hash256(Uint8Array.of(1))
    const hdr = new Uint8Array(80)
    hdr.set(merkleParent(a, a), 36)
    // Two transactions, both a, both stored: the honest one-transaction tree [a] has the same root.
    const mb: MerkleBlock = { header: hdr, totalTransactions: 2, hashes: [a, a], flags: Uint8Array.of(0b011) }
    expectCode(() => verifyMerkleBlock(mb), 'SPV_PROOF_DUPLICATE_CHILDREN')
    expect(outcome(() => verifyMerkleBlock({ header: hdr, totalTransactions: 1, hashes: [merkleParent(a, a)], flags: Uint8Array.of(1) }))).toEqual([0])
  })
})

describe('building', () => {
  it('refuses txids that are not the header merkle root, empty blocks and match indexes outside the block', () => {
    expectCode(() => buildMerkleBlock(header, txids.slice(1), [0]), 'SPV_PROOF_MERKLE_MISMATCH')
    expectCode(() => buildMerkleBlock(header, [], [0]), 'SPV_PROOF_NO_TRANSACTIONS')
    expectCode(() => buildMerkleBlock(header, txids, [1851]), 'SPV_PROOF_BAD_MATCH_INDEX')
    expectCode(() => buildMerkleBlock(header, txids, [-1]), 'SPV_PROOF_BAD_MATCH_INDEX')
    expectCode(() => buildMerkleBlock(header.subarray(1), txids, [0]), 'BAD_LENGTH')
  })

  it('a one-transaction block is proven by its txid alone (the root)', () => {
    const a = hash256(Uint8Array.of(7))
    const hdr = new Uint8Array(80)
    hdr.set(a, 36)
    const mb = buildMerkleBlock(hdr, [a], [0])
    expect(mb.hashes.map(bytesToHex)).toEqual([bytesToHex(a)])
    expect(bytesToHex(mb.flags)).toBe('01')
    expect(verifyMerkleBlock(mb).matches.map((m) => m.index)).toEqual([0])
  })

  it('the proof owns its bytes: changing the inputs afterwards does not change it', () => {
    const ids = txids.map((t) => t.slice())
    const mb = buildMerkleBlock(header, ids, [1000])
    for (const t of ids) t.fill(0)
    expect(bytesToHex(encodeMerkleBlock(mb))).toBe(bytesToHex(proof(1000)))
  })
})
