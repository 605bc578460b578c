// What the Vault's deposits and withdrawals cost on a real EVM node: deploys fresh vaults (2-of-3 and 10-of-15)
// and a 6-decimal token, sends real transactions and reads gasUsed from their receipts, for the integration test's
// goals and a benchmark's table. Also the EIP-712 signing of a withdrawal (PROTOCOL.md, "Withdrawals") it uses.
import { type Abi, encodeFunctionData, type Hex, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as VaultArtifact from '../../peg/evm/contracts/Vault.artifact.js'
import { fail } from '../../spv/base/errors.js'
import { VAULT_DOMAIN_NAME, VAULT_DOMAIN_VERSION, WITHDRAWAL_TYPES } from '../../peg/evm/withdrawal.js'
import { type Address, DEPLOY_REVERTED, deployDemoToken, deployVault, type EvmDeployer, evmDeployer } from './deploy.js'

export interface WithdrawalMessage {
  readonly sideChainId: bigint
  readonly id: bigint
  readonly token: Address
  readonly recipient: Address
  readonly amount: bigint
  readonly epoch: bigint
}

/** PROTOCOL.md's EIP-712 types and domain: the ones peg/evm/withdrawal.ts signs and the bridge checks. */
export { WITHDRAWAL_TYPES }

export function vaultDomain(chainId: number, vault: Address) {
  return { name: VAULT_DOMAIN_NAME, version: VAULT_DOMAIN_VERSION, chainId, verifyingContract: vault } as const
}

/** One member's 65-byte r‖s‖v signature (low s, v 27/28) of `w` for the vault at `vault` on `chainId`. */
export function signWithdrawal(privateKey: Hex, chainId: number, vault: Address, w: WithdrawalMessage): Promise<Hex> {
  return privateKeyToAccount(privateKey).signTypedData({ domain: vaultDomain(chainId, vault), types: WITHDRAWAL_TYPES, primaryType: 'Withdrawal', message: w })
}

export interface VaultGas {
  /** A second ETH deposit (the nonce slot already non-zero). */
  readonly ethDepositGas: bigint
  /** The first ETH deposit of a vault (nonce slot 0 → 1). */
  readonly firstEthDepositGas: bigint
  /** A second deposit of a 6-decimal OpenZeppelin token (the vault already holds some). */
  readonly tokenDepositGas: bigint
  /** A 2-of-3 ETH withdrawal to an account that exists, not the first id of its bitmap word. */
  readonly withdraw2of3Gas: bigint
  /** The same with 10 of 15 signatures. */
  readonly withdraw10of15Gas: bigint
  /** (10-of-15 − 2-of-3) / 8. */
  readonly perExtraSignatureGas: bigint
  /** A 2-of-3 withdrawal of the 6-decimal token to an account that holds it already. */
  readonly tokenWithdraw2of3Gas: bigint
}

const SIDE_CHAIN_ID = 777n

async function send(d: EvmDeployer, to: Address, data: Hex, value = 0n): Promise<bigint> {
  const hash = await d.wallet.sendTransaction({ to, data, value })
  const r = await d.client.waitForTransactionReceipt({ hash })
  if (r.status !== 'success') fail(DEPLOY_REVERTED, `transaction ${hash} to ${to} reverted`, { hash })
  return r.gasUsed
}

/** Measures the figures of {@link VaultGas} on `rpcUrl` with a funded `privateKey` (it deploys its own contracts). */
export async function measureVaultGas(rpcUrl: string, privateKey: Hex): Promise<VaultGas> {
  const d = await evmDeployer(rpcUrl, privateKey)
  const me = d.account.address
  const vaultAbi = VaultArtifact.abi as Abi
  const withdrawGas = async (k: number, n: number, token: Address, amount: bigint): Promise<bigint> => {
    const keys = Array.from({ length: n }, () => generatePrivateKey())
    const members = keys.map((key) => privateKeyToAccount(key).address)
    const vault = (await deployVault(d, { members, threshold: k, sideChainId: SIDE_CHAIN_ID })).address
    if (token === ZERO) {
      await send(d, vault, encodeFunctionData({ abi: vaultAbi, functionName: 'depositEth', args: [me] }), amount * 2n)
    } else {
      await send(d, token, encodeFunctionData({ abi: TOKEN_ABI, functionName: 'approve', args: [vault, amount * 2n] }))
      await send(d, vault, encodeFunctionData({ abi: vaultAbi, functionName: 'depositToken', args: [token, amount * 2n, me] }))
    }
    let gas = 0n
    for (const id of [1n, 2n]) {
      const w = { sideChainId: SIDE_CHAIN_ID, id, token, recipient: me, amount, epoch: 1n }
      const sigs = await Promise.all(keys.slice(0, k).map((key) => signWithdrawal(key, d.chainId, vault, w)))
      gas = await send(d, vault, encodeFunctionData({ abi: vaultAbi, functionName: 'withdraw', args: [w, sigs] }))
    }
    return gas // the second: id 2 shares id 1's bitmap word
  }

  const token = (await deployDemoToken(d, { supply: 10n ** 15n })).address
  const vault = (await deployVault(d, { members: [privateKeyToAccount(generatePrivateKey()).address], threshold: 1, sideChainId: SIDE_CHAIN_ID })).address
  const depositEth = encodeFunctionData({ abi: vaultAbi, functionName: 'depositEth', args: [me] })
  const firstEthDepositGas = await send(d, vault, depositEth, parseEther('1'))
  const ethDepositGas = await send(d, vault, depositEth, parseEther('1'))
  await send(d, token, encodeFunctionData({ abi: TOKEN_ABI, functionName: 'approve', args: [vault, 10n ** 12n] }))
  const depositToken = encodeFunctionData({ abi: vaultAbi, functionName: 'depositToken', args: [token, 1_000_000n, me] })
  await send(d, vault, depositToken)
  const tokenDepositGas = await send(d, vault, depositToken)

  const withdraw2of3Gas = await withdrawGas(2, 3, ZERO, parseEther('0.1'))
  const withdraw10of15Gas = await withdrawGas(10, 15, ZERO, parseEther('0.1'))
  const tokenWithdraw2of3Gas = await withdrawGas(2, 3, token, 1_000_000n)
  return {
    ethDepositGas,
    firstEthDepositGas,
    tokenDepositGas,
    withdraw2of3Gas,
    withdraw10of15Gas,
    perExtraSignatureGas: (withdraw10of15Gas - withdraw2of3Gas) / 8n,
    tokenWithdraw2of3Gas,
  }
}

const ZERO = '0x0000000000000000000000000000000000000000' as const
const TOKEN_ABI = [
  {
    type: 'function',
    name: 'approve',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const
