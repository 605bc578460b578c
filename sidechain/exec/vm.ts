// The one way this chain makes a VM: @ethereumjs/vm with the bridge precompile at BRIDGE_ADDRESS and the message
// hook it needs (sidechain/bridge/evm-hook.ts). Block building, replay, eth_call and estimateGas all use it, so
// they execute the bridge identically.
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import { BRIDGE_ADDRESS } from '../chain/params.js'
import { createBridgePrecompile } from '../bridge/precompile.js'
import { hookEvmMessages } from '../bridge/evm-hook.js'
import { guardEvmThrows } from './throw-guard.js'

export async function createChainVM(common: Common, stateManager: MerkleStateManager, blockchain: unknown): Promise<VM> {
  const vm = await createVM({
    common,
    stateManager,
    blockchain: blockchain as never,
    evmOpts: {
      customPrecompiles: [{ address: new Address(BRIDGE_ADDRESS), function: createBridgePrecompile(BRIDGE_ADDRESS, BigInt(common.chainId())) }],
    },
  })
  hookEvmMessages(vm.evm as never)
  guardEvmThrows(vm.evm as never)
  return vm
}

/** BLOCKHASH reads canonical block hashes from the store (Prague still serves BLOCKHASH from the chain). */
export function storeBlockHashes(chain: { getBlock(n: bigint): Promise<{ hash(): Uint8Array } | undefined> }) {
  const zero = { hash: () => new Uint8Array(32) }
  return {
    getBlock: async (n: number) => (await chain.getBlock(BigInt(n))) ?? zero,
    putBlock: async () => {},
    shallowCopy() {
      return this
    },
  }
}

/** A chain with no blocks behind it (BLOCKHASH answers zero): for executing outside a node, as tests do. */
export const NO_BLOCK_HASHES = storeBlockHashes({ getBlock: async () => undefined })
