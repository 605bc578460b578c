// Receipt proofs against receiptsRoot: roots of real Hardhat blocks, proofs that verify, and every way a proof
// must fail (changed bytes, wrong index, extra or missing nodes, absent keys, a value that is not a receipt).
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMPT, createMerkleProof } from '@ethereumjs/mpt'
import { toHex } from '../../../../spv/base/bytes.js'
import { isCausewayError } from '../../../../spv/base/errors.js'
import {
  EMPTY_TRIE_ROOT,
  EVM_BAD_INDEX,
  EVM_PROOF_INVALID,
  EVM_PROOF_NOT_FOUND,
  EVM_RECEIPT_MALFORMED,
  type Receipt,
  createReceiptProof,
  encodeReceipt,
  receiptFromRpc,
  receiptKey,
  receiptsRoot,
  verifyReceiptProof,
} from '../../../../spv/evm/index.js'

const vector = (name: string): any => JSON.parse(readFileSync(new URL(`../../../vectors/evm/${name}`, import.meta.url), 'utf8'))

async function rejection(p: Promise<unknown>, code: string) {
  try {
    await p
  } catch (e) {
    if (isCausewayError(e, code)) return e
    throw new Error(`expected ${code}, got ${String(e)}`)
  }
  throw new Error(`expected ${code}, the promise resolved`)
}

/** A proof shown at the wrong index fails one way or the other: a node it lacks, or a proven absence. */
const wrongIndex = (e: unknown) => isCausewayError(e, EVM_PROOF_INVALID) || isCausewayError(e, EVM_PROOF_NOT_FOUND)

/** n distinct receipts (cumulative gas grows, one log names its index). */
function makeReceipts(n: number): Receipt[] {
  return Array.from({ length: n }, (_, i) => ({
    type: i % 5,
    status: (i % 7 === 3 ? 0 : 1) as 0 | 1,
    cumulativeGasUsed: 21000n * BigInt(i + 1),
    logsBloom: new Uint8Array(256).fill(i & 0xff),
    logs: i % 2 === 0 ? [] : [{ address: new Uint8Array(20).fill(7), topics: [new Uint8Array(32).fill(i & 0xff)], data: Uint8Array.of(i & 0xff, i >> 8) }],
  }))
}

describe('receipt trie keys', () => {
  it('are rlp(index)', () => {
    expect(toHex(receiptKey(0))).toBe('0x80')
    expect(toHex(receiptKey(1))).toBe('0x01')
    expect(toHex(receiptKey(127))).toBe('0x7f')
    expect(toHex(receiptKey(128))).toBe('0x8180')
    expect(toHex(receiptKey(256))).toBe('0x820100')
  })
  it('refuse a negative or fractional index', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => receiptKey(bad)).toThrow(expect.objectContaining({ code: EVM_BAD_INDEX }))
  })
})

describe('receiptsRoot of Hardhat blocks', () => {
  for (const fork of ['berlin', 'london', 'shanghai', 'cancun', 'prague']) {
    it(`${fork}: rebuilt root equals the header's receiptsRoot`, async () => {
      const v = vector(`hardhat-${fork}.json`)
      expect(toHex(await receiptsRoot(v.receipts.map(receiptFromRpc)))).toBe(v.block.receiptsRoot)
    })
  }
  it('of no receipts is the empty-trie root', async () => {
    expect(toHex(await receiptsRoot([]))).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
    expect(toHex(EMPTY_TRIE_ROOT)).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  })
})

describe('proofs over the Hardhat prague block', async () => {
  const v = vector('hardhat-prague.json')
  const receipts: Receipt[] = v.receipts.map(receiptFromRpc)
  const root = await receiptsRoot(receipts)
  const proofs = await Promise.all(receipts.map((_, i) => createReceiptProof(receipts, i)))

  it('each proof verifies and returns exactly its receipt', async () => {
    for (let i = 0; i < receipts.length; i++) {
      const got = await verifyReceiptProof(root, i, proofs[i]!)
      expect(got.receipt).toEqual(receipts[i])
      expect(got.encoded).toEqual(encodeReceipt(receipts[i]!))
    }
  })

  it('a proof for index i never verifies as index j', async () => {
    for (let i = 0; i < receipts.length; i++) {
      for (let j = 0; j < receipts.length + 2; j++) {
        if (i === j) continue
        await expect(verifyReceiptProof(root, j, proofs[i]!)).rejects.toSatisfy(wrongIndex)
      }
    }
  })

  it('any changed byte in any node is rejected', async () => {
    for (const proof of proofs) {
      for (let n = 0; n < proof.length; n++) {
        const node = proof[n]!
        for (let at = 0; at < node.length; at += Math.max(1, Math.floor(node.length / 40))) {
          const bad = proof.map((x) => x.slice())
          const changed = bad[n]!
          changed[at] = changed[at]! ^ 0x01
          await rejection(verifyReceiptProof(root, proofs.indexOf(proof), bad), EVM_PROOF_INVALID)
        }
      }
    }
  })

  it('rejects missing, extra, reordered and empty nodes, and a wrong root', async () => {
    const i = 5
    const p = proofs[i]!
    expect(p.length).toBeGreaterThan(1)
    await rejection(verifyReceiptProof(root, i, p.slice(0, -1)), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, p.slice(1)), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, [...p, proofs[0]!.at(-1)!]), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, [p[0]!, ...p]), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, [...p].reverse()), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, []), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, [...p, new Uint8Array(0)]), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root, i, ['0x00'] as unknown as Uint8Array[]), EVM_PROOF_INVALID)
    const other = root.slice()
    other[0] = other[0]! ^ 1
    await rejection(verifyReceiptProof(other, i, p), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(root.subarray(1), i, p), EVM_PROOF_INVALID)
    await rejection(verifyReceiptProof(EMPTY_TRIE_ROOT, i, p), EVM_PROOF_INVALID)
  })

  it('createReceiptProof refuses an index outside the block', async () => {
    await rejection(createReceiptProof(receipts, receipts.length), EVM_BAD_INDEX)
    await rejection(createReceiptProof(receipts, -1), EVM_BAD_INDEX)
  })
})

describe('absence and bad values', () => {
  it('a valid proof of absence gives EVM_PROOF_NOT_FOUND', async () => {
    const receipts = makeReceipts(20)
    const trie = await createMPT()
    for (let i = 0; i < receipts.length; i++) await trie.put(receiptKey(i), encodeReceipt(receipts[i]!))
    const root = trie.root()
    for (const missing of [20, 21, 127, 128, 1000]) {
      const proof = await createMerkleProof(trie, receiptKey(missing))
      await rejection(verifyReceiptProof(root, missing, proof), EVM_PROOF_NOT_FOUND)
    }
  })

  it('an empty block proves every index absent', async () => {
    await rejection(verifyReceiptProof(EMPTY_TRIE_ROOT, 0, []), EVM_PROOF_NOT_FOUND)
  })

  it('a proven value that is not a receipt gives EVM_RECEIPT_MALFORMED', async () => {
    const trie = await createMPT()
    await trie.put(receiptKey(0), encodeReceipt(makeReceipts(1)[0]!))
    await trie.put(receiptKey(1), Uint8Array.of(0x05, 0xc0)) // type 5 is no receipt type
    const proof = await createMerkleProof(trie, receiptKey(1))
    await rejection(verifyReceiptProof(trie.root(), 1, proof), EVM_RECEIPT_MALFORMED)
  })
})

describe('proofs across key-length boundaries (property)', async () => {
  // 300 receipts: keys of one byte (0x01…0x7f, 0x80), two bytes (0x81xx) and three bytes (0x82xxxx).
  const receipts = makeReceipts(300)
  const root = await receiptsRoot(receipts)
  // One trie for all runs; createReceiptProof (which rebuilds it) is checked to agree on the boundary indexes.
  const trie = await createMPT()
  for (let i = 0; i < receipts.length; i++) await trie.put(receiptKey(i), encodeReceipt(receipts[i]!))

  it('createReceiptProof gives the same proofs', async () => {
    for (const i of [0, 1, 127, 128, 255, 256, 299]) {
      expect(await createReceiptProof(receipts, i)).toEqual(await createMerkleProof(trie, receiptKey(i)))
    }
  })

  it('the proof for i verifies as i and never as j ≠ i', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 299 }), fc.nat({ max: 299 }), async (i, j) => {
        const proof = await createMerkleProof(trie, receiptKey(i))
        expect((await verifyReceiptProof(root, i, proof)).receipt).toEqual(receipts[i])
        if (i !== j) {
          await expect(verifyReceiptProof(root, j, proof)).rejects.toSatisfy(wrongIndex)
        }
      }),
      { numRuns: 300, examples: [[0, 128], [127, 128], [128, 255], [255, 256], [256, 0], [1, 0]] },
    )
  })
})
