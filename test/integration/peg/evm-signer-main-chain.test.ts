// The EVM duty's main-chain shell (federation/signer/evm/main-chain.ts) against a real anvil with the real Vault:
// vault-log blocks found with their transaction indexes, checked headers, a wrong chain refused, a complete 2-of-3
// withdrawal sent from a member's own account (simulated first, a bad one refused), `used` after it; and one duty
// round over this real main chain (fakes for the side chain and bridge) attests exactly the blocks with vault logs
// once they are `confirmations` deep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData } from 'viem'
import { pino } from 'pino'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Hex } from '../../../spv/base/bytes.js'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import { pollUntil } from '../../../io/poll.js'
import { signWithdrawalDigest, withdrawalDigest, type Withdrawal } from '../../../peg/evm/index.js'
import * as Vault from '../../../peg/evm/contracts/Vault.artifact.js'
import { evmDeployer, deployVault } from '../../../regtest/evm/deploy.js'
import { startAnvil, ANVIL_KEY_0, type AnvilNode } from '../../../regtest/evm/anvil.js'
import { hardhatWallets } from '../../helpers/evm-traffic.js'
import { CLIENT_EVM_WRONG_CHAIN, depositProofsAt, fetchCheckedBlock, withdrawnProofsAt } from '../../../client/evm.js'
import { MainChain } from '../../../federation/signer/evm/main-chain.js'
import { EvmDuty } from '../../../federation/signer/evm/duty.js'
import { evmSignerConfig } from '../../../federation/signer/evm/config.js'
import { EvmSigningLog } from '../../../federation/signer/evm/signing-log.js'
import { openSigningDb } from '../../../federation/signer/signing-db.js'
import { runDutyRound } from '../../../federation/signer/duty.js'
import { createSignerMetrics } from '../../../federation/signer/metrics.js'
import { memberKeyFrom } from '../../../federation/keystore.js'

const SIDE = 1337n
const w = hardhatWallets(6)
const members = [w[1]!, w[2]!, w[3]!]
const keyOf = (i: number) => hexToBytes(members[i]!.privateKey, 'key', 32)

describe('the EVM duty on a real anvil main chain', () => {
  let node: AnvilNode | undefined
  let vault: Hex
  let main: MainChain
  const depositBlocks: bigint[] = []

  const sendTx = async (from: (typeof w)[number], to: Hex, data: Hex, value = 0n) => {
    const nonce = Number(BigInt(await node!.rpc('eth_getTransactionCount', [from.address, 'pending'])))
    const raw = await from.signTransaction({ chainId: 31337n, nonce, to, data, value, type: 2, maxFeePerGas: 20n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, gasLimit: 300_000n })
    const hash = await node!.rpc('eth_sendRawTransaction', [raw])
    return node!.rpc('eth_getTransactionReceipt', [hash])
  }

  beforeAll(async () => {
    node = await startAnvil({ hardfork: 'prague' })
    const d = await evmDeployer(node.url, ANVIL_KEY_0)
    vault = (await deployVault(d, { members: members.map((m) => m.address as Hex), threshold: 2, sideChainId: SIDE })).address.toLowerCase() as Hex
    for (const amount of [10n ** 18n, 2n * 10n ** 18n]) {
      const r = await sendTx(w[4]!, vault, encodeFunctionData({ abi: Vault.abi, functionName: 'depositEth', args: ['0x00000000000000000000000000000000000000a1'] }), amount)
      depositBlocks.push(BigInt(r.blockNumber))
    }
    await node.rpc('anvil_mine', ['0x3'])
    main = new MainChain(node.url, 31337n, hexToBytes(vault, 'vault', 20), keyOf(0))
  }, 60_000)
  afterAll(async () => {
    await node?.stop()
  })

  it('refuses a node of another chain', async () => {
    await main.check()
    await expect(new MainChain(node!.url, 1n, hexToBytes(vault, 'vault', 20), keyOf(0)).check()).rejects.toSatisfy((e) => isCausewayError(e, CLIENT_EVM_WRONG_CHAIN))
  })

  it('finds the blocks with vault logs and their transaction indexes', async () => {
    const blocks = await main.vaultLogBlocks(0n, await main.head())
    expect(blocks.map((b) => b.number)).toEqual(depositBlocks)
    expect(blocks.every((b) => b.depositTxs.has(0) && b.withdrawnTxs.size === 0)).toBe(true)
    expect((await main.headerByHash(blocks[0]!.hash)).number).toBe(depositBlocks[0])
  })

  it('one duty round attests exactly the vault-log blocks at depth', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evm-duty-anvil-'))
    const db = await openSigningDb(dir)
    try {
      const head = await main.head()
      // Depth so that only the first deposit block is deep enough.
      const confirmations = Number(head - depositBlocks[0]! + 1n)
      const evm = evmSignerConfig({ rpcUrl: node!.url, chainId: 31337, vault, confirmations, pollMs: 50, fromBlock: 0 })
      const sent: { method: string; args: readonly unknown[] }[] = []
      const side = { finalizedHead: async () => 0, requests: async () => [], epoch: async () => 1n, read: { getEvmHeader: async () => ({ accepted: false, attesters: 0n }) } }
      const bridge = { send: async (method: string, args: readonly unknown[]) => (sent.push({ method, args }), { hash: '0x1', mined: Promise.resolve(true) }) }
      const duty = new EvmDuty({ evm, relay: true, key: memberKeyFrom(members[0]!.privateKey), member: 0, sideChainId: SIDE, main, side: side as never, bridge: bridge as never, signingLog: new EvmSigningLog(db), log: pino({ level: 'silent' }), metrics: createSignerMetrics() })
      await runDutyRound(duty)
      expect(sent.map((s) => s.method)).toEqual(['attestEvmHeader'])
      const rlp = (await main.headerAt(depositBlocks[0]!)).rlp
      expect(sent[0]!.args).toEqual([31337n, toHex(rlp)])
      expect(await new EvmSigningLog(db).attestedAt(31337n, depositBlocks[0]!)).toBe(toHex((await main.headerAt(depositBlocks[0]!)).hash))
      expect(duty.health().details['attested']).toBe(1)
    } finally {
      await db.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('relays each deposit of an accepted header once (not again while it waits for its block), until registered', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evm-duty-anvil-'))
    const db = await openSigningDb(dir)
    try {
      const evm = evmSignerConfig({ rpcUrl: node!.url, chainId: 31337, vault, confirmations: 1, pollMs: 50, fromBlock: 0 })
      const sent: { method: string; args: readonly unknown[] }[] = []
      const registered = new Set<string>()
      const side = {
        finalizedHead: async () => 0,
        requests: async () => [],
        read: { getEvmHeader: async () => ({ accepted: true, attesters: 0n }), isEvmDepositRegistered: async ([id]: [string]) => registered.has(id) },
      }
      const bridge = { send: async (method: string, args: readonly unknown[]) => (sent.push({ method, args }), { hash: '0x1', mined: Promise.resolve(true) }) }
      const duty = new EvmDuty({ evm, relay: true, key: memberKeyFrom(members[0]!.privateKey), member: 0, sideChainId: SIDE, main, side: side as never, bridge: bridge as never, signingLog: new EvmSigningLog(db), log: pino({ level: 'silent' }), metrics: createSignerMetrics() })
      await runDutyRound(duty)
      expect(sent.map((s) => s.method)).toEqual(['registerEvmDeposit', 'registerEvmDeposit'])
      const target = { mainChainId: 31337n, vault: hexToBytes(vault, 'vault', 20) }
      const blocks = await main.vaultLogBlocks(depositBlocks[0]!, depositBlocks[1]!)
      const expected = await Promise.all(blocks.map(async (b) => (await depositProofsAt(await fetchCheckedBlock(main.client, b.hash), 0, target))[0]!))
      expect(sent.map((s) => s.args)).toEqual(expected.map((p) => [p.args[0], p.args[1], p.args[2], [...p.args[3]], p.args[4]]))
      await runDutyRound(duty)
      expect(sent).toHaveLength(2) // not sent again while its transaction is on its way
      for (const p of expected) registered.add(toHex(p.depositId))
      await runDutyRound(duty)
      expect(sent).toHaveLength(2)
      expect(duty.health().details['headersWaiting']).toEqual([])
    } finally {
      await db.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('sends a complete withdrawal from the member account; a bad one is refused in simulation; used after', async () => {
    const wd: Withdrawal = { mainChainId: 31337n, vault: hexToBytes(vault, 'vault', 20), sideChainId: SIDE, id: 1n, token: new Uint8Array(20), recipient: hexToBytes(w[5]!.address, 'r', 20), amount: 5n * 10n ** 17n, epoch: 1n }
    const digest = withdrawalDigest(wd)
    const sigs = [0, 2].map((i) => toHex(signWithdrawalDigest(digest, keyOf(i))))
    await expect(main.sendWithdraw({ ...wd, amount: wd.amount + 1n }, sigs)).rejects.toThrow()
    expect(await main.used(1n)).toBe(false)
    const txHash = await main.sendWithdraw(wd, sigs)
    // The hash comes back when the node takes the transaction; its receipt once it is mined (not at once under load).
    const r = await pollUntil('the withdrawal receipt', async () => (await node!.rpc('eth_getTransactionReceipt', [txHash])) ?? undefined, { timeoutMs: 20_000, intervalMs: 100 })
    expect(r.status).toBe('0x1')
    expect(await main.used(1n)).toBe(true)
    const blocks = await main.vaultLogBlocks(BigInt(r.blockNumber), BigInt(r.blockNumber))
    expect([...blocks[0]!.withdrawnTxs]).toEqual([Number(r.transactionIndex)])
    const [p] = await withdrawnProofsAt(await fetchCheckedBlock(main.client, blocks[0]!.hash), Number(r.transactionIndex), { mainChainId: 31337n, vault: hexToBytes(vault, 'vault', 20) })
    expect(p!.withdrawn.amount).toBe(wd.amount)
  })
})
