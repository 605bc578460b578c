// The validator's sign log (ARCHITECTURE.md decision 2): for the height in progress, every vote and proposal this
// validator signed (by kind and round) and its Tendermint lock and valid value, written durably (fsync) before any
// of it leaves the process. A restarted validator resumes from it (tendermint.ts `resume`) and re-sends what it
// signed instead of signing anew, so it never signs two different things in one (kind, height, round) — not even
// across a crash. The blocks it locked on, holds as valid or proposed are kept beside it, so it can propose them
// again after a restart.
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'
import { bytesToHex, hexToBytes } from '../../spv/base/bytes.js'
import { decodeU64, encodeU64 } from '../store/layout.js'
import type { NodeDatabase } from '../store/database.js'
import { layout } from '../store/layout.js'
import type { Persisted, Value } from './tendermint.js'

export type SlotKind = 'proposal' | 'prevote' | 'precommit'
const KINDS: readonly SlotKind[] = ['proposal', 'prevote', 'precommit']

/** One signed message: a proposal of `value` (with its validRound), or a vote for `value` (null: nil). */
export interface Slot {
  readonly kind: SlotKind
  readonly round: number
  readonly value: Value | null
  readonly validRound: number
}

export interface HeightRecord {
  readonly persisted: Persisted
  readonly slots: readonly Slot[]
}

export function slotKey(kind: SlotKind, round: number): string {
  return `${kind}:${round}`
}

// Rounds and -1 sentinels are stored plus one, so they encode as unsigned integers.
const int = (n: number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n + 1))
const unint = (b: Uint8Array): number => Number(bytesToBigInt(b)) - 1
const val = (v: Value | null): Uint8Array => (v === null ? new Uint8Array(0) : hexToBytes(`0x${v}`, 'value', 32))
const unval = (b: Uint8Array): Value | null => (b.length === 0 ? null : bytesToHex(b))

export function encodeRecord(r: HeightRecord): Uint8Array {
  const p = r.persisted
  return RLP.encode([
    bigIntToUnpaddedBytes(p.height),
    int(p.round),
    val(p.lockedValue),
    int(p.lockedRound),
    val(p.validValue),
    int(p.validRound),
    r.slots.map((s) => [int(KINDS.indexOf(s.kind)), int(s.round), val(s.value), int(s.validRound)]),
  ])
}

export function decodeRecord(bytes: Uint8Array): HeightRecord {
  try {
    const [height, round, lockedValue, lockedRound, validValue, validRound, slots] = RLP.decode(bytes) as unknown as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array[][]]
    return {
      persisted: { height: bytesToBigInt(height), round: unint(round), lockedValue: unval(lockedValue), lockedRound: unint(lockedRound), validValue: unval(validValue), validRound: unint(validRound) },
      slots: slots.map(([kind, r, v, vr]) => {
        const k = KINDS[unint(kind!)]
        if (k === undefined) throw new Error('unknown slot kind')
        return { kind: k, round: unint(r!), value: unval(v!), validRound: unint(vr!) }
      }),
    }
  } catch (e) {
    throw new CausewayError('CONSENSUS_BAD_SIGN_LOG', 'the sign log record does not decode: the data directory is damaged', { cause: e })
  }
}

export class SignLog {
  constructor(private readonly db: NodeDatabase) {}

  /** What was signed at `height` (and the lock), with the blocks kept for it; undefined when nothing was. */
  async load(height: bigint): Promise<{ record: HeightRecord; blocks: Map<Value, Uint8Array> } | undefined> {
    const bytes = await this.db.chainSub.get(layout.signLog(height))
    if (bytes === undefined) return undefined
    const record = decodeRecord(bytes)
    const blocks = new Map<Value, Uint8Array>()
    const wanted = new Set<Value>()
    for (const v of [record.persisted.lockedValue, record.persisted.validValue, ...record.slots.filter((s) => s.kind === 'proposal').map((s) => s.value)]) if (v !== null) wanted.add(v)
    for (const v of wanted) {
      const block = await this.db.chainSub.get(layout.signedBlock(height, val(v)))
      if (block !== undefined) blocks.set(v, block)
    }
    return { record, blocks }
  }

  /**
   * Writes the height's record, with blocks not kept before, and resolves only once it is on disk: the caller
   * sends nothing it signed until then.
   */
  async save(record: HeightRecord, blocks: ReadonlyMap<Value, Uint8Array>): Promise<void> {
    const height = record.persisted.height
    const latest = await this.latestHeight()
    // classic-level honours `sync` (fsync before resolving); the sublevel passes the option through.
    await this.db.chainSub.batch(
      [
        ...[...blocks].map(([v, block]) => ({ type: 'put' as const, key: layout.signedBlock(height, val(v)), value: block })),
        { type: 'put' as const, key: layout.signLog(height), value: encodeRecord(record) },
        ...(latest === undefined || height > latest ? [{ type: 'put' as const, key: layout.signLogLatest, value: encodeU64(height) }] : []),
      ],
      { sync: true } as never,
    )
  }

  /** Drops the blocks kept for a height that is final (the record stays: it is small, and says what was signed). */
  async forgetBlocks(height: bigint, values: Iterable<Value>): Promise<void> {
    const ops = [...values].map((v) => ({ type: 'del' as const, key: layout.signedBlock(height, val(v)) }))
    if (ops.length > 0) await this.db.chainSub.batch(ops as never)
  }

  /** The highest height signed at, or undefined for a log that holds nothing (new, wiped, or from before this key). */
  async latestHeight(): Promise<bigint | undefined> {
    const v = await this.db.chainSub.get(layout.signLogLatest)
    return v === undefined ? undefined : decodeU64(v)
  }
}
