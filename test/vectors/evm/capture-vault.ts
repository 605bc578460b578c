// Regenerates anvil-vault-block.json: `npx tsx test/vectors/evm/capture-vault.ts`. A fresh anvil 1.7.1 (Prague,
// chain id 31337) with the project's Vault (the members of test/helpers/evm-bridge-world.ts, 3 of 4) and demo token,
// then one block holding ETH deposits as legacy, EIP-2930 and EIP-1559 transactions, a token deposit, a transfer
// without logs and a reverted deposit, with all of its receipts — real proofs for the bridge's property test.
import { writeFile } from 'node:fs/promises'
import { createWalletClient, encodeFunctionData, http, erc20Abi, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { abi as vaultAbi } from '../../../peg/evm/contracts/Vault.artifact.js'
import { ANVIL_KEY_0, ANVIL_MNEMONIC, startAnvil } from '../../../regtest/evm/anvil.js'
import { deployPegContracts } from '../../../regtest/evm/deploy.js'
import { toHex } from '../../../spv/base/bytes.js'
import { SIDE_CHAIN_ID, memberAddresses } from '../../helpers/evm-bridge-world.js'

const RECIPIENT = '0x00000000000000000000000000000000000a11ce' as Hex
const node = await startAnvil({})
try {
  const d = await deployPegContracts(node.url, ANVIL_KEY_0, { members: memberAddresses.map(toHex), threshold: 3, sideChainId: SIDE_CHAIN_ID }, { supply: 10n ** 12n })
  const vault = d.vault.address
  const token = d.token!.address
  const chain = { id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [node.url] } } } as const
  const owner = createWalletClient({ account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 }), chain, transport: http(node.url) })
  await owner.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [vault, 10n ** 12n] })
  await node.rpc('evm_setAutomine', [false])
  const hashes: Hex[] = []
  const depositEth = encodeFunctionData({ abi: vaultAbi, functionName: 'depositEth', args: [RECIPIENT] })
  for (const [i, type] of (['legacy', 'eip2930', 'eip1559', 'eip1559', 'legacy'] as const).entries()) {
    const w = createWalletClient({ account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i + 1 }), chain, transport: http(node.url) })
    hashes.push(await w.sendTransaction({ type, to: vault, data: depositEth, value: 10n ** 15n * BigInt(i + 1), gas: 200_000n } as never))
  }
  hashes.push(await owner.sendTransaction({ to: vault, gas: 300_000n, data: encodeFunctionData({ abi: vaultAbi, functionName: 'depositToken', args: [token, 2_500_000n, RECIPIENT] }) }))
  const w7 = createWalletClient({ account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 7 }), chain, transport: http(node.url) })
  hashes.push(await w7.sendTransaction({ to: RECIPIENT, value: 1n }))
  // A deposit of zero reverts: its receipt has status 0 and no logs.
  hashes.push(await w7.sendTransaction({ to: vault, data: depositEth, value: 0n, gas: 200_000n }))
  await node.rpc('evm_mine')
  const first = await node.rpc('eth_getTransactionReceipt', [hashes[0]])
  const block = await node.rpc('eth_getBlockByHash', [first.blockHash, false])
  const receipts = []
  for (const h of block.transactions as string[]) receipts.push(await node.rpc('eth_getTransactionReceipt', [h]))
  const source = `anvil 1.7.1, chainId 31337, block ${block.number}: the Vault at ${vault} (members of test/helpers/evm-bridge-world.ts, 3 of 4, side chain ${SIDE_CHAIN_ID}) and its deposits (capture-vault.ts)`
  await writeFile(new URL('./anvil-vault-block.json', import.meta.url), JSON.stringify({ source, vault, token, recipient: RECIPIENT, block, receipts }, null, 1) + '\n')
  console.log(`block ${block.number}: ${receipts.length} receipts, statuses ${receipts.map((r: { status: string }) => r.status).join(' ')}`)
} finally {
  await node.stop()
}
