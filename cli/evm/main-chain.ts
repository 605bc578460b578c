// Where the EVM commands find the main chain and its vault: `--main-rpc URL`, else world.json's `evm` section; the
// vault and the main chain's id are the bridge's own (getEvmChains) — the world file's are only a hint — so a
// command never deposits into a vault the side chain does not serve. The main-chain key (deposits) is `--key`,
// else env CAUSEWAY_MAIN_KEY, else the world's demo main-chain key. The node is probed once: unreachable is
// CLI_MAIN_UNREACHABLE naming its URL, a node of another chain CLI_EVM_WRONG_CHAIN.
import { createPublicClient, createWalletClient, defineChain, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CausewayError } from '../../spv/base/errors.js'
import type { WorldFile } from '../world-file.js'
import type { EvmBridgeReader } from '../../client/evm-bridge.js'
import { bridgeErrorOf } from '../../client/bridge.js'
import type { Address, Hex } from './args.js'

export const MAIN_KEY_ENV = 'CAUSEWAY_MAIN_KEY'
const PROBE_TIMEOUT_MS = 10_000

export interface MainChainFlags {
  readonly mainRpc?: string
}

/** One main chain the bridge serves. */
export interface EvmChain {
  readonly chainId: bigint
  readonly vault: Address
  readonly epoch: bigint
}

/** The main-chain RPC URL, or undefined when neither --main-rpc nor the world file names one. */
export function mainRpcUrl(flags: MainChainFlags, world: WorldFile | undefined): string | undefined {
  return flags.mainRpc ?? world?.evm?.rpcUrl
}

/** The bridge's main chains (none when its configuration has no evm section). */
export async function bridgeEvmChains(evm: EvmBridgeReader): Promise<EvmChain[]> {
  let answer: Awaited<ReturnType<EvmBridgeReader['getEvmChains']>>
  try {
    answer = await evm.getEvmChains()
  } catch (e) {
    // A bridge configured without an evm section says so; that is "no chains", not a failure.
    if (bridgeErrorOf(e)?.code === 'BRIDGE_EVM_NOT_CONFIGURED') return []
    throw e
  }
  const [chainIds, vaults, epoch] = answer
  return chainIds.map((chainId, i) => ({ chainId, vault: vaults[i]! as Address, epoch }))
}

/** The chain of `chainId` among the bridge's, or the only one when `chainId` is undefined. */
export function pickChain(chains: readonly EvmChain[], chainId: bigint | undefined): EvmChain {
  if (chains.length === 0) throw new CausewayError('CLI_EVM_NOT_CONFIGURED', 'the bridge serves no EVM main chain (its configuration has no evm section)')
  if (chainId === undefined) {
    if (chains.length === 1) return chains[0]!
    throw new CausewayError('CLI_NO_MAIN_RPC', `the bridge serves ${chains.length} main chains (${chains.map((c) => c.chainId).join(', ')}): give --main-rpc to say which`)
  }
  const c = chains.find((x) => x.chainId === chainId)
  if (c === undefined) throw new CausewayError('CLI_EVM_WRONG_CHAIN', `the main-chain node serves chain ${chainId}; the bridge serves ${chains.map((x) => x.chainId).join(', ')}`, { details: { chainId: chainId.toString() } })
  return c
}

export interface MainChain {
  readonly rpcUrl: string
  readonly chainId: bigint
  readonly chain: Chain
  readonly client: PublicClient<Transport, Chain>
}

/** Connects to the main chain at `rpcUrl` (probing eth_chainId). */
export async function connectMainChain(rpcUrl: string): Promise<MainChain> {
  let chainId: bigint
  try {
    const r = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    })
    const body = (await r.json()) as { result?: string }
    if (typeof body.result !== 'string') throw new Error(`no chain id in ${JSON.stringify(body)}`)
    chainId = BigInt(body.result)
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause
    throw new CausewayError('CLI_MAIN_UNREACHABLE', `the main-chain node at ${rpcUrl} is unreachable (${cause?.code ?? (e as Error).message}); see --main-rpc`, { details: { url: rpcUrl }, cause: e })
  }
  const chain = defineChain({ id: Number(chainId), name: `main-${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
  const client = createPublicClient({ chain, transport: http(rpcUrl, { retryCount: 0 }), pollingInterval: 250 }) as PublicClient<Transport, Chain>
  return { rpcUrl, chainId, chain, client }
}

/** The main chain named by the flags or the world file; CLI_NO_MAIN_RPC when neither does. */
export async function requireMainChain(flags: MainChainFlags, world: WorldFile | undefined): Promise<MainChain> {
  const url = mainRpcUrl(flags, world)
  if (url === undefined) throw new CausewayError('CLI_NO_MAIN_RPC', 'no main-chain node: give --main-rpc (or --world with a world.json that has an evm section)')
  return connectMainChain(url)
}

export interface MainKey {
  readonly account: Account
  readonly address: Address
  readonly source: 'flag' | 'env' | 'world'
}

/** The main-chain key that signs a deposit: --key, env CAUSEWAY_MAIN_KEY, the world's demo main-chain key. */
export function resolveMainKey(flag: string | undefined, world: WorldFile | undefined, env: NodeJS.ProcessEnv = process.env): MainKey {
  const pick = (hex: string, source: MainKey['source']): MainKey => {
    const h = hex.trim().startsWith('0x') ? hex.trim() : `0x${hex.trim()}`
    const what = source === 'env' ? MAIN_KEY_ENV : source === 'flag' ? '--key' : "the world's evm.demo.key"
    if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw new CausewayError('CLI_BAD_KEY', `the ${what} value is not a private key (64 hex digits)`)
    try {
      const account = privateKeyToAccount(h as Hex)
      return { account, address: account.address, source }
    } catch (e) {
      throw new CausewayError('CLI_BAD_KEY', `the ${what} value is not a valid secp256k1 private key`, { cause: e })
    }
  }
  if (flag !== undefined) return pick(flag, 'flag')
  const fromEnv = env[MAIN_KEY_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return pick(fromEnv, 'env')
  if (world?.evm !== undefined) return pick(world.evm.demo.key, 'world')
  throw new CausewayError('CLI_NO_KEY', `no main-chain key to sign with: give --key or env ${MAIN_KEY_ENV}`)
}

/** A wallet client on the main chain signing with `key`. */
export function mainWallet(m: MainChain, key: MainKey): WalletClient<Transport, Chain, Account> {
  return createWalletClient({ account: key.account, chain: m.chain, transport: http(m.rpcUrl, { retryCount: 0 }) })
}

/** A main-chain node's refusal (a revert in simulation, a rejected transaction) as a coded error; others unchanged. */
export function asMainChainError(e: unknown): unknown {
  if (e instanceof CausewayError) return e
  const short = (e as { shortMessage?: string }).shortMessage
  if (typeof short === 'string' && (e as { name?: string }).name !== undefined) {
    if (/insufficient funds/i.test(`${short} ${(e as Error).message}`)) return new CausewayError('CLI_INSUFFICIENT_FUNDS', `the main-chain account cannot pay for this (value plus gas): ${short}`, { cause: e })
    return new CausewayError('CLI_MAIN_REFUSED', `the main chain refused: ${short.split('\n')[0]}`, { cause: e })
  }
  return e
}
