// What every EVM command opens: the side-chain session (cli/connect.ts), the bridge's typed EVM views
// (client/evm-bridge.ts), a viem client of the side chain for the wrapped tokens' ERC-20 views, and the bridge's
// main chains; plus the main chain when the command needs it (required) or can use it (optional).
import { createPublicClient, erc20Abi, http, type PublicClient } from 'viem'
import { evmBridgeReaderAt, type EvmBridgeReader } from '../../client/evm-bridge.js'
import { CausewayError } from '../../spv/base/errors.js'
import { openSession, resolveEndpoints, type EndpointFlags, type Session } from '../connect.js'
import { bridgeEvmChains, connectMainChain, mainRpcUrl, pickChain, requireMainChain, type EvmChain, type MainChain, type MainChainFlags } from './main-chain.js'
import type { Address } from './args.js'

export interface EvmSession {
  readonly s: Session
  readonly evm: EvmBridgeReader
  readonly side: PublicClient
  readonly chain: EvmChain
  readonly main: MainChain | undefined
  close(): void
}

export type EvmFlags = EndpointFlags & MainChainFlags

/** Opens the side chain (signing with `privateKey` when given) and, per `main`, the main chain. */
export async function openEvmSession(flags: EvmFlags, main: 'required' | 'optional', privateKey?: string): Promise<EvmSession> {
  const endpoints = await resolveEndpoints(flags, { bitcoin: false })
  const m = main === 'required' ? await requireMainChain(flags, endpoints.world) : await optionalMain(flags, endpoints)
  const s = await openSession(endpoints, privateKey)
  try {
    const evm = evmBridgeReaderAt(endpoints.rpcUrl)
    const chain = pickChain(await bridgeEvmChains(evm), m?.chainId)
    const side = createPublicClient({ transport: http(endpoints.rpcUrl, { retryCount: 0 }) })
    return { s, evm, side, chain, main: m, close: () => s.close() }
  } catch (e) {
    s.close()
    throw e
  }
}

async function optionalMain(flags: EvmFlags, endpoints: Awaited<ReturnType<typeof resolveEndpoints>>): Promise<MainChain | undefined> {
  const url = mainRpcUrl(flags, endpoints.world)
  return url === undefined ? undefined : connectMainChain(url)
}

/** The main chain of a session that needs it. */
export function mainOf(e: EvmSession): MainChain {
  if (e.main === undefined) throw new CausewayError('CLI_NO_MAIN_RPC', 'no main-chain node: give --main-rpc (or --world with a world.json that has an evm section)')
  return e.main
}

/** Every wrapped token the bridge created, in creation order. */
export async function wrappedTokens(evm: EvmBridgeReader): Promise<Address[]> {
  const out: Address[] = []
  for (let start = 0n; ; ) {
    const [tokens, total] = await evm.getWrappedTokens([start, 100n])
    out.push(...(tokens as Address[]))
    start += BigInt(tokens.length)
    if (tokens.length === 0 || start >= total) return out
  }
}

export interface TokenInfo {
  readonly address: Address
  readonly symbol: string
  readonly decimals: number
}

/** An ERC-20's symbol and decimals (on either chain); CLI_EVM_NOT_A_TOKEN when it answers neither. */
export async function tokenInfo(client: PublicClient, address: Address): Promise<TokenInfo> {
  try {
    const [symbol, decimals] = await Promise.all([
      client.readContract({ address, abi: erc20Abi, functionName: 'symbol' }).catch(() => address),
      client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
    ])
    return { address, symbol, decimals }
  } catch (e) {
    throw new CausewayError('CLI_EVM_NOT_A_TOKEN', `${address} does not answer decimals() as an ERC-20 does`, { details: { address }, cause: e })
  }
}

export const balanceOf = (client: PublicClient, token: Address, owner: Address): Promise<bigint> =>
  client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })

/** Federation threshold k (getFederation). */
export async function federationThreshold(evm: EvmBridgeReader): Promise<number> {
  const f = await evm.getFederation()
  return Number(f[1])
}

/** The bridge's withdrawal status numbers (IEvmBridge.EvmWithdrawalView.status). */
export const WITHDRAWAL_STATUS = Object.freeze({ unknown: 0, requested: 1, signed: 2, paid: 3 } as const)
const STATUS_NAMES = ['unknown', 'requested', 'signed', 'paid'] as const
export const withdrawalStatusName = (n: number): string => STATUS_NAMES[n] ?? `status ${n}`
