// Token amounts as users type them for the EVM peg (pure): a decimal in the token's own units ("1.5" ETH = 1.5·10^18
// wei, "25" of a 6-decimal token = 25,000,000), exactly (no floating point), and back to text. What is refused, and
// why: anything but digits with at most one '.' (so "1e-3", "0,5", "-1", "+1", " ", "0x10"), zero, more decimals
// than the token has (a fraction of its smallest unit cannot be moved), and more than a uint256.
import { CausewayError } from '../../spv/base/errors.js'

/** The largest amount an ERC-20 or the vault can carry. */
const UINT256_MAX = (1n << 256n) - 1n

/** Decimals a token may declare (uint8; the vault reads missing or out-of-range decimals as 18). */
export function checkDecimals(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) throw new CausewayError('CLI_BAD_DECIMALS', `a token's decimals are a whole number from 0 to 255, got ${decimals}`)
  return decimals
}

/** Whether `text` has the shape of an amount at all (digits, at most one '.'), before the token's decimals are known. */
export function checkAmountSyntax(text: string): void {
  const t = text.trim()
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) {
    const why = /^-/.test(t) ? 'a negative amount' : /e/i.test(t) ? 'exponent notation' : /,/.test(t) ? 'a comma (write a dot: 0.5)' : 'not a decimal number'
    throw new CausewayError('CLI_BAD_AMOUNT', `not an amount: ${JSON.stringify(text)} (${why}; write e.g. 1.5)`, { details: { amount: text } })
  }
}

/**
 * "1.5" with 18 decimals → 1500000000000000000n. CLI_BAD_AMOUNT for a malformed text, CLI_AMOUNT_ZERO for zero,
 * CLI_AMOUNT_TOO_PRECISE for a non-zero digit beyond the token's decimals (trailing zeros are fine, as in
 * cli/values.ts), CLI_AMOUNT_TOO_LARGE above uint256.
 */
export function parseTokenAmount(text: string, decimals: number, symbol = 'units'): bigint {
  checkDecimals(decimals)
  checkAmountSyntax(text)
  const [whole = '', frac = ''] = text.trim().split('.')
  if (frac.length > decimals && /[^0]/.test(frac.slice(decimals))) {
    throw new CausewayError('CLI_AMOUNT_TOO_PRECISE', `${text} ${symbol} has more decimals than the token's ${decimals}`, { details: { amount: text, decimals } })
  }
  const units = BigInt(whole === '' ? '0' : whole) * 10n ** BigInt(decimals) + BigInt((frac.slice(0, decimals) || '0').padEnd(decimals, '0') || '0')
  if (units === 0n) throw new CausewayError('CLI_AMOUNT_ZERO', 'the amount must be more than 0', { details: { amount: text } })
  if (units > UINT256_MAX) throw new CausewayError('CLI_AMOUNT_TOO_LARGE', `${text} ${symbol} is more than a uint256 can hold`, { details: { amount: text } })
  return units
}

/** Smallest units as a decimal without trailing zeros: 1500000n, 6 → "1.5"; 25000000n, 6 → "25". */
export function formatTokenAmount(units: bigint, decimals: number): string {
  checkDecimals(decimals)
  const neg = units < 0n
  const a = neg ? -units : units
  const base = 10n ** BigInt(decimals)
  const frac = decimals === 0 ? '' : (a % base).toString().padStart(decimals, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${a / base}${frac === '' ? '' : `.${frac}`}`
}
