// Byte and hex helpers: Uint8Array inside, `0x` hex only at the edges, every length checked and every bad input
// named. Bitcoin's internal (little-endian) hash order and its reversed display order are kept apart by name.
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js'
import { CausewayError, fail } from './errors.js'

export type Hex = `0x${string}`

const HEX_RE = /^[0-9a-fA-F]*$/

/** Parses hex with or without `0x`; `length` (in bytes) is enforced when given. `label` names the field. */
export function hexToBytes(hex: string, label = 'hex', length?: number): Uint8Array {
  if (typeof hex !== 'string') fail('BAD_HEX', `${label}: expected a hex string, got ${typeof hex}`, { label })
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (body.length % 2 !== 0) fail('BAD_HEX', `${label}: hex has an odd number of digits`, { label })
  if (!HEX_RE.test(body)) fail('BAD_HEX', `${label}: not a hex string`, { label })
  const bytes = nobleHexToBytes(body)
  if (length !== undefined && bytes.length !== length) {
    fail('BAD_LENGTH', `${label}: expected ${length} bytes, got ${bytes.length}`, { label, expected: length, actual: bytes.length })
  }
  return bytes
}

/** Lower-case hex without prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes)
}

/** Lower-case hex with the `0x` prefix, as Ethereum JSON-RPC writes it. */
export function toHex(bytes: Uint8Array): Hex {
  return `0x${nobleBytesToHex(bytes)}`
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** A storage key: one prefix character (a layout's namespace letter) followed by `parts` (bcoin's layout style). */
export function prefixedKey(prefix: string, ...parts: readonly Uint8Array[]): Uint8Array {
  let size = 1
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  out[0] = prefix.charCodeAt(0)
  let at = 1
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Whether `a` equals the `a.length` bytes of `b` from `offset`, compared in place (no slice is made). */
export function equalBytesAt(a: Uint8Array, b: Uint8Array, offset: number): boolean {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + a.length > b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[offset + i]) return false
  return true
}

/** A reversed copy. */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!
  return out
}

/** Bitcoin hash (internal byte order, as hashed) to its display hex (reversed, as explorers and RPC show it). */
export function hashToDisplayHex(internal: Uint8Array): string {
  if (internal.length !== 32) fail('BAD_LENGTH', `hash: expected 32 bytes, got ${internal.length}`)
  return bytesToHex(reverseBytes(internal))
}

/** Display hex (as RPC shows a txid or block hash) to the internal byte order. */
export function displayHexToHash(display: string, label = 'hash'): Uint8Array {
  return reverseBytes(hexToBytes(display, label, 32))
}

/** Unsigned big-endian bytes to bigint (empty is 0). */
export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${nobleBytesToHex(bytes)}`)
}

/** Unsigned little-endian bytes to bigint. */
export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  return bytesToBigIntBE(reverseBytes(bytes))
}

/** bigint to fixed-width unsigned big-endian bytes; throws when it does not fit. */
export function bigIntToBytesBE(value: bigint, length: number): Uint8Array {
  if (value < 0n) fail('BAD_NUMBER', 'expected a non-negative integer')
  const hex = value.toString(16)
  if (hex.length > length * 2) fail('BAD_NUMBER', `integer does not fit in ${length} bytes`)
  return nobleHexToBytes(hex.padStart(length * 2, '0'))
}

/** bigint as a `0x` quantity without leading zeros (Ethereum JSON-RPC style). */
export function toQuantity(value: bigint | number): Hex {
  return `0x${value.toString(16)}`
}

/**
 * A cursor over a byte array for decoding wire formats. Every read past the end throws `code`
 * (the caller's reason code for a truncated input).
 */
export class ByteReader {
  private offset = 0
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    private readonly code = 'BAD_ENCODING',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get position(): number {
    return this.offset
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  private need(n: number): void {
    if (n > this.remaining) {
      throw new CausewayError(this.code, `input truncated: needed ${n} more bytes at offset ${this.offset}, ${this.remaining} left`, {
        details: { offset: this.offset, needed: n },
      })
    }
  }

  bytesN(n: number): Uint8Array {
    this.need(n)
    const out = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  u8(): number {
    this.need(1)
    return this.bytes[this.offset++]!
  }

  u32le(): number {
    this.need(4)
    const v = this.view.getUint32(this.offset, true)
    this.offset += 4
    return v
  }

  i32le(): number {
    this.need(4)
    const v = this.view.getInt32(this.offset, true)
    this.offset += 4
    return v
  }

  u64le(): bigint {
    this.need(8)
    const v = this.view.getBigUint64(this.offset, true)
    this.offset += 8
    return v
  }

  /** Big-endian reads, for this project's own stored records (Bitcoin's wire format is little-endian). */
  u32be(): number {
    this.need(4)
    const v = this.view.getUint32(this.offset, false)
    this.offset += 4
    return v
  }

  u64be(): bigint {
    this.need(8)
    const v = this.view.getBigUint64(this.offset, false)
    this.offset += 8
    return v
  }

  /** Bitcoin CompactSize; non-canonical (over-long) encodings are rejected as Bitcoin Core does. */
  compactSize(): number {
    const first = this.u8()
    if (first < 0xfd) return first
    if (first === 0xfd) {
      this.need(2)
      const v = this.view.getUint16(this.offset, true)
      this.offset += 2
      if (v < 0xfd) throw new CausewayError(this.code, 'non-canonical CompactSize')
      return v
    }
    if (first === 0xfe) {
      const v = this.u32le()
      if (v < 0x10000) throw new CausewayError(this.code, 'non-canonical CompactSize')
      return v
    }
    const v = this.u64le()
    if (v < 0x100000000n) throw new CausewayError(this.code, 'non-canonical CompactSize')
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CausewayError(this.code, 'CompactSize too large')
    return Number(v)
  }
}

/** Bitcoin CompactSize encoding of a count. */
export function encodeCompactSize(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) fail('BAD_NUMBER', `CompactSize: bad count ${n}`)
  if (n < 0xfd) return Uint8Array.of(n)
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8)
  if (n <= 0xffffffff) {
    const out = new Uint8Array(5)
    out[0] = 0xfe
    new DataView(out.buffer).setUint32(1, n, true)
    return out
  }
  const out = new Uint8Array(9)
  out[0] = 0xff
  new DataView(out.buffer).setBigUint64(1, BigInt(n), true)
  return out
}
