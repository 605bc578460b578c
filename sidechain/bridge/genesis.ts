// The bridge's state at genesis: its configuration (canonical bytes, so every node writes the same) and each
// family's start (the Bitcoin header chain at the configured checkpoint).
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { canonicalBridgeConfig, type BridgeConfig } from './config.js'
import { bridgeLayout, COUNTERS } from './layout.js'
import { BridgeState } from './state.js'
import { BtcBridgeState } from './bitcoin/state.js'
import { AccountStorage } from './storage.js'

export async function initBridgeState(state: MerkleStateManager, bridgeAddress: Uint8Array, config: BridgeConfig): Promise<void> {
  const store = new AccountStorage(state, bridgeAddress)
  await store.put(bridgeLayout.config, canonicalBridgeConfig(config))
  const btc = new BtcBridgeState(store, config.chainId)
  await btc.headerChain(await btc.config())
}

/** Wei the bridge minted and burned, ever, as its counters record them in `state` (the node's supply ledger). */
export async function readBridgeSupply(state: ConstructorParameters<typeof AccountStorage>[0], bridgeAddress: Uint8Array, chainId: bigint) {
  const bridge = new BridgeState(new AccountStorage(state, bridgeAddress), chainId)
  return { mintedWei: await bridge.counter(COUNTERS.minted), burnedWei: await bridge.counter(COUNTERS.burned) }
}

/**
 * Whether the bridge waits on blocks: peg-out requests are queued for a batch that only a later block can make.
 * Validators keep making (empty) blocks while it does, so a batch interval counted in blocks always ends.
 */
export async function bridgeQueuePending(state: ConstructorParameters<typeof AccountStorage>[0], bridgeAddress: Uint8Array, chainId: bigint): Promise<boolean> {
  const bridge = new BridgeState(new AccountStorage(state, bridgeAddress), chainId)
  const start = await bridge.counter(COUNTERS.queueStart)
  return start !== 0n && start < (await bridge.counter(COUNTERS.nextRequestId))
}
