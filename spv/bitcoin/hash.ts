// Bitcoin's hash functions: double SHA-256 (block hashes, txids, merkle nodes). Results are in internal byte
// order, the order the hash function emits; display order is the reverse (see base/bytes.ts).
//
// SHA-256 is @noble/hashes' by default, so spv/ runs anywhere (a browser, a worker). Header validation is
// hash-bound, and on Node OpenSSL's one-shot `crypto.hash` measured 1.5× to 8× faster on 80-byte views into a
// larger buffer (bench/spv.ts), so a Node process hands it in once at start with `useSha256` (io/node-sha256.ts,
// loaded by regtest/bin/causeway.mjs). The function handed in is checked against a FIPS 180-2 vector first.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { equalBytes, hexToBytes } from '../base/bytes.js'
import { fail } from '../base/errors.js'

/** A SHA-256 implementation: 32 bytes out for any input, a pure function. */
export type Sha256 = (data: Uint8Array) => Uint8Array

let impl: Sha256 = nobleSha256

// FIPS 180-2, appendix B.1: SHA-256("abc").
const ABC = Uint8Array.of(0x61, 0x62, 0x63)
const ABC_SHA256 = hexToBytes('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')

/**
 * Replaces the SHA-256 behind spv/bitcoin's hashes (block hashes, txids, merkle nodes), for a faster native one.
 * Throws SPV_BAD_HASH_IMPL, keeping the one in use, when `f` does not give SHA-256's answer for "abc".
 */
export function useSha256(f: Sha256): void {
  if (typeof f !== 'function') fail('SPV_BAD_HASH_IMPL', `sha256: expected a function, got ${typeof f}`)
  const out = f(ABC)
  if (!(out instanceof Uint8Array) || !equalBytes(out, ABC_SHA256)) fail('SPV_BAD_HASH_IMPL', 'sha256: the function given does not compute SHA-256')
  impl = f
}

/** SHA-256 of data. */
export function sha256(data: Uint8Array): Uint8Array {
  return impl(data)
}

/** SHA-256(SHA-256(data)), Bitcoin's `Hash256`. */
export function hash256(data: Uint8Array): Uint8Array {
  return impl(impl(data))
}

/** The parent of two merkle nodes: hash256(left || right). */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(left, 0)
  buf.set(right, 32)
  return hash256(buf)
}
