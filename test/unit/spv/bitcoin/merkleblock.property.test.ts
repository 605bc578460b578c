// Property tests of partial merkle trees over random blocks: a proof proves exactly what it was built for,
// never another leaf or another root, and no corruption of its bytes makes it claim something false.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { CausewayError } from '../../../../spv/base/errors.js'
import { hash256 } from '../../../../spv/bitcoin/hash.js'
import { computeMerkleRoot } from '../../../../spv/bitcoin/merkle.js'
import {
  buildMerkleBlock,
  decodeMerkleBlock,
  encodeMerkleBlock,
  verifyMerkleBlock,
  verifyTxOutProof,
} from '../../../../spv/bitcoin/merkleblock.js'
import { codeOf } from '../../../helpers/expect.js'

interface TestBlock {
  readonly header: Uint8Array
  readonly txids: Uint8Array[]
}

// Distinct txids (hashes of a seed and the position) and a header committing to them; the other header
// bytes are arbitrary.
const blockArb = fc
  .record({ size: fc.integer({ min: 1, max: 300 }), seed: fc.nat(), headerBytes: fc.uint8Array({ minLength: 80, maxLength: 80 }) })
  .map(({ size, seed, headerBytes }): TestBlock => {
    const txids = Array.from({ length: size }, (_, i) => hash256(Uint8Array.of(seed >>> 24, seed >>> 16, seed >>> 8, seed, i >>> 8, i)))
    const header = headerBytes.slice()
    header.set(computeMerkleRoot(txids).root, 36)
    return { header, txids }
  })

// A block with a set of matched indexes (possibly empty) inside it.
const blockWithMatchesArb = blockArb.chain((block) =>
  fc.record({
    block: fc.constant(block),
    matches: fc.uniqueArray(fc.integer({ min: 0, max: block.txids.length - 1 }), { maxLength: Math.min(block.txids.length, 20) }),
  }),
)

// A block with one matched index and another, different one.
const blockWithTwoLeavesArb = blockArb
  .filter((b) => b.txids.length >= 2)
  .chain((block) =>
    fc
      .tuple(fc.integer({ min: 0, max: block.txids.length - 1 }), fc.integer({ min: 0, max: block.txids.length - 1 }))
      .filter(([i, j]) => i !== j)
      .map(([leaf, other]) => ({ block, leaf, other })),
  )

const RUNS = { numRuns: 150 }

describe('partial merkle tree properties', () => {
  it('build → encode → decode → verify returns exactly the matched set, in order', () => {
    fc.assert(
      fc.property(blockWithMatchesArb, ({ block, matches }) => {
        const bytes = encodeMerkleBlock(buildMerkleBlock(block.header, block.txids, matches))
        expect(bytesToHex(encodeMerkleBlock(decodeMerkleBlock(bytes)))).toBe(bytesToHex(bytes))
        if (matches.length === 0) {
          expect(codeOf(() => verifyTxOutProof(bytes, block.header))).toBe('SPV_PROOF_NO_MATCH')
          return
        }
        const r = verifyTxOutProof(bytes, block.header)
        const sorted = [...matches].sort((a, b) => a - b)
        expect(r.matches.map((m) => m.index)).toEqual(sorted)
        expect(r.matches.map((m) => bytesToHex(m.txid))).toEqual(sorted.map((i) => bytesToHex(block.txids[i]!)))
        expect(bytesToHex(r.blockHash)).toBe(bytesToHex(hash256(block.header)))
      }),
      RUNS,
    )
  })

  it('a proof built for one leaf never verifies as another leaf', () => {
    fc.assert(
      fc.property(blockWithTwoLeavesArb, ({ block, leaf, other }) => {
        const mb = buildMerkleBlock(block.header, block.txids, [leaf])
        const r = verifyMerkleBlock(mb)
        expect(r.matches.map((m) => m.index)).toEqual([leaf])
        expect(r.matches.some((m) => bytesToHex(m.txid) === bytesToHex(block.txids[other]!))).toBe(false)
        // Putting the other txid in the proven leaf's place breaks the root, or, when the other leaf is its
        // sibling (stored next to it), makes two equal children.
        const hashes = mb.hashes.map((h) => (bytesToHex(h) === bytesToHex(block.txids[leaf]!) ? block.txids[other]! : h))
        const sibling = (leaf ^ 1) === other
        expect(codeOf(() => verifyMerkleBlock({ ...mb, hashes }))).toBe(sibling ? 'SPV_PROOF_DUPLICATE_CHILDREN' : 'SPV_PROOF_MERKLE_MISMATCH')
      }),
      RUNS,
    )
  })

  it('a proof never verifies against another merkle root', () => {
    fc.assert(
      fc.property(blockWithMatchesArb, fc.integer({ min: 36, max: 67 }), fc.integer({ min: 1, max: 255 }), ({ block, matches }, at, xor) => {
        const mb = buildMerkleBlock(block.header, block.txids, matches.length > 0 ? matches : [0])
        const header = mb.header.slice()
        header[at]! ^= xor
        expect(codeOf(() => verifyMerkleBlock({ ...mb, header }))).toBe('SPV_PROOF_MERKLE_MISMATCH')
      }),
      RUNS,
    )
  })

  it('a corrupted proof either fails with a code or claims only transactions really at those indexes', () => {
    // Any byte after the header may change (count, hash, flag, lengths), and bytes may be cut or added.
    const mutationArb = fc.oneof(
      fc.record({ kind: fc.constant('xor' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('bit' as const), at: fc.nat(), xor: fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), xor: fc.constant(0) }),
      fc.record({ kind: fc.constant('add' as const), at: fc.nat(), xor: fc.integer({ min: 0, max: 255 }) }),
    )
    fc.assert(
      fc.property(blockWithMatchesArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), ({ block, matches }, mutations) => {
        let bytes = encodeMerkleBlock(buildMerkleBlock(block.header, block.txids, matches.length > 0 ? matches : [0]))
        for (const m of mutations) {
          const at = 80 + (m.at % (bytes.length - 80 + (m.kind === 'add' ? 1 : 0)))
          if (m.kind === 'cut') bytes = bytes.slice(0, at)
          else if (m.kind === 'add') bytes = Uint8Array.from([...bytes.subarray(0, at), m.xor, ...bytes.subarray(at)])
          else if (at < bytes.length) {
            bytes = bytes.slice()
            bytes[at]! ^= m.xor
          }
          if (bytes.length <= 80) break
        }
        let result
        try {
          result = verifyTxOutProof(bytes, block.header)
        } catch (e) {
          expect(e).toBeInstanceOf(CausewayError)
          return
        }
        for (const m of result.matches) expect(bytesToHex(m.txid)).toBe(bytesToHex(block.txids[m.index] ?? new Uint8Array(0)))
      }),
      { numRuns: 300 },
    )
  })

  it('the root of a random block equals bitcoinjs-lib style pairwise hashing with odd duplication', () => {
    fc.assert(
      fc.property(blockArb, ({ txids }) => {
        let level = txids
        while (level.length > 1) {
          const next: Uint8Array[] = []
          for (let i = 0; i < level.length; i += 2) {
            const l = level[i]!
            const r = level[i + 1] ?? l
            const buf = new Uint8Array(64)
            buf.set(l)
            buf.set(r, 32)
            next.push(hash256(buf))
          }
          level = next
        }
        const { root, mutated } = computeMerkleRoot(txids)
        expect(bytesToHex(root)).toBe(bytesToHex(level[0]!))
        expect(mutated).toBe(false)
      }),
      { numRuns: 50 },
    )
  })
})
