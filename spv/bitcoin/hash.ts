// Bitcoin's hash functions: double SHA-256 (block hashes, txids, merkle nodes). Results are in internal byte
// order, the order the hash function emits; display order is the reverse (see base/bytes.ts).
//
// SHA-256 comes from Node's built-in crypto (OpenSSL) rather than @noble/hashes: it is a pure function like
// noble's, but header validation is hash-bound and OpenSSL's one-shot `hash` measured 1.5× to 8× faster here on
// 80-byte views into a larger buffer (bench/spv.ts). A browser build of spv/ would swap this one file.
import { hash } from 'node:crypto'

/** SHA-256 of data. */
export function sha256(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer')
}

/** SHA-256(SHA-256(data)), Bitcoin's `Hash256`. */
export function hash256(data: Uint8Array): Uint8Array {
  return hash('sha256', hash('sha256', data, 'buffer'), 'buffer')
}

/** The parent of two merkle nodes: hash256(left || right). */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(left, 0)
  buf.set(right, 32)
  return hash256(buf)
}
