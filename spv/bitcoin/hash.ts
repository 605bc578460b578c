// Bitcoin's hash functions: double SHA-256 (block hashes, txids, merkle nodes). Results are in internal byte
// order, the order the hash function emits; display order is the reverse (see base/bytes.ts).
import { sha256 } from '@noble/hashes/sha2.js'

/** SHA-256(SHA-256(data)), Bitcoin's `Hash256`. */
export function hash256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data))
}

/** The parent of two merkle nodes: hash256(left || right). */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(left, 0)
  buf.set(right, 32)
  return hash256(buf)
}
