// Opening a node's data directory: the database, the block store and the state, with the genesis block written
// on first start and checked against the configured parameters on every later one.
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { VM } from '@ethereumjs/vm'
import { fail } from '../../spv/base/errors.js'
import { equalBytes, toHex } from '../../spv/base/bytes.js'
import { ChainStore } from '../chain/chain-store.js'
import { buildGenesis } from '../chain/genesis.js'
import { createChainCommon } from '../chain/params.js'
import { EMPTY_SUPPLY } from '../chain/supply.js'
import { openState } from '../exec/state-trie.js'
import { createChainVM, storeBlockHashes } from '../exec/vm.js'
import { NodeDatabase } from '../store/database.js'
import type { NodeOptions } from './options.js'

/** What an opened data directory gives the node: its stores, the producer's state and VM, and the head's root. */
export interface OpenedStore {
  readonly db: NodeDatabase
  readonly chain: ChainStore
  readonly vm: VM
  /** The producer's state, at the head. */
  readonly state: MerkleStateManager
  /** A second state at the head, for admission checks (see Admission). */
  readonly headState: MerkleStateManager
  readonly headRoot: Uint8Array
}

/**
 * Opens (or creates) the data directory: a new one gets the genesis block of `options`; an existing one must hold
 * that same genesis (NODE_GENESIS_MISMATCH otherwise) and its head block (NODE_STORE_CORRUPT). Closes the database
 * again on any failure.
 */
export async function openStore(options: NodeOptions): Promise<OpenedStore> {
  const db = await NodeDatabase.open(options.datadir)
  try {
    const common = createChainCommon(options.params)
    const chain = new ChainStore(db, common)
    const storedGenesis = await chain.open()
    const state = await openState(db.stateDB())
    if (storedGenesis === undefined) {
      const genesis = await buildGenesis(common, state, options.params, options.alloc)
      const unpegged = options.alloc.reduce((s, a) => s + a.balance, 0n)
      await chain.initGenesis(genesis, { ...EMPTY_SUPPLY, unpeggedWei: unpegged })
    } else {
      // The same parameters must give the same genesis: refuse a data directory of another chain.
      const expected = await genesisHash(common, options)
      if (!equalBytes(expected, storedGenesis)) {
        fail('NODE_GENESIS_MISMATCH', `the data directory ${options.datadir} holds another chain (genesis ${toHex(storedGenesis)}, configured ${toHex(expected)})`)
      }
      const head = await chain.getBlock(chain.head().number)
      if (head === undefined) fail('NODE_STORE_CORRUPT', 'the head block is missing')
      await state.setStateRoot(head.header.stateRoot)
    }
    const vm = await createChainVM(common, state, storeBlockHashes(chain))
    const head = await chain.getBlock(chain.head().number)
    if (head === undefined) fail('NODE_STORE_CORRUPT', 'the head block is missing')
    const headRoot = head.header.stateRoot
    const headState = await openState(db.stateDB(), headRoot)
    return { db, chain, vm, state, headState, headRoot }
  } catch (e) {
    await db.close()
    throw e
  }
}

async function genesisHash(common: Common, options: NodeOptions): Promise<Uint8Array> {
  const state = await openState()
  return (await buildGenesis(common, state, options.params, options.alloc)).hash()
}
