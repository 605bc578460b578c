// What an EVM-family bridge method sees of its call: the core's call context with the EVM family's state, and the
// configured main chain a call names (refused when the bridge has no `evm` section or does not serve that chain).
import { fail } from '../../../spv/base/errors.js'
import type { EvmChainConfig } from '../config.js'
import type { CallContext } from '../context.js'
import type { EvmBridgeState } from './state.js'

export type EvmContext = CallContext<EvmBridgeState>

/** The federation epoch the vault checks (PROTOCOL.md: the vault starts at 1; rotation is a later issue). */
export const EVM_EPOCH = 1n

/** The bridge's configured EVM chains, or BRIDGE_EVM_NOT_CONFIGURED. */
export function evmChains(ctx: EvmContext): readonly EvmChainConfig[] {
  const evm = ctx.config.evm
  if (evm === undefined) fail('BRIDGE_EVM_NOT_CONFIGURED', 'this chain\'s bridge serves no EVM main chain (its configuration has no evm section)')
  return evm.chains
}

/** The configured main chain `chainId`, or BRIDGE_EVM_UNKNOWN_CHAIN. */
export function evmChain(ctx: EvmContext, chainId: bigint): EvmChainConfig {
  const chain = evmChains(ctx).find((c) => c.chainId === chainId)
  if (chain === undefined) fail('BRIDGE_EVM_UNKNOWN_CHAIN', `the bridge serves no EVM main chain with id ${chainId}`)
  return chain
}
