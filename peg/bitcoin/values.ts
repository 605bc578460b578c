// Labelled checks of the plain values the peg rules take (byte lengths, chain ids, amounts), shared by the files of
// this folder so every entry point names the bad field with the same code.
import type { ErrorDetails } from '../../spv/base/errors.js'
import { pegEnsure, pegFail, type PegErrorCode } from './errors.js'

/** Largest chain id: the deposit tweak and the memo carry it as 8 bytes. */
export const MAX_CHAIN_ID = (1n << 64n) - 1n

/** 21 million BTC in satoshis (Bitcoin Core's MAX_MONEY): no amount on Bitcoin is larger. */
export const MAX_MONEY_SATS = 21_000_000n * 100_000_000n

export function checkBytes(value: unknown, length: number, code: PegErrorCode, label: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) pegFail(code, `${label}: expected a Uint8Array`, { label })
  pegEnsure(value.length === length, code, `${label}: expected ${length} bytes, got ${value.length}`, {
    label,
    expected: length,
    actual: value.length,
  })
}

export function checkChainId(chainId: unknown): asserts chainId is bigint {
  pegEnsure(
    typeof chainId === 'bigint' && chainId >= 0n && chainId <= MAX_CHAIN_ID,
    'PEG_CHAIN_ID_INVALID',
    'chainId: expected a bigint in [0, 2^64)',
    { chainId: String(chainId) },
  )
}

export function checkRecipient(recipient: unknown, label = 'recipient'): asserts recipient is Uint8Array {
  checkBytes(recipient, 20, 'PEG_RECIPIENT_INVALID', label)
}

/** A satoshi amount: a bigint in [min, MAX_MONEY]. */
export function checkSats(value: unknown, code: PegErrorCode, label: string, min = 0n, details?: ErrorDetails): asserts value is bigint {
  pegEnsure(
    typeof value === 'bigint' && value >= min && value <= MAX_MONEY_SATS,
    code,
    `${label}: expected a satoshi amount (bigint) in [${min}, 21e14]`,
    { label, value: String(value), ...details },
  )
}

/** Lexicographic byte order (BIP67 sorts keys by it). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!
  }
  return a.length - b.length
}

/** 8-byte big-endian encoding of a chain id. */
export function chainIdBytes(chainId: bigint): Uint8Array {
  checkChainId(chainId)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, chainId, false)
  return out
}
