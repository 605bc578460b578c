// The genesis block: the initial state (the bridge account, Prague's system contracts, development prefunds) written into the state trie,
// and an Ethereum-style block 0 over it. Every node of a network derives the same genesis hash from the same
// parameters; a data directory remembers it and refuses to start with other parameters.
import { createBlock, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { Account, Address } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { BRIDGE_ADDRESS, type ChainParams } from './params.js'
import { initBridgeState } from '../bridge/genesis.js'
import { installSystemContracts } from './system-contracts.js'

export interface GenesisAlloc {
  readonly address: Uint8Array
  readonly balance: bigint
}

/** Writes the genesis state into `state` (an empty state manager) and returns block 0. */
export async function buildGenesis(
  common: Common,
  state: MerkleStateManager,
  params: ChainParams,
  alloc: readonly GenesisAlloc[],
): Promise<Block> {
  await state.checkpoint()
  // The bridge account exists from the start with nonce 1, so EIP-161 never clears it or its storage.
  await state.putAccount(new Address(BRIDGE_ADDRESS), new Account(1n, 0n))
  if (params.bridge !== undefined) await initBridgeState(state, BRIDGE_ADDRESS, params.bridge)
  // Prague's system contracts (EIP-2935 block-hash history, EIP-4788 beacon roots) at their fixed addresses.
  await installSystemContracts(state)
  for (const a of alloc) {
    const address = new Address(a.address)
    const existing = (await state.getAccount(address)) ?? new Account()
    existing.balance += a.balance
    await state.putAccount(address, existing)
  }
  await state.commit()
  await state.flush()
  const stateRoot = await state.getStateRoot()
  return createBlock(
    {
      header: {
        number: 0n,
        gasLimit: params.gasLimit,
        timestamp: params.genesisTime,
        baseFeePerGas: params.minBaseFee,
        stateRoot,
        coinbase: params.feeAddress,
        extraData: new TextEncoder().encode('causeway'),
        difficulty: 0n,
      },
    },
    { common, setHardfork: false },
  )
}
