// Acceptance of the development node with the tools contract developers use: ethers v6 deploys OpenZeppelin's
// ERC-20 (compiled with solc), transfers, reads Transfer events, follows newHeads over WebSocket, decodes a
// revert reason from eth_call, estimates gas; a Hardhat 2 project deploys through a network entry; supply adds up.
import { ContractFactory, JsonRpcProvider, WebSocketProvider, Wallet, getBytes, isError, type Contract } from 'ethers'
import { verifyMerkleProof } from '@ethereumjs/mpt'
import { createAccountFromRLP } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'
import { compileTestContracts } from '../../helpers/solc.js'
import { runHardhatProject } from '../../helpers/hardhat-project.js'

const DEV_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const CHAIN_ID = 0xca05e0
const SUPPLY = 1_000_000n * 10n ** 18n

let node: NodeProcess
let provider: JsonRpcProvider
let dev: Wallet

beforeAll(async () => {
  node = await startDevNodeProcess({ devKey: DEV_KEY })
  provider = new JsonRpcProvider(node.url, CHAIN_ID, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 })
  dev = new Wallet(DEV_KEY, provider)
}, 60_000)

afterAll(async () => {
  provider?.destroy()
  await node?.stop(true)
})

describe('ethers v6 against a --dev node', () => {
  let token: Contract
  const recipient = Wallet.createRandom().address

  beforeAll(async () => {
    const { TestToken } = compileTestContracts()
    token = (await new ContractFactory(TestToken.abi, TestToken.bytecode, dev).deploy(SUPPLY)) as Contract
    await token.waitForDeployment()
  }, 60_000)

  it('serves the fixed chain id and the prefunded development account', async () => {
    expect((await provider.getNetwork()).chainId).toBe(BigInt(CHAIN_ID))
    expect(await provider.getBalance(dev.address)).toBeGreaterThan(0n)
  })

  it('deploys the ERC-20, transfers, and reads the Transfer event with queryFilter', async () => {
    expect(await token.getFunction('balanceOf')(dev.address)).toBe(SUPPLY)
    const tx = await token.getFunction('transfer')(recipient, 1234n)
    const receipt = await tx.wait()
    expect(receipt.status).toBe(1)
    expect(await token.getFunction('balanceOf')(recipient)).toBe(1234n)
    const events = await token.queryFilter(token.filters.Transfer!(dev.address, recipient), receipt.blockNumber, receipt.blockNumber)
    expect(events).toHaveLength(1)
    expect((events[0] as unknown as { args: unknown[] }).args[2]).toBe(1234n)
  })

  it('eth_call of a reverting function gives the decoded reason, and a custom error', async () => {
    try {
      await token.getFunction('failWith').staticCall('boom')
      expect.fail('should revert')
    } catch (e) {
      expect(isError(e, 'CALL_EXCEPTION')).toBe(true)
      expect((e as { reason?: string }).reason).toBe('boom')
    }
    try {
      await token.getFunction('failCustom').staticCall(7n)
      expect.fail('should revert')
    } catch (e) {
      expect(isError(e, 'CALL_EXCEPTION')).toBe(true)
      expect((e as { revert?: { name: string; args: unknown[] } }).revert?.name).toBe('Nope')
    }
  })

  it('eth_estimateGas is within 10% of the gas the transaction used', async () => {
    const estimate = await token.getFunction('transfer').estimateGas(recipient, 1n)
    const receipt = await (await token.getFunction('transfer')(recipient, 1n, { gasLimit: estimate })).wait()
    expect(receipt.status).toBe(1)
    const used = receipt.gasUsed as bigint
    expect(estimate).toBeGreaterThanOrEqual(used)
    expect(Number(estimate - used) / Number(used)).toBeLessThan(0.1)
  })

  it('a newHeads WebSocket subscription announces the next block', async () => {
    const ws = new WebSocketProvider(node.wsUrl, CHAIN_ID, { staticNetwork: true })
    try {
      const heads: number[] = []
      const got = new Promise<void>((resolve) => {
        void ws.on('block', (n: number) => {
          heads.push(n)
          resolve()
        })
      })
      await new Promise((r) => setTimeout(r, 200)) // let the subscription be installed
      const sent = await dev.sendTransaction({ to: recipient, value: 1n })
      const receipt = await sent.wait()
      await got
      expect(heads).toContain(receipt!.blockNumber)
    } finally {
      await ws.destroy()
    }
  })

  it('native supply reported by the node equals the sum of all balances', async () => {
    const audit = (await provider.send('causeway_audit', [])) as { sumOfBalances: string; supply: { totalWei: string; unpeggedWei: string; peggedWei: string } }
    expect(BigInt(audit.sumOfBalances)).toBe(BigInt(audit.supply.totalWei))
    expect(BigInt(audit.supply.peggedWei)).toBe(0n) // nothing pegged in on a development chain
    expect(BigInt(audit.supply.unpeggedWei)).toBe(BigInt(audit.supply.totalWei))
  })
})

describe('operations', () => {
  it('/health and Prometheus /metrics report the chain', async () => {
    const health = (await (await fetch(new URL('/health', node.url))).json()) as { ok: boolean; chainId: number; head: number }
    expect(health.ok).toBe(true)
    expect(health.chainId).toBe(CHAIN_ID)
    expect(health.head).toBe(await provider.getBlockNumber())
    const metrics = await (await fetch(new URL('/metrics', node.url))).text()
    expect(metrics).toMatch(/^causeway_block_height \d+$/m)
    expect(metrics).toMatch(/^causeway_mempool_size \d+$/m)
    expect(metrics).toMatch(/^causeway_peers 0$/m)
    expect(metrics).toMatch(/^causeway_finality_lag_blocks 0$/m)
    expect(metrics).toMatch(/causeway_rpc_request_duration_seconds_bucket\{[^}]*method="eth_blockNumber"/)
  })

  it('eth_getProof returns an account proof that verifies against the block state root', async () => {
    const block = (await provider.send('eth_getBlockByNumber', ['latest', false])) as { number: string; stateRoot: string }
    const proof = (await provider.send('eth_getProof', [dev.address, [], block.number])) as { accountProof: string[]; balance: string; nonce: string }
    const value = await verifyMerkleProof(keccak_256(getBytes(dev.address)), proof.accountProof.map((h) => getBytes(h)), { useKeyHashing: false })
    expect(value).not.toBeNull()
    const account = createAccountFromRLP(value!)
    expect(account.balance).toBe(BigInt(proof.balance))
    expect(account.nonce).toBe(BigInt(proof.nonce))
    expect(keccak_256(getBytes(proof.accountProof[0]!))).toEqual(getBytes(block.stateRoot))
  })
})

describe('a Hardhat 2 project', () => {
  it('deploys and calls a contract through a configured network entry (url, chainId, accounts)', async () => {
    const result = await runHardhatProject({ url: node.url, chainId: CHAIN_ID, privateKey: DEV_KEY, timeoutMs: 90_000 })
    expect(result.value).toBe(2n)
    expect(await provider.getCode(result.address)).not.toBe('0x')
  }, 120_000)
})
