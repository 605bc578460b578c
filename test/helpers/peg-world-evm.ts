// The EVM main chain of a test peg world (peg-world.ts, option `evm`): a real anvil (1 s blocks) or Hardhat 2 node
// (interval mining), the Vault deployed for the federation's members BEFORE the side chain's genesis (so the bridge
// configuration can name it), the members' EVM addresses funded for their vault submissions, and each signer's `evm`
// configuration section.
import { parseEther, type Hex } from 'viem'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { evmAddressOfKey } from '../../sidechain/bridge/config.js'
import { ANVIL_KEY_0, startAnvil } from '../../regtest/evm/anvil.js'
import { startHardhat } from '../../regtest/evm/hardhat.js'
import { deployVault, evmDeployer, type EvmDeployer } from '../../regtest/evm/deploy.js'
import type { RpcNode } from '../../regtest/evm/rpc-child.js'

export interface PegWorldEvmOptions {
  readonly chain: 'anvil' | 'hardhat'
  /** Depth at which the signers attest a header (default 2). */
  readonly confirmations?: number
  /** The signers' policy section (default: ETH alone, 100 per withdrawal and 1,000 per 24 h; tokens need entries). */
  readonly policy?: Record<string, { maxPerWithdrawal: string | number; maxPer24h: string | number }>
  /** Main-chain block interval in seconds (default 1). */
  readonly blockTime?: number
}

/** The main chain as the tests see it. */
export interface PegWorldEvm {
  readonly kind: 'anvil' | 'hardhat'
  readonly node: RpcNode
  readonly rpc: string
  readonly chainId: bigint
  /** The Vault, checksummed 0x address. */
  readonly vault: Hex
  readonly vaultBlock: bigint
  /** anvil's / Hardhat's first dev account, which deployed the vault (10 000 ETH minus that). */
  readonly deployerKey: Hex
  readonly deployer: EvmDeployer
  /** The members' EVM addresses (vault members, in federation order). */
  readonly members: readonly Hex[]
  readonly confirmations: number
  /** The `evm` section of every signer's configuration (this policy, or the world's). */
  signerSection(policy?: PegWorldEvmOptions['policy']): Record<string, unknown>
  stop(): Promise<void>
}

/** The main chain both nodes run: anvil's and Hardhat's default. */
export const MAIN_CHAIN_ID = 31337n

/** ETH each member gets for its vault submissions' gas. */
const MEMBER_GAS_ETH = '10'

export async function startPegWorldEvm(o: PegWorldEvmOptions, pegPubkeys: readonly string[], threshold: number, sideChainId: bigint): Promise<PegWorldEvm> {
  const blockTime = o.blockTime ?? 1
  const node: RpcNode = o.chain === 'anvil' ? await startAnvil({ blockTime, hardfork: 'prague' }) : await startHardhat({ hardfork: 'prague' })
  try {
    if (o.chain === 'hardhat') {
      await node.rpc('evm_setAutomine', [false])
      await node.rpc('evm_setIntervalMining', [blockTime * 1000])
    }
    const deployer = await evmDeployer(node.url, ANVIL_KEY_0)
    const members = pegPubkeys.map((k) => toHex(evmAddressOfKey(hexToBytes(k, 'peg pubkey', 33))) as Hex)
    const v = await deployVault(deployer, { members, threshold, sideChainId })
    for (const to of members) {
      const hash = await deployer.wallet.sendTransaction({ to, value: parseEther(MEMBER_GAS_ETH) })
      await deployer.client.waitForTransactionReceipt({ hash })
    }
    const confirmations = o.confirmations ?? 2
    const defaultPolicy = o.policy ?? { eth: { maxPerWithdrawal: (100n * 10n ** 18n).toString(), maxPer24h: (1000n * 10n ** 18n).toString() } }
    return {
      kind: o.chain,
      node,
      rpc: node.url,
      chainId: MAIN_CHAIN_ID,
      vault: v.address,
      vaultBlock: v.blockNumber,
      deployerKey: ANVIL_KEY_0,
      deployer,
      members,
      confirmations,
      signerSection: (policy) => ({
        rpcUrl: node.url,
        chainId: Number(MAIN_CHAIN_ID),
        vault: v.address,
        confirmations,
        pollMs: 250,
        fromBlock: Number(v.blockNumber),
        policy: policy ?? defaultPolicy,
      }),
      stop: () => node.stop(),
    }
  } catch (e) {
    await node.stop()
    throw e
  }
}
