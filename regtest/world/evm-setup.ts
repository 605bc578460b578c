// What a world's first start decides once on its EVM main chain (before the side chain's genesis is written, which
// names the vault): the Vault deployed with the federation's members (the EVM addresses of their peg keys, in
// member order), the signer threshold and the side chain's id; the 6-decimal demo ERC-20 funded for the demo
// account; ETH for every member's address, which pays the gas of the withdrawals it submits to the vault. The
// signers' policy caps are stated here too, so the demo and the tests know what passes.
//
// Regtest only: the deployer and the demo's main-chain account are anvil's well-known dev accounts 0 and 1.
import { getAddress, parseEther, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { z } from 'zod'
import { evmAddressOfKey } from '../../sidechain/bridge/config.js'
import { toHex, hexToBytes } from '../../spv/base/bytes.js'
import { ANVIL_KEY_0, ANVIL_MNEMONIC } from '../evm/anvil.js'
import { deployDemoToken, deployVault, evmDeployer } from '../evm/deploy.js'
import { CausewayError } from '../../spv/base/errors.js'
import { MAIN_CHAIN_ID } from './main-chain.js'

/** Depth on a signer's own main-chain node before it attests a header (PROTOCOL.md: world default 5 at 1 s blocks). */
export const EVM_CONFIRMATIONS = 5
/** What the demo token's holder (the demo account) starts with: 1,000,000 DUSD (6 decimals). */
export const DEMO_TOKEN_SUPPLY = 1_000_000n * 10n ** 6n
/** ETH each member's address gets for vault submissions. */
export const MEMBER_GAS_ETH = parseEther('100')

/**
 * The signers' per-token caps (federation/signer/evm/config.ts), in the token's smallest units. Room for the demo
 * (1 ETH, 1,000 DUSD) and the tests many times over, and still a cap, so a runaway world stops.
 */
export function worldEvmPolicy(token: string): Record<string, { maxPerWithdrawal: string; maxPer24h: string }> {
  return {
    eth: { maxPerWithdrawal: parseEther('10').toString(), maxPer24h: parseEther('100').toString() },
    [token.toLowerCase()]: { maxPerWithdrawal: (100_000n * 10n ** 6n).toString(), maxPer24h: (1_000_000n * 10n ** 6n).toString() },
  }
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/)

/** The `evm` section of setup.json (absent: a world set up before the EVM peg, which runs without one). */
export const evmSetupSchema = z.object({
  chainId: z.number().int().positive(),
  vault: address,
  /** The vault's deployment block: the signers scan for its logs from here. */
  vaultBlock: z.number().int().nonnegative(),
  members: z.array(address),
  threshold: z.number().int().positive(),
  demoToken: z.object({ address, name: z.string(), symbol: z.string(), decimals: z.number().int() }),
  demoKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  demoAddress: address,
  confirmations: z.number().int().positive(),
})

export type EvmSetup = z.infer<typeof evmSetupSchema>

export interface EvmSetupInput {
  readonly rpcUrl: string
  /** The federation's peg pubkeys (hex, member order): their EVM addresses are the vault's members. */
  readonly pegPubkeys: readonly string[]
  readonly threshold: number
  readonly sideChainId: bigint
  readonly progress: (line: string) => void
}

export async function createEvmSetup(input: EvmSetupInput): Promise<EvmSetup> {
  const d = await evmDeployer(input.rpcUrl, ANVIL_KEY_0)
  if (d.chainId !== MAIN_CHAIN_ID) throw new CausewayError('WORLD_EVM_SETUP_FAILED', `the main chain at ${input.rpcUrl} has chain id ${d.chainId}, not ${MAIN_CHAIN_ID}`)
  const members = input.pegPubkeys.map((k, i) => getAddress(toHex(evmAddressOfKey(hexToBytes(k, `federation pubkey ${i}`, 33)))))
  const vault = await deployVault(d, { members, threshold: input.threshold, sideChainId: input.sideChainId })
  input.progress(`deployed the Vault at ${vault.address} (block ${vault.blockNumber}): members ${members.join(', ')}, threshold ${input.threshold}, side chain ${input.sideChainId}`)
  const demo = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 })
  const demoKey = toHex(demo.getHdKey().privateKey!)
  const token = await deployDemoToken(d, { name: 'Demo USD', symbol: 'DUSD', supply: DEMO_TOKEN_SUPPLY, holder: demo.address })
  input.progress(`deployed the demo token DUSD (6 decimals) at ${token.address}, 1,000,000 DUSD to the demo account ${demo.address}`)
  const hashes: Hex[] = []
  for (const m of members) hashes.push(await d.wallet.sendTransaction({ to: m, value: MEMBER_GAS_ETH }))
  for (const hash of hashes) {
    const r = await d.client.waitForTransactionReceipt({ hash, timeout: 60_000 })
    if (r.status !== 'success') throw new CausewayError('WORLD_EVM_SETUP_FAILED', `funding a member's main-chain address failed (${hash})`)
  }
  input.progress(`gave each member's main-chain address 100 ETH for vault submissions`)
  return {
    chainId: MAIN_CHAIN_ID,
    vault: vault.address,
    vaultBlock: Number(vault.blockNumber),
    members,
    threshold: input.threshold,
    demoToken: { address: token.address, name: 'Demo USD', symbol: 'DUSD', decimals: 6 },
    demoKey,
    demoAddress: demo.address,
    confirmations: EVM_CONFIRMATIONS,
  }
}
