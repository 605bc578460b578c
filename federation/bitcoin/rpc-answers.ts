// Reading a Bitcoin node's JSON-RPC answers: every field checked by a labelled assertion (BTC_RPC_BAD_RESPONSE names
// the method and field), arguments checked before they are sent (BTC_RPC_BAD_ARGUMENT), BTC amounts to satoshis.
import { hexToBytes } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'

/**
 * A txid or block hash in display order: 64 lower-case hex digits, byte-reversed from the internal order that is
 * hashed (`displayHexToHash` / `hashToDisplayHex` in spv/base/bytes convert).
 */
export type DisplayHashHex = string

const HASH_RE = /^[0-9a-f]{64}$/

/** A BTC amount as JSON-RPC writes it (a number with up to 8 decimals) to satoshis, exactly. */
export function btcToSats(value: unknown, label = 'amount'): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) badResponse(label, `not an amount: ${JSON.stringify(value)}`)
  // Doubles near 21e6 are spaced ~4e-9 apart, so rounding to 8 decimals recovers the decimal the node wrote.
  const fixed = Math.abs(value).toFixed(8)
  const [whole, frac] = fixed.split('.') as [string, string]
  const sats = BigInt(whole) * 100_000_000n + BigInt(frac)
  return value < 0 ? -sats : sats
}

export function checkHash(value: string, label: string): DisplayHashHex {
  if (typeof value !== 'string' || !HASH_RE.test(value.toLowerCase())) {
    fail('BTC_RPC_BAD_ARGUMENT', `${label}: expected 64 hex digits (display order), got ${JSON.stringify(value)}`, { label })
  }
  return value.toLowerCase()
}

export function badResponse(method: string, what: string): never {
  fail('BTC_RPC_BAD_RESPONSE', `unexpected answer to ${method}: ${what}`, { method })
}

export function asObject(v: unknown, method: string): object {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) badResponse(method, 'not an object')
  return v
}

export function asInt(v: unknown, method: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) badResponse(method, `not an integer: ${JSON.stringify(v)}`)
  return v
}

export function asHeight(v: unknown, method: string): number {
  const n = asInt(v, method)
  if (n < 0) badResponse(method, `negative height ${n}`)
  return n
}

export function asHash(v: unknown, method: string): DisplayHashHex {
  if (typeof v !== 'string' || !HASH_RE.test(v)) badResponse(method, `not a hash: ${JSON.stringify(v)}`)
  return v
}

export function asBytes(v: unknown, method: string, length?: number): Uint8Array {
  if (typeof v !== 'string') badResponse(method, 'not a hex string')
  try {
    return hexToBytes(v, method, length)
  } catch (e) {
    badResponse(method, (e as Error).message)
  }
}
