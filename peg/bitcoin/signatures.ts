// Signature bytes: one input signature (strict DER, BIP66, followed by SIGHASH_ALL) and the bundle a signer hands
// the bridge in `addSignatures(uint256 batchId, bytes signatures)` — one signature per batch input, in input order:
//
//   bundle = 0x01 (format version) | count (2 bytes, big-endian, ≥ 1) | count × ( length (1 byte, 9–73) | signature )
//
// with nothing after the last signature. The signer is the caller (msg.sender), so the bundle does not name it.
import { script as bscript } from 'bitcoinjs-lib'
import { concatBytes } from '../../spv/base/bytes.js'
import { pegEnsure, pegFail, type PegErrorCode } from './errors.js'

export const SIGHASH_ALL = 0x01
export const SIGNATURE_BUNDLE_VERSION = 0x01
/** Shortest and longest DER signature with its sighash byte (BIP66: 8–72 bytes of DER). */
export const MIN_SIGNATURE_LENGTH = 9
export const MAX_SIGNATURE_LENGTH = 73
const MAX_BUNDLE_COUNT = 0xffff

/** DER + SIGHASH_ALL of a 64-byte compact (r || s) signature. */
export function encodeInputSignature(compact64: Uint8Array): Uint8Array {
  pegEnsure(compact64 instanceof Uint8Array && compact64.length === 64, 'PEG_SIGNATURE_MALFORMED', 'signature: expected 64 bytes (r || s)')
  return bscript.signature.encode(compact64, SIGHASH_ALL)
}

/**
 * The 64-byte compact (r || s) of an input signature: strict DER (BIP66) and exactly SIGHASH_ALL, else `code`
 * (PEG_SIGNATURE_MALFORMED by default). Whether r and s are in range and s is low is the verifier's business.
 */
export function decodeInputSignature(sig: Uint8Array, code: PegErrorCode = 'PEG_SIGNATURE_MALFORMED', details?: Record<string, unknown>): Uint8Array {
  pegEnsure(sig instanceof Uint8Array, code, 'signature: expected a Uint8Array', details)
  pegEnsure(sig.length >= MIN_SIGNATURE_LENGTH && sig.length <= MAX_SIGNATURE_LENGTH, code, 'signature: wrong length', {
    length: sig.length,
    ...details,
  })
  pegEnsure(sig[sig.length - 1] === SIGHASH_ALL, code, 'signature: sighash type must be SIGHASH_ALL', {
    hashType: sig[sig.length - 1],
    ...details,
  })
  try {
    return bscript.signature.decode(sig).signature
  } catch (e) {
    pegFail(code, 'signature: not strict DER', details, e)
  }
}

/** The `addSignatures` bytes of one signer's signatures, one per batch input. */
export function encodeSignatures(sigs: readonly Uint8Array[]): Uint8Array {
  pegEnsure(Array.isArray(sigs), 'PEG_SIGNATURES_MALFORMED', 'signatures: expected an array')
  pegEnsure(sigs.length >= 1 && sigs.length <= MAX_BUNDLE_COUNT, 'PEG_SIGNATURES_MALFORMED', 'signatures: expected 1 to 65535', {
    count: sigs.length,
  })
  const parts: Uint8Array[] = [Uint8Array.of(SIGNATURE_BUNDLE_VERSION, sigs.length >>> 8, sigs.length & 0xff)]
  sigs.forEach((sig, index) => {
    decodeInputSignature(sig, 'PEG_SIGNATURES_MALFORMED', { index })
    parts.push(Uint8Array.of(sig.length), sig)
  })
  return concatBytes(...parts)
}

/** The signatures of an `addSignatures` bundle; PEG_SIGNATURES_MALFORMED for anything but the exact format. */
export function decodeSignatures(bytes: Uint8Array): Uint8Array[] {
  const bad = (reason: string, details?: Record<string, unknown>): never =>
    pegFail('PEG_SIGNATURES_MALFORMED', `signature bundle: ${reason}`, { reason, ...details })
  if (!(bytes instanceof Uint8Array)) bad('expected bytes')
  if (bytes.length < 3) bad('too short')
  if (bytes[0] !== SIGNATURE_BUNDLE_VERSION) bad('unknown format version', { version: bytes[0] })
  const count = (bytes[1]! << 8) | bytes[2]!
  if (count === 0) bad('no signatures')
  const out: Uint8Array[] = []
  let at = 3
  for (let index = 0; index < count; index++) {
    if (at >= bytes.length) bad('truncated', { index })
    const length = bytes[at]!
    if (at + 1 + length > bytes.length) bad('truncated', { index })
    const sig = bytes.slice(at + 1, at + 1 + length)
    decodeInputSignature(sig, 'PEG_SIGNATURES_MALFORMED', { index })
    out.push(sig)
    at += 1 + length
  }
  if (at !== bytes.length) bad('bytes after the last signature', { extra: bytes.length - at })
  return out
}
