// The 80-byte Bitcoin block header: decode, encode and hash. Hashes are in internal byte order; use
// base/bytes.ts hashToDisplayHex for the reversed order explorers and RPC print.
import { fail } from '../base/errors.js'
import { hash256 } from './hash.js'

export const HEADER_SIZE = 80

export interface BlockHeader {
  /** Signed 32-bit, as Bitcoin Core's int32_t nVersion. */
  readonly version: number
  /** Hash of the previous header, internal byte order. */
  readonly prevHash: Uint8Array
  /** Merkle root of the block's txids, internal byte order. */
  readonly merkleRoot: Uint8Array
  /** Seconds since the Unix epoch, unsigned 32-bit. */
  readonly time: number
  /** Compact target (nBits). */
  readonly bits: number
  readonly nonce: number
}

function assertHeaderBytes(raw: Uint8Array): void {
  if (!(raw instanceof Uint8Array)) fail('SPV_BAD_HEADER', 'header: expected bytes')
  if (raw.length !== HEADER_SIZE) {
    fail('SPV_BAD_HEADER_LENGTH', `header: expected ${HEADER_SIZE} bytes, got ${raw.length}`, { length: raw.length })
  }
}

/** Decodes a raw header. The hash fields are views into `raw`, not copies. */
export function decodeHeader(raw: Uint8Array): BlockHeader {
  assertHeaderBytes(raw)
  const view = new DataView(raw.buffer, raw.byteOffset, HEADER_SIZE)
  return {
    version: view.getInt32(0, true),
    prevHash: raw.subarray(4, 36),
    merkleRoot: raw.subarray(36, 68),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  }
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  if (h.prevHash.length !== 32) fail('SPV_BAD_HEADER', 'header.prevHash: expected 32 bytes')
  if (h.merkleRoot.length !== 32) fail('SPV_BAD_HEADER', 'header.merkleRoot: expected 32 bytes')
  for (const [field, v] of [['time', h.time], ['bits', h.bits], ['nonce', h.nonce]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail('SPV_BAD_HEADER', `header.${field}: not an unsigned 32-bit integer`)
  }
  if (!Number.isInteger(h.version) || h.version < -0x80000000 || h.version > 0x7fffffff) {
    fail('SPV_BAD_HEADER', 'header.version: not a signed 32-bit integer')
  }
  const raw = new Uint8Array(HEADER_SIZE)
  const view = new DataView(raw.buffer)
  view.setInt32(0, h.version, true)
  raw.set(h.prevHash, 4)
  raw.set(h.merkleRoot, 36)
  view.setUint32(68, h.time, true)
  view.setUint32(72, h.bits, true)
  view.setUint32(76, h.nonce, true)
  return raw
}

/** The block hash: double SHA-256 of the 80 header bytes, internal byte order. */
export function headerHash(raw: Uint8Array): Uint8Array {
  assertHeaderBytes(raw)
  return hash256(raw)
}

/** Splits concatenated raw headers (as `verify-headers` reads them) into 80-byte views. */
export function splitHeaders(data: Uint8Array): Uint8Array[] {
  if (data.length % HEADER_SIZE !== 0) {
    fail('SPV_BAD_HEADER_LENGTH', `headers: ${data.length} bytes is not a whole number of ${HEADER_SIZE}-byte headers`, {
      length: data.length,
    })
  }
  const out: Uint8Array[] = []
  for (let at = 0; at < data.length; at += HEADER_SIZE) out.push(data.subarray(at, at + HEADER_SIZE))
  return out
}
