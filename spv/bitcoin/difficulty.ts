// Difficulty rules per network, as Bitcoin Core's pow.cpp: the retarget every 2016 blocks, the testnet
// 20-minute minimum-difficulty rule with its walk back to the last regular block, regtest's fixed target, and
// BIP94 (testnet4) which retargets from the period's first block instead of its last.
import { fail } from '../base/errors.js'
import { decodeCompact, encodeCompact } from './pow.js'
import { difficultyInterval, type BitcoinNetwork } from './networks.js'

const MASK_256 = (1n << 256n) - 1n

/**
 * CalculateNextWorkRequired: the nBits of the first block of the next period, from the time of the first and
 * the last block of this period and the bits to scale (the last block's, or with BIP94 the first block's).
 */
export function retargetBits(net: BitcoinNetwork, firstTime: number, lastTime: number, baseBits: number): number {
  if (net.powNoRetargeting) return baseBits
  let timespan = lastTime - firstTime
  const min = Math.floor(net.targetTimespan / 4)
  const max = net.targetTimespan * 4
  if (timespan < min) timespan = min
  if (timespan > max) timespan = max
  const base = decodeCompact(baseBits).target
  // arith_uint256 arithmetic wraps at 2^256; mirror it so the answer is Core's even for extreme inputs.
  let next = ((base * BigInt(timespan)) & MASK_256) / BigInt(net.targetTimespan)
  if (next > net.powLimit) next = net.powLimit
  return encodeCompact(next)
}

/** What a header's difficulty rule needs to know about its parent and the parent's ancestors. */
export interface DifficultyContext {
  readonly height: number
  readonly time: number
  readonly bits: number
  /** Time of the first block of the parent's difficulty period; null when the chain does not reach back that far. */
  readonly periodStartTime: number | null
  /** nBits of the first block of the parent's period (BIP94 scales from it); null when unknown. */
  readonly periodStartBits: number | null
  /**
   * The bits Core's walk-back finds: of the nearest block at or before this one that is at a period start or
   * does not carry powLimit bits (only used where min-difficulty blocks are allowed); null when unknown.
   */
  readonly lastRegularBits: number | null
}

/**
 * GetNextWorkRequired: the nBits the child of `parent` with timestamp `time` must carry, or null when the
 * context does not reach back far enough to know (a chain started from a checkpoint inside a period).
 */
export function nextWorkRequired(net: BitcoinNetwork, parent: DifficultyContext, time: number): number | null {
  const interval = difficultyInterval(net)
  if ((parent.height + 1) % interval !== 0) {
    if (net.powAllowMinDifficultyBlocks) {
      // A block more than twice the spacing after its parent may be mined at minimum difficulty...
      if (time > parent.time + net.targetSpacing * 2) return net.powLimitBits
      // ...otherwise it carries the bits of the last block that was not such a minimum-difficulty block.
      return parent.lastRegularBits
    }
    return parent.bits
  }
  if (net.powNoRetargeting) return parent.bits
  if (parent.periodStartTime === null) return null
  if (net.enforceBIP94) {
    if (parent.periodStartBits === null) return null
    return retargetBits(net, parent.periodStartTime, parent.time, parent.periodStartBits)
  }
  return retargetBits(net, parent.periodStartTime, parent.time, parent.bits)
}

/** The difficulty context of a block given its parent's context. */
export function childDifficultyContext(
  net: BitcoinNetwork,
  parent: DifficultyContext,
  child: { readonly time: number; readonly bits: number },
): DifficultyContext {
  const height = parent.height + 1
  const periodStart = height % difficultyInterval(net) === 0
  const regular = periodStart || child.bits !== net.powLimitBits
  return {
    height,
    time: child.time,
    bits: child.bits,
    periodStartTime: periodStart ? child.time : parent.periodStartTime,
    periodStartBits: periodStart ? child.bits : parent.periodStartBits,
    lastRegularBits: regular ? child.bits : parent.lastRegularBits,
  }
}

/** Median of up to the last 11 timestamps (Core's GetMedianTimePast takes the upper middle of an even count). */
export function medianTimePast(times: readonly number[]): number {
  if (times.length === 0) fail('SPV_INTERNAL', 'median time past of no blocks')
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
