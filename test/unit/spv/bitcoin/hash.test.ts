// Bitcoin's hashes with either SHA-256: @noble/hashes (the default, what a browser runs) and OpenSSL (handed in by
// a Node process, io/node-sha256.ts) agree on real headers and on random input; a function that is not SHA-256 is
// refused and the one in use kept.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { afterEach, describe, expect, it } from 'vitest'
import { hash256, merkleParent, sha256, useSha256 } from '../../../../spv/bitcoin/hash.js'
import { hashToDisplayHex } from '../../../../spv/base/bytes.js'
import { installNodeSha256 } from '../../../../io/node-sha256.js'
import { expectCode } from '../../../helpers/expect.js'
import { MAINNET_HEADERS_FILE, readTestdata } from '../../../helpers/testdata.js'

const opensslSha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest())

const node32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

afterEach(() => useSha256(nobleSha256))

describe('spv/bitcoin/hash', () => {
  it('hashes with @noble/hashes by default and with OpenSSL once installed, alike', () => {
    const headers = readTestdata(MAINNET_HEADERS_FILE)
    // Block 822,528's hash, as explorers show it; the header is a view into the file (as validation hashes it).
    const first = headers.subarray(0, 80)
    const noble = hashToDisplayHex(hash256(first))
    installNodeSha256()
    expect(hashToDisplayHex(hash256(first))).toBe(noble)
    expect(noble).toBe(hashToDisplayHex(opensslSha256(opensslSha256(first))))
    expect(noble.startsWith('0000000000000000000')).toBe(true)
  })

  it('agrees with OpenSSL on any input, either way (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), node32, node32, (data, left, right) => {
        useSha256(nobleSha256)
        const a = [sha256(data), hash256(data), merkleParent(left, right)]
        installNodeSha256()
        const b = [sha256(data), hash256(data), merkleParent(left, right)]
        expect(b).toEqual(a)
        expect(a[0]).toEqual(opensslSha256(data))
      }),
      { numRuns: 200 },
    )
  })

  it('refuses a function that is not SHA-256 and keeps the one in use', () => {
    const before = sha256(Uint8Array.of(1))
    expectCode(() => useSha256((d) => d), 'SPV_BAD_HASH_IMPL')
    expectCode(() => useSha256(() => new Uint8Array(32)), 'SPV_BAD_HASH_IMPL')
    expectCode(() => useSha256('sha256' as never), 'SPV_BAD_HASH_IMPL')
    expect(sha256(Uint8Array.of(1))).toEqual(before)
  })
})
