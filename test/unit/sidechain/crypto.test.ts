// The node's Keccak-256 (the native sponge used directly) against @noble/hashes, for inputs of every length around
// the 136-byte rate, and digests that stay independent of later calls (one native state is reused).
import fc from 'fast-check'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../../../sidechain/exec/crypto.js'
import { toHex } from '../../../spv/base/bytes.js'

describe('keccak256', () => {
  it('matches @noble/hashes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        expect(toHex(keccak256(data))).toBe(toHex(keccak_256(data)))
      }),
      { numRuns: 500 },
    )
    for (let n = 130; n <= 140; n++) expect(toHex(keccak256(new Uint8Array(n).fill(n)))).toBe(toHex(keccak_256(new Uint8Array(n).fill(n))))
    expect(toHex(keccak256(new Uint8Array(0)))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  })

  it('returns digests that later calls do not overwrite, from views of larger buffers too', () => {
    const big = new Uint8Array(100).map((_, i) => i)
    const a = keccak256(big.subarray(10, 42))
    const before = toHex(a)
    keccak256(new Uint8Array([1, 2, 3]))
    expect(toHex(a)).toBe(before)
    expect(before).toBe(toHex(keccak_256(big.slice(10, 42))))
  })
})
