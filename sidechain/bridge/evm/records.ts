// Fixed-width encodings of the EVM family's stored records (keys: layout.ts). Each decoder checks the length, so a
// record of another shape is a BRIDGE_STORE_CORRUPT, never a misread.
import { bigIntToBytesBE, bytesToBigIntBE, concatBytes } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { u64 } from '../layout.js'

export interface StoredEvmHeader {
  readonly parentHash: Uint8Array
  readonly number: bigint
  readonly receiptsRoot: Uint8Array
  readonly timestamp: bigint
  /** Bit i: member i attests this header now. */
  readonly attesters: number
}

export interface StoredWrappedToken {
  readonly mainChainId: bigint
  readonly mainToken: Uint8Array
  readonly decimals: number
  readonly index: bigint
}

export interface StoredReserves {
  readonly locked: bigint
  readonly pending: bigint
}

/** Withdrawal status (IEvmBridge.EvmWithdrawalView.status). */
export const WITHDRAWAL_STATUS = { unknown: 0, requested: 1, signed: 2, paid: 3 } as const
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUS)[keyof typeof WITHDRAWAL_STATUS]

export interface StoredWithdrawal {
  readonly requester: Uint8Array
  readonly mainChainId: bigint
  readonly mainToken: Uint8Array
  readonly wrappedToken: Uint8Array
  readonly mainRecipient: Uint8Array
  readonly amount: bigint
  readonly epoch: bigint
  readonly digest: Uint8Array
  readonly signers: number
  readonly status: WithdrawalStatus
  readonly requestedAt: bigint
}

const u32 = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n >>> 0, false)
  return b
}
const readU64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, false)
const readU32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, false)

function sized(b: Uint8Array, length: number, what: string): Uint8Array {
  if (b.length !== length) fail('BRIDGE_STORE_CORRUPT', `a stored EVM ${what} has ${b.length} bytes, not ${length}`)
  return b
}

export function encodeHeader(h: StoredEvmHeader): Uint8Array {
  return concatBytes(h.parentHash, u64(h.number), h.receiptsRoot, u64(h.timestamp), u32(h.attesters))
}

export function decodeHeader(b: Uint8Array): StoredEvmHeader {
  sized(b, 84, 'header')
  return { parentHash: b.slice(0, 32), number: readU64(b, 32), receiptsRoot: b.slice(40, 72), timestamp: readU64(b, 72), attesters: readU32(b, 80) }
}

export function encodeToken(t: StoredWrappedToken): Uint8Array {
  return concatBytes(u64(t.mainChainId), t.mainToken, Uint8Array.of(t.decimals), u64(t.index))
}

export function decodeToken(b: Uint8Array): StoredWrappedToken {
  sized(b, 37, 'token')
  return { mainChainId: readU64(b, 0), mainToken: b.slice(8, 28), decimals: b[28]!, index: readU64(b, 29) }
}

export function encodeReserves(r: StoredReserves): Uint8Array {
  return concatBytes(bigIntToBytesBE(r.locked, 32), bigIntToBytesBE(r.pending, 32))
}

export function decodeReserves(b: Uint8Array): StoredReserves {
  sized(b, 64, 'reserves')
  return { locked: bytesToBigIntBE(b.subarray(0, 32)), pending: bytesToBigIntBE(b.subarray(32, 64)) }
}

export function encodeWithdrawal(w: StoredWithdrawal): Uint8Array {
  return concatBytes(
    w.requester,
    u64(w.mainChainId),
    w.mainToken,
    w.wrappedToken,
    w.mainRecipient,
    bigIntToBytesBE(w.amount, 32),
    u64(w.epoch),
    w.digest,
    u32(w.signers),
    Uint8Array.of(w.status),
    u64(w.requestedAt),
  )
}

export function decodeWithdrawal(b: Uint8Array): StoredWithdrawal {
  sized(b, 173, 'withdrawal')
  const status = b[164]!
  if (status < 1 || status > 3) fail('BRIDGE_STORE_CORRUPT', `a stored EVM withdrawal has status ${status}`)
  return {
    requester: b.slice(0, 20),
    mainChainId: readU64(b, 20),
    mainToken: b.slice(28, 48),
    wrappedToken: b.slice(48, 68),
    mainRecipient: b.slice(68, 88),
    amount: bytesToBigIntBE(b.subarray(88, 120)),
    epoch: readU64(b, 120),
    digest: b.slice(128, 160),
    signers: readU32(b, 160),
    status: status as WithdrawalStatus,
    requestedAt: readU64(b, 165),
  }
}

/** A list of 32-byte hashes (the hashes attested at one height). */
export function encodeHashes(hashes: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...hashes)
}

export function decodeHashes(b: Uint8Array): Uint8Array[] {
  if (b.length % 32 !== 0) fail('BRIDGE_STORE_CORRUPT', 'a stored list of EVM hashes is not whole hashes')
  const out: Uint8Array[] = []
  for (let i = 0; i < b.length; i += 32) out.push(b.slice(i, i + 32))
  return out
}

/** An accepted height's neighbours (0 = none). */
export function encodeLink(prev: bigint, next: bigint): Uint8Array {
  return concatBytes(u64(prev), u64(next))
}

export function decodeLink(b: Uint8Array): { prev: bigint; next: bigint } {
  sized(b, 16, 'link')
  return { prev: readU64(b, 0), next: readU64(b, 8) }
}
