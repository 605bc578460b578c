// The output script types the peg pays to (peg-out destinations, peg-in refunds): the five standard single-owner
// forms, recognized by exact template so a peg-out can never create an output Bitcoin Core would not relay.
import * as ecc from 'tiny-secp256k1'

export type OutputType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr'

const OP_0 = 0x00
const OP_1 = 0x51
const OP_DUP = 0x76
const OP_HASH160 = 0xa9
const OP_EQUAL = 0x87
const OP_EQUALVERIFY = 0x88
const OP_CHECKSIG = 0xac

/** The longest of the five templates (P2WSH and P2TR, 34 bytes); BIP141 programs stop at 40 + 2 = 42. */
export const MAX_OUTPUT_SCRIPT_LENGTH = 34

/**
 * The type of a scriptPubKey, or null when it is none of p2pkh (25 bytes), p2sh (23), p2wpkh (22), p2wsh (34),
 * p2tr (34, whose 32-byte program must be a valid x-only key: an output to a non-key could never be spent).
 */
export function classifyOutputScript(script: Uint8Array): OutputType | null {
  if (!(script instanceof Uint8Array)) return null
  const s = script
  if (s.length === 25 && s[0] === OP_DUP && s[1] === OP_HASH160 && s[2] === 20 && s[23] === OP_EQUALVERIFY && s[24] === OP_CHECKSIG) {
    return 'p2pkh'
  }
  if (s.length === 23 && s[0] === OP_HASH160 && s[1] === 20 && s[22] === OP_EQUAL) return 'p2sh'
  if (s.length === 22 && s[0] === OP_0 && s[1] === 20) return 'p2wpkh'
  if (s.length === 34 && s[0] === OP_0 && s[1] === 32) return 'p2wsh'
  if (s.length === 34 && s[0] === OP_1 && s[1] === 32 && ecc.isXOnlyPoint(s.subarray(2))) return 'p2tr'
  return null
}

/** The scriptPubKey of a 20-byte hash or a witness program; `kind` says which template. */
export function outputScript(kind: OutputType, payload: Uint8Array): Uint8Array {
  switch (kind) {
    case 'p2pkh':
      return Uint8Array.of(OP_DUP, OP_HASH160, 20, ...payload, OP_EQUALVERIFY, OP_CHECKSIG)
    case 'p2sh':
      return Uint8Array.of(OP_HASH160, 20, ...payload, OP_EQUAL)
    case 'p2wpkh':
    case 'p2wsh':
      return Uint8Array.of(OP_0, payload.length, ...payload)
    case 'p2tr':
      return Uint8Array.of(OP_1, payload.length, ...payload)
  }
}
