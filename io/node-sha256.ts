// Node processes hash with OpenSSL: node:crypto's one-shot SHA-256, handed to spv/ at start-up (spv/bitcoin/hash.ts
// explains why; @noble/hashes stays spv/'s default so spv/ and peg/ bundle for a browser).
import { hash } from 'node:crypto'
import { useSha256 } from '../spv/bitcoin/hash.js'

/**
 * SHA-256 through OpenSSL, as a plain Uint8Array over the Buffer's bytes: a Buffer's `slice` is a view where a
 * Uint8Array's is a copy, and the pure layer expects the latter.
 */
export function nodeSha256(data: Uint8Array): Uint8Array {
  const b = hash('sha256', data, 'buffer')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/** Makes spv/ hash with nodeSha256 from now on; regtest/bin/causeway.mjs calls it before anything else runs. */
export function installNodeSha256(): void {
  useSha256(nodeSha256)
}
