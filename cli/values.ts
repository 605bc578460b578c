// What users type into the peg commands, checked and converted at the CLI edge (pure): BTC amounts to satoshis
// (exactly, no floating point), satoshis back to BTC text, txids, side-chain addresses, peg-out ids.
import { getAddress, isAddress } from 'ethers'
import { CausewayError } from '../spv/base/errors.js'
import { REQUEST_STATUS } from '../peg/bitcoin/status.js'

/** 1 BTC = 10^8 satoshis. */
export const SATS_PER_BTC = 100_000_000n

/**
 * "0.4", "1", "0.00020000" → satoshis. More than 8 decimals is CLI_AMOUNT_NOT_WHOLE_SATS (the bridge only burns
 * whole satoshis, 1 sat = 10^10 wei); anything else that is not a positive decimal is CLI_BAD_AMOUNT.
 */
export function parseBtcAmount(text: string): bigint {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim())
  if (m === null || (m[1] === '' && (m[2] ?? '') === '')) throw new CausewayError('CLI_BAD_AMOUNT', `not an amount of BTC: ${JSON.stringify(text)} (write e.g. 0.25)`)
  const frac = m[2] ?? ''
  if (frac.length > 8 && /[^0]/.test(frac.slice(8))) {
    throw new CausewayError('CLI_AMOUNT_NOT_WHOLE_SATS', `${text} BTC is not a whole number of satoshis (at most 8 decimals)`)
  }
  const sats = BigInt(m[1] === '' ? '0' : m[1]!) * SATS_PER_BTC + BigInt((frac.slice(0, 8) + '00000000').slice(0, 8))
  if (sats === 0n) throw new CausewayError('CLI_BAD_AMOUNT', 'the amount must be more than 0')
  return sats
}

/** Satoshis as BTC with all 8 decimals ("0.40000000"); negative values keep their sign. */
export function formatBtc(sats: bigint): string {
  const neg = sats < 0n
  const a = neg ? -sats : sats
  return `${neg ? '-' : ''}${a / SATS_PER_BTC}.${(a % SATS_PER_BTC).toString().padStart(8, '0')}`
}

/** A Bitcoin txid as users and explorers write it: 64 hex digits, display order. CLI_BAD_TXID otherwise. */
export function parseTxid(text: string): string {
  const t = text.trim().toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{64}$/.test(t)) throw new CausewayError('CLI_BAD_TXID', `not a Bitcoin transaction id: ${JSON.stringify(text)} (expected 64 hex digits)`)
  return t
}

/** Whether the text looks like a side-chain (Ethereum) address rather than a txid. */
export function looksLikeSidechainAddress(text: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(text.trim())
}

/** A side-chain address, checksummed (a mixed-case address with a wrong checksum is refused). CLI_BAD_ADDRESS. */
export function parseSidechainAddress(text: string): string {
  const t = text.trim()
  if (!/^0x[0-9a-fA-F]{40}$/.test(t) || !isAddress(t)) {
    throw new CausewayError('CLI_BAD_ADDRESS', `not a side-chain address: ${JSON.stringify(text)} (expected 0x and 40 hex digits, with a valid checksum if mixed case)`)
  }
  return getAddress(t)
}

/** A peg-out request id (a positive whole number). */
export function parsePegOutId(text: string): bigint {
  if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) === 0n) throw new CausewayError('CLI_BAD_PEGOUT_ID', `not a peg-out request id: ${JSON.stringify(text)} (a positive whole number)`)
  return BigInt(text.trim())
}

const STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(REQUEST_STATUS).map(([name, n]) => [n, name === 'queued' ? 'requested' : name])),
)

/** The bridge's request/batch status number as a word: requested, batched, signed, confirmed (0: unknown). */
export function pegOutStatusName(status: number): string {
  return STATUS_NAMES[status] ?? `status ${status}`
}
