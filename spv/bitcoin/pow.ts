// Proof of work: the compact target encoding (nBits) exactly as Bitcoin Core's arith_uint256 SetCompact /
// GetCompact, the target check (DeriveTarget, CheckProofOfWork) and the work a target represents (GetBlockProof).
import { fail } from '../base/errors.js'
import type { BitcoinNetwork } from './networks.js'

const TWO_256 = 1n << 256n
const MASK_256 = TWO_256 - 1n

export interface CompactDecoding {
  readonly target: bigint
  readonly negative: boolean
  readonly overflow: boolean
}

/** arith_uint256::SetCompact: the target with its negative and overflow flags. */
export function decodeCompact(bits: number): CompactDecoding {
  const size = bits >>> 24
  let word = bits & 0x007fffff
  let target: bigint
  // As Core: for a small exponent the mantissa is shifted first, and the flags look at what is left of it.
  if (size <= 3) {
    word = word >>> (8 * (3 - size))
    target = BigInt(word)
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & MASK_256
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
  return { target, negative, overflow }
}

/** arith_uint256::GetCompact for a non-negative target below 2^256. */
export function encodeCompact(target: bigint): number {
  if (target < 0n || target > MASK_256) fail('SPV_BAD_TARGET', 'target out of range')
  let size = (target.toString(2).length + 7) >> 3
  if (target === 0n) size = 0
  let compact: number
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)))
  else compact = Number(target >> BigInt(8 * (size - 3)))
  // The 0x00800000 bit is the sign: if it would be set, shift the mantissa and grow the exponent.
  if (compact & 0x00800000) {
    compact >>>= 8
    size++
  }
  return (compact | (size << 24)) >>> 0
}

interface TargetInfo extends CompactDecoding {
  /** The target as 32 little-endian bytes, to compare with a hash without a bigint conversion. */
  readonly targetLE: Uint8Array
  readonly work: bigint
}

// bits change once per 2016 blocks: cache what each distinct bits value decodes to.
const targetCache = new Map<number, TargetInfo>()

function targetInfo(bits: number): TargetInfo {
  let info = targetCache.get(bits)
  if (info !== undefined) return info
  const { target, negative, overflow } = decodeCompact(bits)
  const targetLE = new Uint8Array(32)
  let t = target
  for (let i = 0; i < 32; i++) {
    targetLE[i] = Number(t & 0xffn)
    t >>= 8n
  }
  // GetBlockProof: 2^256 / (target + 1), computed as Core does to stay below 2^256.
  const work = target === 0n ? 0n : (~target & MASK_256) / (target + 1n) + 1n
  info = { target, negative, overflow, targetLE, work }
  if (targetCache.size > 4096) targetCache.clear()
  targetCache.set(bits, info)
  return info
}

/**
 * The target nBits encodes, refused (as DeriveTarget does) when negative, zero, overflowing or above the
 * network's powLimit; each refusal has its own code.
 */
export function targetFromBits(bits: number, net: Pick<BitcoinNetwork, 'powLimit'>): bigint {
  const { target, negative, overflow } = decodeCompact(bits)
  const hex = bits.toString(16).padStart(8, '0')
  if (negative) fail('SPV_BITS_NEGATIVE', `nBits ${hex} encodes a negative target`, { bits: hex })
  if (overflow) fail('SPV_BITS_OVERFLOW', `nBits ${hex} overflows 256 bits`, { bits: hex })
  if (target === 0n) fail('SPV_BITS_ZERO', `nBits ${hex} encodes a zero target`, { bits: hex })
  if (target > net.powLimit) fail('SPV_BITS_ABOVE_LIMIT', `nBits ${hex} is easier than the network's proof-of-work limit`, { bits: hex })
  return target
}

/** True when a hash (internal byte order, i.e. little-endian number) is at or below the target. */
function hashMeetsTarget(hash: Uint8Array, targetLE: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const h = hash[i]!
    const t = targetLE[i]!
    if (h !== t) return h < t
  }
  return true
}

/**
 * CheckProofOfWork: nBits must give a valid target within powLimit, and the block hash must not exceed it.
 * Returns the work this header adds to its chain.
 */
export function checkProofOfWork(hash: Uint8Array, bits: number, net: Pick<BitcoinNetwork, 'powLimit'>): bigint {
  const info = targetInfo(bits)
  if (info.negative || info.overflow || info.target === 0n || info.target > net.powLimit) targetFromBits(bits, net)
  if (!hashMeetsTarget(hash, info.targetLE)) {
    fail('SPV_BAD_POW', `block hash does not meet the target of nBits ${bits.toString(16).padStart(8, '0')}`, {
      bits: bits.toString(16).padStart(8, '0'),
    })
  }
  return info.work
}

/** The expected number of hashes to find a block at this nBits (Core's GetBlockProof); 0 for an invalid target. */
export function workFromBits(bits: number): bigint {
  const info = targetInfo(bits)
  return info.negative || info.overflow ? 0n : info.work
}
