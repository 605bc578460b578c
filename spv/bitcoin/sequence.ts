// Verifying a run of consecutive raw headers (a file of 80-byte headers) as one chain, without storage: what
// `causeway spv verify-headers` and the SPV benchmark run. The first header is taken as given (its own proof of
// work is checked); every later one is connected with the full rule set of validate.ts.
import { CausewayError } from '../base/errors.js'
import { hashToDisplayHex } from '../base/bytes.js'
import { HEADER_SIZE } from './header.js'
import { workFromBits } from './pow.js'
import { checkpointEntry, connectHeader, type HeaderEntry } from './validate.js'
import type { BitcoinNetwork } from './networks.js'

export interface SequenceOptions {
  /** Height of the first header in the data. */
  readonly startHeight: number
  /** Chain work before the first header (default 0: the reported chain work is that of the headers given). */
  readonly prevChainWork?: bigint
  /** The verifier's clock in Unix seconds, for the 2-hour future rule. */
  readonly now?: number
}

export type SequenceResult =
  | {
      readonly valid: true
      readonly count: number
      readonly startHeight: number
      readonly tipHeight: number
      /** Tip hash, display byte order. */
      readonly tip: string
      readonly chainWork: bigint
      /** Headers whose nBits could only be bounded, because the data starts inside a difficulty period. */
      readonly uncheckedDifficulty: number
    }
  | {
      readonly valid: false
      readonly count: number
      /** Index in the data and height of the first bad header. */
      readonly index: number
      readonly height: number
      readonly code: string
      readonly message: string
    }

/** Verifies concatenated raw headers; never throws for bad header data, it reports the first bad header. */
export function verifyHeaderSequence(net: BitcoinNetwork, data: Uint8Array, options: SequenceOptions): SequenceResult {
  const count = Math.floor(data.length / HEADER_SIZE)
  const bad = (index: number, code: string, message: string): SequenceResult => ({
    valid: false,
    count,
    index,
    height: options.startHeight + index,
    code,
    message,
  })
  if (data.length === 0) return bad(0, 'SPV_NO_HEADERS', 'no headers given')
  if (data.length % HEADER_SIZE !== 0) {
    return bad(count, 'SPV_BAD_HEADER_LENGTH', `${data.length} bytes is not a whole number of ${HEADER_SIZE}-byte headers`)
  }
  let entry: HeaderEntry
  try {
    const first = data.subarray(0, HEADER_SIZE)
    const firstBits = new DataView(first.buffer, first.byteOffset, HEADER_SIZE).getUint32(72, true)
    const chainWork = (options.prevChainWork ?? 0n) + workFromBits(firstBits)
    entry = checkpointEntry(net, { height: options.startHeight, header: first, chainWork }, false)
  } catch (e) {
    if (e instanceof CausewayError) return bad(0, e.code === 'SPV_BAD_CHECKPOINT' && e.cause instanceof CausewayError ? e.cause.code : e.code, e.message)
    throw e
  }
  let unchecked = 0
  const connectOptions = options.now === undefined ? { allowUnknownDifficulty: true } : { allowUnknownDifficulty: true, now: options.now }
  for (let i = 1; i < count; i++) {
    try {
      const result = connectHeader(net, entry, data.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE), connectOptions)
      entry = result.entry
      if (!result.difficultyChecked) unchecked++
    } catch (e) {
      if (e instanceof CausewayError) return bad(i, e.code, e.message)
      throw e
    }
  }
  return {
    valid: true,
    count,
    startHeight: options.startHeight,
    tipHeight: entry.height,
    tip: hashToDisplayHex(entry.hash),
    chainWork: entry.chainWork,
    uncheckedDifficulty: unchecked,
  }
}
