// Strict RLP for consensus objects (Ethereum Yellow Paper, appendix B): only canonical encodings are accepted, so
// decode ∘ encode is the identity and the hash of what we re-encode is the hash of what we were given.
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { bigIntToBytesBE, bytesToBigIntBE, equalBytes, hexToBytes } from '../base/bytes.js'
import { CausewayError, fail } from '../base/errors.js'

export type RlpItem = Uint8Array | NestedUint8Array

export const UINT64_MAX = (1n << 64n) - 1n
export const UINT256_MAX = (1n << 256n) - 1n

/** Decodes one canonical RLP item filling all of `bytes`; anything else throws `code`. */
export function decodeRlp(bytes: Uint8Array, code: string, what: string): RlpItem {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) fail(code, `${what}: empty input`)
  let item: RlpItem
  try {
    item = RLP.decode(bytes)
  } catch (e) {
    throw new CausewayError(code, `${what}: invalid RLP`, { cause: e })
  }
  // Belt and braces: the library already rejects the usual non-canonical forms; a round trip rejects any it misses.
  if (!equalBytes(RLP.encode(item), bytes)) fail(code, `${what}: non-canonical RLP`)
  return item
}

export function encodeRlp(item: RlpItem): Uint8Array {
  return RLP.encode(item)
}

export function asList(item: RlpItem | undefined, code: string, label: string): NestedUint8Array {
  if (!Array.isArray(item)) fail(code, `${label}: expected an RLP list`, { field: label })
  return item
}

export function asBytes(item: RlpItem | undefined, code: string, label: string, length?: number): Uint8Array {
  if (!(item instanceof Uint8Array)) fail(code, `${label}: expected an RLP byte string`, { field: label })
  if (length !== undefined && item.length !== length) {
    fail(code, `${label}: expected ${length} bytes, got ${item.length}`, {
      field: label,
      expected: length,
      actual: item.length,
    })
  }
  return item
}

/** An RLP integer: minimal big-endian, zero as the empty string, no leading zero byte. */
export function asUint(item: RlpItem | undefined, code: string, label: string, max: bigint): bigint {
  const b = asBytes(item, code, label)
  if (b.length > 0 && b[0] === 0) fail(code, `${label}: integer has a leading zero byte`, { field: label })
  const v = bytesToBigIntBE(b)
  if (v > max) fail(code, `${label}: integer out of range`, { field: label })
  return v
}

/** Minimal big-endian bytes of a non-negative integer (0 → empty), as RLP integers are written. */
export function uintToRlpBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0)
  return bigIntToBytesBE(value, Math.ceil(value.toString(16).length / 2))
}

// ---- JSON-RPC edge: every field read names itself and fails with the caller's code ----

/** A hex data field of a JSON-RPC object, length-checked, with the field named on failure. */
export function jsonBytes(
  obj: Record<string, unknown>,
  field: string,
  code: string,
  what: string,
  length?: number,
): Uint8Array {
  return jsonHex(obj[field], code, `${what}.${field}`, length)
}

/** A hex data value at the JSON-RPC edge; `label` names it in the error. */
export function jsonHex(value: unknown, code: string, label: string, length?: number): Uint8Array {
  if (value === undefined || value === null) fail(code, `${label}: missing`, { field: label })
  try {
    return hexToBytes(value as string, label, length)
  } catch (e) {
    fail(code, e instanceof Error ? e.message : `${label}: malformed`, { field: label }, e)
  }
}

const QUANTITY_RE = /^0x[0-9a-fA-F]{1,64}$/

/** A JSON-RPC quantity (`0x`-prefixed hex integer, EIP-1474) within `max`. */
export function jsonUint(obj: Record<string, unknown>, field: string, code: string, what: string, max: bigint): bigint {
  const v = obj[field]
  if (v === undefined || v === null) fail(code, `${what}.${field}: missing`, { field })
  if (typeof v !== 'string' || !QUANTITY_RE.test(v)) fail(code, `${what}.${field}: not a hex quantity`, { field })
  const n = BigInt(v)
  if (n > max) fail(code, `${what}.${field}: out of range`, { field })
  return n
}

export function isPresent(obj: Record<string, unknown>, field: string): boolean {
  return obj[field] !== undefined && obj[field] !== null
}

export function asRecord(json: unknown, code: string, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(code, `${what}: expected a JSON object`)
  return json as Record<string, unknown>
}
