// Opening the state: one place for the state trie's options (secure keys, byte values, the native Keccak), so
// every state manager — the producer's, admission's, historical reads — hashes and stores nodes the same way.
import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import type { DB } from '@ethereumjs/util'
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

/** A state manager with caches at `root`. */
export async function openState(db?: DB<string, string | Uint8Array>, root?: Uint8Array): Promise<MerkleStateManager> {
  return new MerkleStateManager({ trie: await openStateTrie(db, root), caches: new Caches() })
}
