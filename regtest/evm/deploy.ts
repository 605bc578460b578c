// Deploys the EVM peg's main-chain Vault (and, for a demo, a 6-decimal ERC-20) to any EVM JSON-RPC with a given
// private key: viem wallet and public clients, each deployment waited for to its receipt, coded errors on failure.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  type Abi,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type PublicClient,
  type WalletClient,
  type Transport,
  type Account,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { fail } from '../../spv/base/errors.js'
import * as VaultArtifact from '../../peg/evm/contracts/Vault.artifact.js'
import { compileSolidity } from '../solidity/compile.js'

export type Hex = `0x${string}`
export type Address = `0x${string}`

/** The node refused or could not be asked (the RPC's error is the cause). */
export const DEPLOY_RPC_FAILED = 'DEPLOY_RPC_FAILED'
/** The deployment was mined but reverted, or left no contract. */
export const DEPLOY_REVERTED = 'DEPLOY_REVERTED'
/** An argument is malformed (a key, an address, a threshold). */
export const DEPLOY_BAD_ARGUMENT = 'DEPLOY_BAD_ARGUMENT'

export interface EvmDeployer {
  readonly chainId: number
  readonly account: Account
  readonly wallet: WalletClient<Transport, Chain, Account>
  readonly client: PublicClient<Transport, Chain>
}

export interface Deployed {
  readonly address: Address
  readonly txHash: Hex
  readonly gasUsed: bigint
  readonly blockNumber: bigint
}

export interface VaultParams {
  readonly members: readonly Address[]
  readonly threshold: number
  readonly sideChainId: bigint
}

export interface DemoTokenParams {
  readonly name?: string
  readonly symbol?: string
  /** In the token's smallest units (6 decimals). */
  readonly supply: bigint
  /** Who gets the supply (default the deployer). */
  readonly holder?: Address
}

/** Clients for `rpcUrl` signing with `privateKey` (0x + 64 hex); asks the node its chain id. */
export async function evmDeployer(rpcUrl: string, privateKey: Hex): Promise<EvmDeployer> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) fail(DEPLOY_BAD_ARGUMENT, 'privateKey must be 0x followed by 64 hex digits')
  const account = privateKeyToAccount(privateKey)
  const probe = createPublicClient({ transport: http(rpcUrl) })
  let chainId: number
  try {
    chainId = await probe.getChainId()
  } catch (e) {
    fail(DEPLOY_RPC_FAILED, `cannot read the chain id from ${rpcUrl}`, { rpcUrl }, e)
  }
  const chain = defineChain({
    id: chainId,
    name: `evm-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  const transport = http(rpcUrl)
  return {
    chainId,
    account,
    wallet: createWalletClient({ account, chain, transport }),
    client: createPublicClient({ chain, transport }) as PublicClient<Transport, Chain>,
  }
}

/** Sends a creation transaction and waits for its receipt; DEPLOY_REVERTED unless it left code at an address. */
export async function deployCode(d: EvmDeployer, abi: Abi, bytecode: Hex, args: readonly unknown[], what: string): Promise<Deployed> {
  let txHash: Hex
  try {
    txHash = await d.wallet.deployContract({ abi, bytecode, args: args as unknown[] })
  } catch (e) {
    fail(DEPLOY_RPC_FAILED, `the node refused the ${what} deployment: ${(e as Error).message.split('\n')[0]}`, { what }, e)
  }
  let receipt
  try {
    receipt = await d.client.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 })
  } catch (e) {
    fail(DEPLOY_RPC_FAILED, `no receipt for the ${what} deployment ${txHash}`, { what, txHash }, e)
  }
  if (receipt.status !== 'success' || receipt.contractAddress == null) {
    fail(DEPLOY_REVERTED, `the ${what} deployment ${txHash} reverted`, { what, txHash })
  }
  return { address: getAddress(receipt.contractAddress), txHash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber }
}

/** Deploys peg/evm/contracts/Vault.sol (its committed artifact) with the federation's members and threshold. */
export async function deployVault(d: EvmDeployer, p: VaultParams): Promise<Deployed> {
  if (!Number.isSafeInteger(p.threshold) || p.threshold < 1 || p.threshold > p.members.length) {
    fail(DEPLOY_BAD_ARGUMENT, `threshold must be 1..${p.members.length}, got ${p.threshold}`)
  }
  const members = p.members.map((m) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(m)) fail(DEPLOY_BAD_ARGUMENT, `member ${m} is not an address`)
    return getAddress(m)
  })
  return deployCode(d, VaultArtifact.abi as Abi, VaultArtifact.bytecode, [members, BigInt(p.threshold), p.sideChainId], 'Vault')
}

const demoTokenSource = fileURLToPath(new URL('./contracts/DemoToken.sol', import.meta.url))

/** Deploys the demo's 6-decimal ERC-20 (regtest/evm/contracts/DemoToken.sol, compiled here) funding `holder`. */
export async function deployDemoToken(d: EvmDeployer, p: DemoTokenParams): Promise<Deployed> {
  const { contracts } = compileSolidity({ 'DemoToken.sol': readFileSync(demoTokenSource, 'utf8') }, { optimize: true })
  const c = contracts['DemoToken.sol:DemoToken']
  if (c === undefined) fail(DEPLOY_BAD_ARGUMENT, 'DemoToken.sol did not compile to DemoToken')
  const holder = p.holder === undefined ? d.account.address : getAddress(p.holder)
  return deployCode(d, c.abi as Abi, c.bytecode, [p.name ?? 'Demo USD', p.symbol ?? 'DUSD', p.supply, holder], 'DemoToken')
}

export interface VaultDeployment {
  readonly chainId: number
  readonly vault: Deployed
  readonly token?: Deployed
}

/** One call for a world or a CLI: the Vault, and the demo token when `demoToken` is given. */
export async function deployPegContracts(rpcUrl: string, privateKey: Hex, vault: VaultParams, demoToken?: DemoTokenParams): Promise<VaultDeployment> {
  const d = await evmDeployer(rpcUrl, privateKey)
  const v = await deployVault(d, vault)
  if (demoToken === undefined) return { chainId: d.chainId, vault: v }
  return { chainId: d.chainId, vault: v, token: await deployDemoToken(d, demoToken) }
}
