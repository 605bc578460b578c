// Typed access to the bridge's own state in its account storage: its configuration and counters. Each
// main-chain family extends it with its own accessors over its own keys (bitcoin/state.ts). Only bridge methods
// write it, inside a transaction's execution.
import { bigIntToBytesBE, bytesToBigIntBE } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import { decodeBridgeConfig, type BridgeConfig } from './config.js'
import { bridgeLayout, type CounterName } from './layout.js'
import type { AccountStorage } from './storage.js'

export class BridgeState {
  constructor(
    readonly store: AccountStorage,
    readonly chainId: bigint,
  ) {}

  async config(): Promise<BridgeConfig> {
    const bytes = await this.store.get(bridgeLayout.config)
    if (bytes === undefined) fail('BRIDGE_NOT_CONFIGURED', 'this chain has no Bitcoin bridge configured')
    return decodeBridgeConfig(bytes, this.chainId)
  }

  // ---- counters ----
  async counter(name: CounterName): Promise<bigint> {
    const b = await this.store.get(bridgeLayout.counter(name))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setCounter(name: CounterName, value: bigint): Promise<void> {
    if (value < 0n) fail('BRIDGE_INVARIANT', `bridge counter ${name} would go negative`)
    await this.store.put(bridgeLayout.counter(name), bigIntToBytesBE(value, 32))
  }

  async addCounter(name: CounterName, delta: bigint): Promise<bigint> {
    const next = (await this.counter(name)) + delta
    await this.setCounter(name, next)
    return next
  }
}
