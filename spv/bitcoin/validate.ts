// Connecting one header to its parent: every check Bitcoin Core's CheckBlockHeader and ContextualCheckBlockHeader
// make, each refusal with its own code (Core's reason in brackets). Pure: the clock comes in as `now`.
import { CausewayError, fail } from '../base/errors.js'
import { equalBytesAt, hashToDisplayHex } from '../base/bytes.js'
import { checkProofOfWork, decodeCompact, workFromBits } from './pow.js'
import { childDifficultyContext, medianTimePast, nextWorkRequired, type DifficultyContext } from './difficulty.js'
import { BIP94_MAX_TIMEWARP, MAX_FUTURE_BLOCK_TIME, MEDIAN_TIME_SPAN, difficultyInterval, type BitcoinNetwork } from './networks.js'
import { HEADER_SIZE } from './header.js'
import { hash256 } from './hash.js'

/** A header connected to a chain, with what its children's checks need to know about it. */
export interface HeaderEntry extends DifficultyContext {
  /** Block hash, internal byte order. */
  readonly hash: Uint8Array
  /** The raw 80-byte header. */
  readonly header: Uint8Array
  /** Cumulative work of the chain up to and including this header. */
  readonly chainWork: bigint
  /** Timestamps of this block and up to 10 before it, oldest first (for the median-time-past rule). */
  readonly recentTimes: readonly number[]
}

export interface ConnectOptions {
  /** The verifier's clock in Unix seconds; when given, headers more than 2 hours ahead of it are refused. */
  readonly now?: number
  /**
   * Accept a header whose required nBits cannot be known because the chain starts inside a difficulty period;
   * its bits are then only held to the ×4 bound of a retarget. Used by `verify-headers` on a bare file, never by
   * the bridge's chain.
   */
  readonly allowUnknownDifficulty?: boolean
}

export interface Connected {
  readonly entry: HeaderEntry
  /** False when the nBits rule could not be checked fully (see ConnectOptions.allowUnknownDifficulty). */
  readonly difficultyChecked: boolean
}

function reject(code: string, message: string, height: number, hash: Uint8Array | undefined, extra: Record<string, unknown> = {}): never {
  const details = hash === undefined ? { height, ...extra } : { height, hash: hashToDisplayHex(hash), ...extra }
  throw new CausewayError(code, `header at height ${height}: ${message}`, { details })
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}

/** The target may move by at most a factor of 4 at a retarget (Core's PermittedDifficultyTransition). */
function permittedTransition(net: BitcoinNetwork, oldBits: number, newBits: number): boolean {
  const oldTarget = decodeCompact(oldBits).target
  const newTarget = decodeCompact(newBits).target
  let largest = oldTarget * 4n
  if (largest > net.powLimit) largest = net.powLimit
  const smallest = oldTarget / 4n
  return newTarget <= largest && newTarget >= smallest
}

/** Checks `raw` as the child of `parent` and returns its entry; throws a coded CausewayError on any failure. */
export function connectHeader(net: BitcoinNetwork, parent: HeaderEntry, raw: Uint8Array, options: ConnectOptions = {}): Connected {
  const height = parent.height + 1
  if (raw.length !== HEADER_SIZE) reject('SPV_BAD_HEADER_LENGTH', `expected ${HEADER_SIZE} bytes, got ${raw.length}`, height, undefined)
  // prevHash is bytes 4..36; compare in place.
  const parentHash = parent.hash
  if (!equalBytesAt(parentHash, raw, 4)) reject('SPV_BAD_PREV', 'does not link to the previous header', height, undefined)
  const view = new DataView(raw.buffer, raw.byteOffset, HEADER_SIZE)
  const version = view.getInt32(0, true)
  const time = view.getUint32(68, true)
  const bits = view.getUint32(72, true)
  const hash = hash256(raw)

  // CheckBlockHeader [high-hash]: the hash meets the target its own nBits claims, within powLimit.
  let work: bigint
  try {
    work = checkProofOfWork(hash, bits, net)
  } catch (e) {
    if (e instanceof CausewayError) reject(e.code, e.message, height, hash, { bits: hex8(bits) })
    throw e
  }

  // [bad-diffbits]: nBits is exactly what the network's difficulty rule requires.
  let difficultyChecked = true
  const required = nextWorkRequired(net, parent, time)
  if (required === null) {
    if (!options.allowUnknownDifficulty) {
      reject('SPV_DIFFICULTY_UNKNOWN', 'the chain does not reach back far enough to know the required difficulty', height, hash)
    }
    difficultyChecked = false
    const atRetarget = height % difficultyInterval(net) === 0
    if (atRetarget ? !permittedTransition(net, parent.bits, bits) : bits !== parent.bits && !net.powAllowMinDifficultyBlocks) {
      reject('SPV_BAD_DIFFBITS', `nBits ${hex8(bits)} is not a permitted change from ${hex8(parent.bits)}`, height, hash)
    }
  } else if (bits !== required) {
    reject('SPV_BAD_DIFFBITS', `nBits ${hex8(bits)} where the difficulty rule requires ${hex8(required)}`, height, hash, {
      bits: hex8(bits),
      required: hex8(required),
    })
  }

  // [time-too-old]: strictly after the median of the previous 11 blocks.
  const mtp = medianTimePast(parent.recentTimes)
  if (time <= mtp) reject('SPV_TIME_TOO_OLD', `timestamp ${time} is not after the median time past ${mtp}`, height, hash)

  // [time-timewarp-attack] BIP94: a period's first block may not be more than 10 minutes before its parent.
  if (net.enforceBIP94 && height % difficultyInterval(net) === 0 && time < parent.time - BIP94_MAX_TIMEWARP) {
    reject('SPV_TIME_TIMEWARP', `timestamp ${time} is more than ${BIP94_MAX_TIMEWARP} s before its parent's`, height, hash)
  }

  // [time-too-new]: at most two hours ahead of the verifier's clock.
  if (options.now !== undefined && time > options.now + MAX_FUTURE_BLOCK_TIME) {
    reject('SPV_TIME_TOO_NEW', `timestamp ${time} is more than 2 hours in the future`, height, hash)
  }

  // [bad-version]: versions made obsolete by BIP34, BIP66 and BIP65.
  if ((version < 2 && height >= net.bip34Height) || (version < 3 && height >= net.bip66Height) || (version < 4 && height >= net.bip65Height)) {
    reject('SPV_BAD_VERSION', `obsolete block version ${version}`, height, hash)
  }

  const recent = parent.recentTimes.length >= MEDIAN_TIME_SPAN ? parent.recentTimes.slice(1) : parent.recentTimes.slice()
  recent.push(time)
  const context = childDifficultyContext(net, parent, { time, bits })
  const entry: HeaderEntry = {
    height: context.height,
    time,
    bits,
    periodStartTime: context.periodStartTime,
    periodStartBits: context.periodStartBits,
    lastRegularBits: context.lastRegularBits,
    hash,
    header: raw,
    chainWork: parent.chainWork + work,
    recentTimes: recent,
  }
  return { entry, difficultyChecked }
}

/** A trusted starting point of a header chain. */
export interface Checkpoint {
  readonly height: number
  /** The raw 80-byte header at that height. */
  readonly header: Uint8Array
  /** Cumulative chain work up to and including this header. */
  readonly chainWork: bigint
  /** Needed when the checkpoint is not the first block of a difficulty period (see DifficultyContext). */
  readonly periodStartTime?: number
  readonly periodStartBits?: number
  readonly lastRegularBits?: number
  /** Up to 10 timestamps before the checkpoint, oldest first, for the median-time-past rule of the next blocks. */
  readonly prevTimes?: readonly number[]
}

/**
 * The entry a chain starts from. With `strict` (the bridge's chain), the checkpoint must carry whatever the
 * difficulty rule of the following blocks needs, so every later header is fully checked.
 */
export function checkpointEntry(net: BitcoinNetwork, cp: Checkpoint, strict: boolean): HeaderEntry {
  if (!Number.isSafeInteger(cp.height) || cp.height < 0) fail('SPV_BAD_CHECKPOINT', `checkpoint height ${cp.height} is not a height`)
  if (!(cp.header instanceof Uint8Array) || cp.header.length !== HEADER_SIZE) {
    fail('SPV_BAD_CHECKPOINT', `checkpoint header must be ${HEADER_SIZE} bytes`)
  }
  const view = new DataView(cp.header.buffer, cp.header.byteOffset, HEADER_SIZE)
  const time = view.getUint32(68, true)
  const bits = view.getUint32(72, true)
  const hash = hash256(cp.header)
  try {
    checkProofOfWork(hash, bits, net)
  } catch (e) {
    fail('SPV_BAD_CHECKPOINT', `checkpoint header fails proof of work: ${(e as Error).message}`, undefined, e)
  }
  if (typeof cp.chainWork !== 'bigint' || cp.chainWork < workFromBits(bits)) {
    fail('SPV_BAD_CHECKPOINT', 'checkpoint chain work is less than the work of the checkpoint header itself')
  }
  const atPeriodStart = cp.height % difficultyInterval(net) === 0
  const periodStartTime = atPeriodStart ? time : (cp.periodStartTime ?? null)
  const periodStartBits = atPeriodStart ? bits : (cp.periodStartBits ?? null)
  const regular = atPeriodStart || bits !== net.powLimitBits
  // Without retargets (regtest) every block carries the genesis bits, so the walk-back can only find those.
  const lastRegularBits = regular ? bits : (cp.lastRegularBits ?? (net.powNoRetargeting ? bits : null))
  if (strict) {
    if (!net.powNoRetargeting && periodStartTime === null) {
      fail('SPV_BAD_CHECKPOINT', 'checkpoint inside a difficulty period needs periodStartTime (or checkpoint at a multiple of 2016)')
    }
    if (net.enforceBIP94 && periodStartBits === null) fail('SPV_BAD_CHECKPOINT', 'a testnet4 checkpoint inside a period needs periodStartBits')
    if (net.powAllowMinDifficultyBlocks && lastRegularBits === null) {
      fail('SPV_BAD_CHECKPOINT', 'a minimum-difficulty checkpoint needs lastRegularBits')
    }
  }
  const prev = (cp.prevTimes ?? []).slice(-(MEDIAN_TIME_SPAN - 1))
  return {
    height: cp.height,
    time,
    bits,
    periodStartTime,
    periodStartBits,
    lastRegularBits,
    hash,
    header: cp.header.slice(),
    chainWork: cp.chainWork,
    recentTimes: [...prev, time],
  }
}
