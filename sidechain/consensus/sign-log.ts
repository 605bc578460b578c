// The validator's sign log (ARCHITECTURE.md decision 2): what it signed at each height, written durably (fsync)
// before the signature leaves the process, so a validator never signs two different blocks at one height — not
// even across a crash and restart.
import { fail } from '../../spv/base/errors.js'
import { equalBytes, toHex } from '../../spv/base/bytes.js'
import type { NodeDatabase } from '../store/database.js'
import { layout } from '../store/layout.js'

export class SignLog {
  constructor(private readonly db: NodeDatabase) {}

  /** The block hash signed at `height`, if any. */
  async signedAt(height: bigint): Promise<Uint8Array | undefined> {
    return this.db.chainSub.get(layout.signLog(height))
  }

  /**
   * Records the intent to sign `blockHash` at `height`. Idempotent for the same hash; refuses a different one
   * with CONSENSUS_ALREADY_SIGNED. Resolves only once the record is on disk.
   */
  async record(height: bigint, blockHash: Uint8Array): Promise<void> {
    const previous = await this.signedAt(height)
    if (previous !== undefined) {
      if (equalBytes(previous, blockHash)) return
      fail('CONSENSUS_ALREADY_SIGNED', `already signed block ${toHex(previous)} at height ${height}; refusing ${toHex(blockHash)}`, {
        height: height.toString(),
        signed: toHex(previous),
        refused: toHex(blockHash),
      })
    }
    // classic-level honours `sync` (fsync before resolving); the sublevel passes the option through.
    await this.db.chainSub.put(layout.signLog(height), blockHash, { sync: true } as never)
  }
}
