// The name, symbol and decimals of a wrapped token (PROTOCOL.md "Wrapped tokens"): ETH is "Causeway Ether"
// (cwETH, 18); a token keeps its decimals and gets "Causeway " + its name and "cw" + its symbol. A token's metadata
// is whatever its contract answered the vault, so it is cleaned: control characters dropped, lengths bounded.
import { toHex } from '../../spv/base/bytes.js'

export interface WrappedMetadata {
  readonly name: string
  readonly symbol: string
  readonly decimals: number
}

export const ETH_WRAPPED: WrappedMetadata = Object.freeze({ name: 'Causeway Ether', symbol: 'cwETH', decimals: 18 })

const MAX_NAME = 64
const MAX_SYMBOL = 32

/** Drops control and format characters, trims, and cuts to `max` UTF-8 bytes on a character boundary. */
function clean(s: string, max: number): string {
  const printable = [...s].filter((ch) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(ch)).join('').trim()
  const enc = new TextEncoder()
  let out = ''
  for (const ch of printable) {
    if (enc.encode(out + ch).length > max) break
    out += ch
  }
  return out
}

/** What the side chain calls the wrapped form of `mainToken` (zero address: ETH), from the deposit's metadata. */
export function wrappedMetadata(mainToken: Uint8Array, name: string, symbol: string, decimals: number): WrappedMetadata {
  if (mainToken.every((b) => b === 0)) return ETH_WRAPPED
  const fallback = toHex(mainToken)
  const n = clean(name, MAX_NAME - 'Causeway '.length) || fallback
  const s = clean(symbol, MAX_SYMBOL - 'cw'.length) || fallback.slice(0, MAX_SYMBOL - 2)
  return { name: `Causeway ${n}`, symbol: `cw${s}`, decimals }
}
