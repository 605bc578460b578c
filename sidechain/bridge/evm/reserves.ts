// Views of the wrapped tokens and their reserves (PROTOCOL.md "Reserves"): per token `locked` (proven deposits −
// proven payouts), `supply` (its total-supply slot) and `pending` (burned, not yet proven paid), with
// locked = supply + pending kept by every method; and the list of tokens in creation order, paginated.
import { fail } from '../../../spv/base/errors.js'
import { wrappedTokenAddress } from '../../../peg/evm/index.js'
import { evmChain, evmChains, EVM_EPOCH, type EvmContext } from './context.js'
import { totalSupply } from './wrapped-token.js'

/** Most tokens one getWrappedTokens call returns. */
export const MAX_TOKENS_PER_PAGE = 100

export async function getEvmReserves(ctx: EvmContext, wrapped: Uint8Array): Promise<[bigint, bigint, bigint]> {
  evmChains(ctx)
  if ((await ctx.state.token(wrapped)) === undefined) return [0n, 0n, 0n]
  const r = await ctx.state.reserves(wrapped)
  return [r.locked, await totalSupply(ctx, wrapped), r.pending]
}

export async function getWrappedToken(ctx: EvmContext, chainId: bigint, mainToken: Uint8Array): Promise<[Uint8Array, boolean]> {
  evmChain(ctx, chainId)
  const wrapped = wrappedTokenAddress(chainId, mainToken)
  return [wrapped, (await ctx.state.token(wrapped)) !== undefined]
}

export async function getWrappedTokens(ctx: EvmContext, start: bigint, count: bigint): Promise<[Uint8Array[], bigint]> {
  evmChains(ctx)
  if (count > BigInt(MAX_TOKENS_PER_PAGE)) fail('BRIDGE_EVM_BAD_RANGE', `at most ${MAX_TOKENS_PER_PAGE} tokens per call, asked for ${count}`)
  const total = await ctx.state.evmCounter('tokens')
  const out: Uint8Array[] = []
  for (let i = start; i < total && i < start + count; i++) out.push(await ctx.state.tokenAt(i))
  return [out, total]
}

export async function getEvmChains(ctx: EvmContext): Promise<[bigint[], Uint8Array[], bigint]> {
  const chains = evmChains(ctx)
  return [chains.map((c) => c.chainId), chains.map((c) => c.vault), EVM_EPOCH]
}
