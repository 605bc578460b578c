// Opening the state: one place for the state trie's options (secure keys, byte values, the native Keccak), so
// every state manager — the producer's, admission's, historical reads — hashes and stores nodes the same way.
import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { unpadBytes, type Account, type Address, type DB } from '@ethereumjs/util'
import { keccak256 } from './crypto.js'

/** The state trie over `db` (in memory when absent), at `root` when given (it must exist in `db`). */
export function openStateTrie(db?: DB<string, string | Uint8Array>, root?: Uint8Array): Promise<MerklePatriciaTrie> {
  return createMPT({
    ...(db === undefined ? {} : { db, valueEncoding: 'view' as const }),
    ...(root === undefined ? {} : { root }),
    useKeyHashing: true,
    useKeyHashingFunction: keccak256,
  })
}

/**
 * MerkleStateManager whose storage writes stay in its storage cache until the state is flushed (when the last
 * checkpoint is committed, or the state root is asked for), as account and code writes already do.
 *
 * ethereumjs 10.1's putStorage means to do the same but writes every SSTORE through to the account's storage trie
 * as well (`cache.put(...) ?? write(...)`, and put returns nothing): each one walked the trie in LevelDB, hashed
 * its path and wrote a LevelDB batch — ~1.3 ms per ERC-20 transfer, most of its execution time. The values read
 * and the roots computed are the same either way: reads look in the cache first, and flush writes every cached
 * change to the trie before a root is taken. Writes of a reverted call never reach the trie (the cache reverts).
 */
export class CachedStorageStateManager extends MerkleStateManager {
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const storage = this._caches?.storage
    if (storage === undefined || key.length !== 32 || value.length > 32) return super.putStorage(address, key, value)
    // As the base class: storage of an account that does not exist cannot be written (super throws the error).
    if ((await this.getAccount(address)) === undefined) return super.putStorage(address, key, value)
    storage.put(address, key, RLP.encode(unpadBytes(value)))
  }

  /** Storage tries checkpointed by the flush in progress (undefined outside a flush). */
  private flushing: Set<MerklePatriciaTrie> | undefined

  /**
   * Writes the cached changes to the tries inside checkpoints of the account trie and of every storage trie it
   * touches, so their new nodes reach the database in one batch per trie at the end, rather than one LevelDB
   * batch (and one wait for it) per account or storage slot written.
   */
  override async flush(): Promise<void> {
    const tries = new Set<MerklePatriciaTrie>()
    this.flushing = tries
    this._trie.checkpoint()
    try {
      await super.flush()
    } catch (e) {
      this.flushing = undefined
      for (const t of [this._trie, ...tries]) await t.revert()
      throw e
    }
    this.flushing = undefined
    for (const t of tries) await t.commit()
    await this._trie.commit()
  }

  protected override _getStorageTrie(addressOrHash: Address | { bytes: Uint8Array } | Uint8Array, rootAccount?: Account): MerklePatriciaTrie {
    const trie = super._getStorageTrie(addressOrHash, rootAccount)
    if (this.flushing !== undefined && !this.flushing.has(trie)) {
      trie.checkpoint()
      this.flushing.add(trie)
    }
    return trie
  }
}

/** A state manager with caches at `root`. */
export async function openState(db?: DB<string, string | Uint8Array>, root?: Uint8Array): Promise<MerkleStateManager> {
  return new CachedStorageStateManager({ trie: await openStateTrie(db, root), caches: new Caches() })
}
