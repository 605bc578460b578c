// The validator's sign log (ARCHITECTURE.md decision 2): the block it signed (precommitted) at each height,
// written durably (fsync) before the signature leaves the process, so a validator never signs two different
// blocks at one height — not even across a crash and restart. The block itself is kept too, so a restarted
// validator can still propose it again.
import { fail } from '../../spv/base/errors.js'
import { equalBytes, toHex } from '../../spv/base/bytes.js'
import { decodeU64, encodeU64 } from '../store/layout.js'
import type { NodeDatabase } from '../store/database.js'
import { layout } from '../store/layout.js'

export interface Signed {
  readonly hash: Uint8Array
  readonly block: Uint8Array | undefined
}

export class SignLog {
  constructor(private readonly db: NodeDatabase) {}

  /** What was signed at `height`, if anything. */
  async signedAt(height: bigint): Promise<Signed | undefined> {
    const hash = await this.db.chainSub.get(layout.signLog(height))
    if (hash === undefined) return undefined
    return { hash, block: await this.db.chainSub.get(layout.signedBlock(height)) }
  }

  /**
   * Records the decision to sign `blockHash` (whose RLP is `block`) at `height`. Idempotent for the same hash;
   * refuses a different one with CONSENSUS_ALREADY_SIGNED. Resolves only once the record is on disk.
   */
  async record(height: bigint, blockHash: Uint8Array, block: Uint8Array): Promise<void> {
    const previous = await this.signedAt(height)
    if (previous !== undefined) {
      if (equalBytes(previous.hash, blockHash)) return
      fail('CONSENSUS_ALREADY_SIGNED', `already signed block ${toHex(previous.hash)} at height ${height}; refusing ${toHex(blockHash)}`, {
        height: height.toString(),
        signed: toHex(previous.hash),
        refused: toHex(blockHash),
      })
    }
    const latest = await this.latestHeight()
    // classic-level honours `sync` (fsync before resolving); the sublevel passes the option through.
    await this.db.chainSub.batch(
      [
        { type: 'put', key: layout.signedBlock(height), value: block },
        { type: 'put', key: layout.signLog(height), value: blockHash },
        ...(latest === undefined || height > latest ? [{ type: 'put' as const, key: layout.signLogLatest, value: encodeU64(height) }] : []),
      ],
      { sync: true } as never,
    )
  }

  /** The highest height signed at, or undefined for a log that holds nothing (new, wiped, or from before this key). */
  async latestHeight(): Promise<bigint | undefined> {
    const v = await this.db.chainSub.get(layout.signLogLatest)
    return v === undefined ? undefined : decodeU64(v)
  }
}
