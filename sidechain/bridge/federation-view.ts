// Read-only views of the federation and of the reserves (ARCHITECTURE.md decision 1's invariant: Bitcoin held by
// the federation ≥ native supply / 10^10 + pending peg-outs; the bridge's counters make it checkable on chain).
import { federationAddress, federationDescriptor } from '../../peg/bitcoin/index.js'
import type { CallContext } from './context.js'
import { COUNTERS } from './layout.js'

export async function getFederation(ctx: CallContext): Promise<[Uint8Array[], bigint, string, string, Uint8Array[]]> {
  const { federation, addressNetwork, members } = ctx.config
  return [
    [...federation.pubkeys],
    BigInt(federation.threshold),
    federationAddress(federation, addressNetwork),
    federationDescriptor(federation),
    [...members],
  ]
}

/** (satoshis the federation holds, pegged native supply in wei, satoshis of peg-outs not yet confirmed). */
export async function getReserves(ctx: CallContext): Promise<[bigint, bigint, bigint]> {
  const minted = await ctx.state.counter(COUNTERS.minted)
  const burned = await ctx.state.counter(COUNTERS.burned)
  return [await ctx.state.counter(COUNTERS.federationSats), minted - burned, await ctx.state.counter(COUNTERS.pendingSats)]
}
