// The EVM proof client (client/evm-*.ts) against real main-chain nodes (Hardhat 2 and anvil): the Vault deployed,
// deposits sent as legacy, EIP-2930, EIP-1559 and EIP-7702 transactions mined into one block, a real k-of-n
// withdrawal, each proof verified against the checked header with spv/evm; a node that lies about a header or a
// receipt (a rewriting proxy) is refused with the client's code; receipt-proof verification is timed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, encodeFunctionData, http, type PublicClient } from 'viem'
import type { BaseWallet, TransactionRequest } from 'ethers'
import { hexToBytes, toHex, type Hex } from '../../../spv/base/bytes.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import { decodeEvmHeader, evmHeaderHash, verifyReceiptProof } from '../../../spv/evm/index.js'
import { depositId, signWithdrawalDigest, withdrawalDigest, type Withdrawal } from '../../../peg/evm/index.js'
import * as Vault from '../../../peg/evm/contracts/Vault.artifact.js'
import { evmDeployer, deployVault } from '../../../regtest/evm/deploy.js'
import { startHardhat } from '../../../regtest/evm/hardhat.js'
import { startAnvil, ANVIL_KEY_0 } from '../../../regtest/evm/anvil.js'
import { deployCode as initCode, hardhatWallets, LOGGER_RUNTIME } from '../../helpers/evm-traffic.js'
import { startRewriteProxy } from '../../helpers/rpc-rewrite-proxy.js'
import {
  CLIENT_EVM_HEADER_MISMATCH,
  CLIENT_EVM_NO_VAULT_LOG,
  CLIENT_EVM_RECEIPTS_MISMATCH,
  fetchBlockReceipts,
  fetchEvmHeader,
  fetchEvmHeaderRlp,
  proveEvmDeposit,
  proveEvmWithdrawal,
} from '../../../client/evm.js'

const GWEI = 1_000_000_000n
const SIDE_CHAIN_ID = 1337n
const RECIPIENT = '0x00000000000000000000000000000000000000a1' as const

interface Node {
  readonly url: string
  rpc(method: string, params?: readonly unknown[]): Promise<any>
  stop(): Promise<void>
}

const nodes: [string, () => Promise<Node>][] = [
  ['hardhat', () => startHardhat({ hardfork: 'prague' })],
  ['anvil', () => startAnvil({ hardfork: 'prague' })],
]

for (const [name, start] of nodes) {
  describe(`receipt proofs of the vault's logs on ${name}`, () => {
    let node: Node | undefined
    let client: PublicClient
    let vault: Hex
    let chainId: bigint
    const w = hardhatWallets(8)
    const members = [w[1]!, w[2]!, w[3]!]
    const deposits: { hash: Hex; type: number; amount: bigint }[] = []
    let blockNumber: bigint
    let withdrawHash: Hex

    const nonces = new Map<string, number>()
    const send = async (wallet: BaseWallet, tx: TransactionRequest): Promise<Hex> => {
      const nonce = nonces.get(wallet.address) ?? Number(BigInt(await node!.rpc('eth_getTransactionCount', [wallet.address, 'pending'])))
      nonces.set(wallet.address, nonce + 1)
      return (await node!.rpc('eth_sendRawTransaction', [await wallet.signTransaction({ chainId, nonce, ...tx })])) as Hex
    }
    const depositData = encodeFunctionData({ abi: Vault.abi, functionName: 'depositEth', args: [RECIPIENT] })

    beforeAll(async () => {
      node = await start()
      client = createPublicClient({ transport: http(node.url, { retryCount: 0 }) }) as PublicClient
      chainId = BigInt(await node.rpc('eth_chainId'))
      const d = await evmDeployer(node.url, ANVIL_KEY_0)
      vault = (await deployVault(d, { members: members.map((m) => m.address as Hex), threshold: 2, sideChainId: SIDE_CHAIN_ID })).address.toLowerCase() as Hex
      const logger = (await node.rpc('eth_getTransactionReceipt', [await send(w[0]!, { type: 2, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI, data: initCode(LOGGER_RUNTIME), gasLimit: 200_000n })])).contractAddress as Hex
      const fee = { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI }
      await node.rpc('evm_setAutomine', [false])
      try {
        deposits.push({ hash: await send(w[4]!, { type: 0, gasPrice: 20n * GWEI, to: vault, value: 1000n, data: depositData, gasLimit: 200_000n }), type: 0, amount: 1000n })
        await send(w[4]!, { type: 0, gasPrice: 20n * GWEI, to: w[7]!.address, value: 5n, gasLimit: 21_000n }) // no vault log
        deposits.push({ hash: await send(w[5]!, { type: 1, gasPrice: 20n * GWEI, accessList: [{ address: vault, storageKeys: [] }], to: vault, value: 2000n, data: depositData, gasLimit: 200_000n }), type: 1, amount: 2000n })
        deposits.push({ hash: await send(w[6]!, { type: 2, ...fee, to: vault, value: 3n * 10n ** 18n, data: depositData, gasLimit: 200_000n }), type: 2, amount: 3n * 10n ** 18n })
        // EIP-7702: w[7] delegates to the logger (it logs as w[7]) and w[6]'s type-4 transaction calls it.
        const auth = await w[7]!.authorize({ address: logger, nonce: Number(BigInt(await node.rpc('eth_getTransactionCount', [w[7]!.address, 'pending']))), chainId })
        deposits.push({ hash: await send(w[6]!, { type: 4, ...fee, to: w[7]!.address, data: '0xc0ffee', gasLimit: 200_000n, authorizationList: [auth] }), type: 4, amount: 0n })
        await node.rpc('evm_mine')
      } finally {
        await node.rpc('evm_setAutomine', [true])
      }
      blockNumber = BigInt((await node.rpc('eth_getTransactionReceipt', [deposits[0]!.hash])).blockNumber)
      // A real 2-of-3 withdrawal of 1500 wei to w[7].
      const wd: Withdrawal = { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20), sideChainId: SIDE_CHAIN_ID, id: 1n, token: new Uint8Array(20), recipient: hexToBytes(w[7]!.address, 'recipient', 20), amount: 1500n, epoch: 1n }
      const digest = withdrawalDigest(wd)
      const sigs = [members[0]!, members[2]!].map((m) => toHex(signWithdrawalDigest(digest, hexToBytes(m.privateKey, 'key', 32))))
      const tuple = { sideChainId: SIDE_CHAIN_ID, id: 1n, token: '0x' + '00'.repeat(20), recipient: w[7]!.address, amount: 1500n, epoch: 1n } as const
      const data = encodeFunctionData({ abi: Vault.abi, functionName: 'withdraw', args: [tuple as never, sigs] })
      withdrawHash = await send(w[0]!, { type: 2, ...fee, to: vault, data, gasLimit: 300_000n })
      const r = await node.rpc('eth_getTransactionReceipt', [withdrawHash])
      expect(r.status).toBe('0x1')
    }, 120_000)
    afterAll(async () => {
      await node?.stop()
    })

    it('one block holds legacy, EIP-2930, EIP-1559 and EIP-7702 transactions', async () => {
      const block = await fetchEvmHeader(client, { number: blockNumber })
      expect(block.transactions).toHaveLength(5)
      const { receipts, via } = await fetchBlockReceipts(client, block)
      expect(new Set(receipts.map((r) => r.type))).toEqual(new Set([0, 1, 2, 4]))
      console.log(JSON.stringify({ node: name, receiptsVia: via }))
    })

    it('each deposit proof is the registerEvmDeposit argument list and verifies against its header', async () => {
      for (const dep of deposits.filter((d) => d.type !== 4)) {
        const [p, ...more] = await proveEvmDeposit(client, dep.hash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) })
        expect(more).toHaveLength(0)
        const [mainChainId, rlpHeader, txIndex, receiptProof, logIndex] = p!.args
        expect(mainChainId).toBe(chainId)
        const header = decodeEvmHeader(hexToBytes(rlpHeader, 'rlp'))
        expect(toHex(evmHeaderHash(header))).toBe((await node!.rpc('eth_getTransactionReceipt', [dep.hash])).blockHash)
        const proven = await verifyReceiptProof(header.receiptsRoot, Number(txIndex), receiptProof.map((n) => hexToBytes(n, 'node')))
        expect(proven.receipt.type).toBe(dep.type)
        expect(toHex(proven.receipt.logs[Number(logIndex)]!.address)).toBe(vault)
        expect(p!.deposit.amount).toBe(dep.amount)
        expect(toHex(p!.deposit.recipient)).toBe(RECIPIENT)
        expect(p!.depositId).toEqual(depositId(chainId, hexToBytes(vault, 'vault', 20), p!.blockHash, txIndex, logIndex))
      }
    })

    it('a transaction without a vault Deposit log (the EIP-7702 one) is refused with CLIENT_EVM_NO_VAULT_LOG', async () => {
      const dep = deposits.find((d) => d.type === 4)!
      await expect(proveEvmDeposit(client, dep.hash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) })).rejects.toSatisfy((e) => isCausewayError(e, CLIENT_EVM_NO_VAULT_LOG))
    })

    it('the Withdrawn proof is the registerEvmWithdrawal argument list and verifies', async () => {
      const [p] = await proveEvmWithdrawal(client, withdrawHash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) })
      expect(p!.withdrawn.id).toBe(1n)
      expect(p!.withdrawn.amount).toBe(1500n)
      const header = decodeEvmHeader(hexToBytes(p!.args[1], 'rlp'))
      await verifyReceiptProof(header.receiptsRoot, Number(p!.args[2]), p!.args[3].map((n) => hexToBytes(n, 'node')))
      expect(await fetchEvmHeaderRlp(client, { hash: p!.blockHash })).toEqual(hexToBytes(p!.args[1], 'rlp'))
    })

    it('the fallback (no eth_getBlockReceipts) gives the same receipts', async () => {
      const proxy = await startRewriteProxy(node!.url, (_m, r) => r, (m, p) => (m === 'eth_getBlockReceipts' ? ['0xnot-a-block'] : p))
      try {
        const c = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) }) as PublicClient
        const block = await fetchEvmHeader(c, { number: blockNumber })
        const got = await fetchBlockReceipts(c, block)
        expect(got.via).toBe('eth_getTransactionReceipt')
        expect(got.receipts).toEqual((await fetchBlockReceipts(client, block)).receipts)
      } finally {
        await proxy.close()
      }
    })

    it('a node that lies about a header is refused with CLIENT_EVM_HEADER_MISMATCH', async () => {
      const proxy = await startRewriteProxy(node!.url, (m, r) => (m.startsWith('eth_getBlockBy') && r !== null ? { ...(r as object), timestamp: '0x1' } : r))
      try {
        const c = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) }) as PublicClient
        await expect(proveEvmDeposit(c, deposits[0]!.hash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) })).rejects.toSatisfy((e) => isCausewayError(e, CLIENT_EVM_HEADER_MISMATCH))
      } finally {
        await proxy.close()
      }
    })

    it('a node that lies about a receipt (a deposit amount) is refused with CLIENT_EVM_RECEIPTS_MISMATCH', async () => {
      const lie = (r: any) => (r?.logs?.length > 0 ? { ...r, logs: r.logs.map((l: any) => ({ ...l, data: l.data.replace(/.$/, l.data.endsWith('0') ? '1' : '0') })) } : r)
      const proxy = await startRewriteProxy(node!.url, (m, r) => (m === 'eth_getBlockReceipts' && Array.isArray(r) ? r.map(lie) : m === 'eth_getTransactionReceipt' ? lie(r) : r))
      try {
        const c = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) }) as PublicClient
        await expect(proveEvmDeposit(c, deposits[2]!.hash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) })).rejects.toSatisfy((e) => isCausewayError(e, CLIENT_EVM_RECEIPTS_MISMATCH))
      } finally {
        await proxy.close()
      }
    })

    it('measures receipt proofs verified per second', async () => {
      const proofs = await Promise.all(deposits.filter((d) => d.type !== 4).map(async (d) => (await proveEvmDeposit(client, d.hash, { mainChainId: chainId, vault: hexToBytes(vault, 'vault', 20) }))[0]!))
      const prepared = proofs.map((p) => ({ root: decodeEvmHeader(hexToBytes(p.args[1], 'rlp')).receiptsRoot, index: Number(p.args[2]), nodes: p.args[3].map((n) => hexToBytes(n, 'node')) }))
      let n = 0
      const t0 = performance.now()
      while (performance.now() - t0 < 1000) {
        for (const p of prepared) await verifyReceiptProof(p.root, p.index, p.nodes)
        n += prepared.length
      }
      const perSecond = Math.round(n / ((performance.now() - t0) / 1000))
      console.log(JSON.stringify({ bench: 'evm-receipt-proof-verify', node: name, receiptsInBlock: 5, perSecond }))
      expect(perSecond).toBeGreaterThan(100)
    })
  })
}
