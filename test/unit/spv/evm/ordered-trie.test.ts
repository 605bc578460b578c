// The one-pass trie root against @ethereumjs/mpt inserting the same entries one by one: ordered tries of every
// size around the rlp(i) key-length changes (1 → 2 → 3 bytes at 128 and 256), arbitrary keys (including keys
// that are prefixes of others, which put a value in a branch), and short values whose nodes are embedded.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RLP } from '@ethereumjs/rlp'
import { createMPT } from '@ethereumjs/mpt'
import { toHex } from '../../../../spv/base/bytes.js'
import { orderedTrieRoot, trieRoot } from '../../../../spv/evm/ordered-trie.js'
import { EMPTY_TRIE_ROOT } from '../../../../spv/evm/index.js'

async function mptRoot(keys: readonly Uint8Array[], values: readonly Uint8Array[]): Promise<string> {
  const trie = await createMPT({ useKeyHashing: false })
  for (let i = 0; i < keys.length; i++) await trie.put(keys[i]!, values[i]!)
  return toHex(trie.root())
}

const value = fc.uint8Array({ minLength: 1, maxLength: 80 })

describe('ordered trie root', () => {
  it('is the empty trie root for no entries', () => {
    expect(toHex(orderedTrieRoot([]))).toBe(toHex(EMPTY_TRIE_ROOT))
  })

  it('matches @ethereumjs/mpt for ordered tries of up to 300 entries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 300 }), async (values) => {
        expect(toHex(orderedTrieRoot(values))).toBe(await mptRoot(values.map((_, i) => RLP.encode(i)), values))
      }),
      { numRuns: 60 },
    )
  })

  it('matches at the sizes where rlp(i) changes length', async () => {
    for (const n of [1, 2, 16, 17, 127, 128, 129, 255, 256, 257, 1000]) {
      const values = Array.from({ length: n }, (_, i) => new Uint8Array(1 + (i % 40)).fill(i & 0xff))
      expect(toHex(orderedTrieRoot(values)), `n=${n}`).toBe(await mptRoot(values.map((_, i) => RLP.encode(i)), values))
    }
  })

  it('matches @ethereumjs/mpt for arbitrary distinct keys', async () => {
    const entries = fc.uniqueArray(fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 4 }), value), { maxLength: 60, selector: ([k]) => toHex(k) })
    await fc.assert(
      fc.asyncProperty(entries, async (es) => {
        const keys = es.map(([k]) => k)
        const values = es.map(([, v]) => v)
        expect(toHex(trieRoot(keys, values))).toBe(await mptRoot(keys, values))
      }),
      { numRuns: 200 },
    )
  })
})
