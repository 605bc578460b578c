// The OP_RETURN form of a peg-in (ARCHITECTURE.md decision 6): a payment to the plain federation address carries, in
// the same transaction, one OP_RETURN output naming the side chain, the recipient and optionally a refund script.
//
//   OP_RETURN <push of the payload>       (one minimal push, nothing else in the script)
//   payload = "CWAY" (43 57 41 59) | 0x01 version | chainId (8 bytes, big-endian) | recipient (20 bytes)
//             [ | refund length L (1 byte, 1–42) | refund scriptPubKey (L bytes: p2pkh, p2sh, p2wpkh, p2wsh or p2tr) ]
//
// 33 bytes without refund, at most 34 + 34 = 68 with one (every accepted template is ≤ 34 bytes), so the whole
// output script is at most 70 bytes, inside Bitcoin Core's and bcoin's 83-byte standard OP_RETURN. The length
// byte allows up to 42 (the longest witness program) so the format need not change if more templates are allowed.
import { concatBytes } from '../../spv/base/bytes.js'
import { pegEnsure, pegFail } from './errors.js'
import { classifyOutputScript } from './outputs.js'
import { chainIdBytes, checkRecipient } from './values.js'

export const MEMO_MAGIC = Uint8Array.of(0x43, 0x57, 0x41, 0x59) // "CWAY"
export const MEMO_VERSION = 0x01
/** Limit of the refund script's length byte (BIP141's longest witness program output, 2 + 40). */
export const MAX_REFUND_SCRIPT_LENGTH = 42

const OP_RETURN = 0x6a
const OP_PUSHDATA1 = 0x4c
const OP_PUSHDATA2 = 0x4d
const OP_PUSHDATA4 = 0x4e
const FIXED_LENGTH = 4 + 1 + 8 + 20

export interface PegInMemo {
  readonly chainId: bigint
  readonly recipient: Uint8Array
  /** Where the bridge refunds this peg-in when it cannot mint it; absent when the sender gave none. */
  readonly refundScript?: Uint8Array
}

/** The OP_RETURN scriptPubKey of a peg-in memo. */
export function encodePegInMemo(memo: { chainId: bigint; recipient: Uint8Array; refundScript?: Uint8Array }): Uint8Array {
  checkRecipient(memo.recipient)
  const parts = [MEMO_MAGIC, Uint8Array.of(MEMO_VERSION), chainIdBytes(memo.chainId), memo.recipient]
  if (memo.refundScript !== undefined) {
    const r = memo.refundScript
    pegEnsure(
      r instanceof Uint8Array && classifyOutputScript(r) !== null,
      'PEG_REFUND_SCRIPT_INVALID',
      'refundScript: expected a p2pkh, p2sh, p2wpkh, p2wsh or p2tr scriptPubKey',
    )
    parts.push(Uint8Array.of(r.length), r)
  }
  const payload = concatBytes(...parts)
  const header = payload.length <= 75 ? Uint8Array.of(payload.length) : Uint8Array.of(OP_PUSHDATA1, payload.length)
  return concatBytes(Uint8Array.of(OP_RETURN), header, payload)
}

/**
 * The memo an output script carries; null when the script is not a Causeway memo at all (not OP_RETURN, or its
 * first push does not start with "CWAY"). Once the magic matches, anything wrong with the rest — another version,
 * a truncated or overlong payload, a non-minimal push, more script after the push, a bad refund — is
 * PEG_MEMO_MALFORMED: it was meant for us, and saying so beats ignoring it.
 */
export function decodePegInMemo(script: Uint8Array): PegInMemo | null {
  if (!(script instanceof Uint8Array) || script.length < 2 || script[0] !== OP_RETURN) return null
  const push = readPushHeader(script)
  if (push === null) return null
  const data = script.subarray(push.header, push.header + push.length)
  if (data.length < MEMO_MAGIC.length || !MEMO_MAGIC.every((b, i) => data[i] === b)) return null

  const malformed = (reason: string, details?: Record<string, unknown>): never =>
    pegFail('PEG_MEMO_MALFORMED', `peg-in memo: ${reason}`, { reason, ...details })
  if (script.length !== push.header + push.length) {
    malformed(script.length < push.header + push.length ? 'truncated push' : 'bytes after the memo push')
  }
  if (!push.minimal) malformed('non-minimal push')
  if (data.length < MEMO_MAGIC.length + 1) malformed('payload too short', { length: data.length })
  if (data[4] !== MEMO_VERSION) malformed('unsupported version', { version: data[4] })
  if (data.length < FIXED_LENGTH) malformed('payload too short', { length: data.length })
  const chainId = new DataView(data.buffer, data.byteOffset + 5, 8).getBigUint64(0, false)
  const recipient = data.slice(13, 33)
  if (data.length === FIXED_LENGTH) return Object.freeze({ chainId, recipient })

  const refundLength = data[FIXED_LENGTH]!
  if (refundLength < 1 || refundLength > MAX_REFUND_SCRIPT_LENGTH) malformed('refund length out of range', { refundLength })
  if (data.length !== FIXED_LENGTH + 1 + refundLength) malformed('refund length does not match the payload', { refundLength })
  const refundScript = data.slice(FIXED_LENGTH + 1)
  if (classifyOutputScript(refundScript) === null) malformed('refund script is not a standard output script')
  return Object.freeze({ chainId, recipient, refundScript })
}

/** The push right after OP_RETURN: where its data starts, its declared length and whether the opcode was minimal. */
function readPushHeader(script: Uint8Array): { header: number; length: number; minimal: boolean } | null {
  const op = script[1]!
  if (op >= 1 && op <= 75) return { header: 2, length: op, minimal: true }
  const view = new DataView(script.buffer, script.byteOffset, script.byteLength)
  if (op === OP_PUSHDATA1 && script.length >= 3) {
    const length = script[2]!
    return { header: 3, length, minimal: length > 75 }
  }
  if (op === OP_PUSHDATA2 && script.length >= 4) {
    const length = view.getUint16(2, true)
    return { header: 4, length, minimal: length > 0xff }
  }
  if (op === OP_PUSHDATA4 && script.length >= 6) {
    const length = view.getUint32(2, true)
    return { header: 6, length, minimal: length > 0xffff }
  }
  return null
}
