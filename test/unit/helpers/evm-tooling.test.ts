// The EVM test tooling against a real Hardhat 2 node: ethers v6 with the compiled OpenZeppelin TestToken, a Hardhat
// project run through a configured network entry, and JSON-RPC through the TCP proxy (cut and healed).
import { ContractFactory, JsonRpcProvider, Wallet, isError, type Contract } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHardhat, type HardhatNode } from '../../../regtest/evm/hardhat.js'
import { runHardhatProject } from '../../helpers/hardhat-project.js'
import { compileTestContracts } from '../../helpers/solc.js'
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js'

// Hardhat's default accounts #0 and #1 (funded by every Hardhat 2 node).
const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const KEY1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const SUPPLY = 1_000_000n * 10n ** 18n

let node: HardhatNode
let provider: JsonRpcProvider
let proxy: TcpProxy | undefined

beforeAll(async () => {
  node = await startHardhat()
  // cacheTimeout -1: ethers otherwise reuses an eth_getTransactionCount answer for 250 ms, and a transaction sent
  // right after the previous one was mined gets a stale nonce ("nonce has already been used").
  provider = new JsonRpcProvider(node.url, 31337, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 })
})

afterAll(async () => {
  provider?.destroy()
  await proxy?.close()
  await node?.stop()
})

describe('TestToken with ethers v6', () => {
  let token: Contract
  const deployer = (): Wallet => new Wallet(KEY1, provider)
  const recipient = Wallet.createRandom().address

  beforeAll(async () => {
    const { TestToken } = compileTestContracts()
    token = (await new ContractFactory(TestToken.abi, TestToken.bytecode, deployer()).deploy(SUPPLY)) as Contract
    await token.waitForDeployment()
  })

  it('transfers and shows the Transfer events through queryFilter', async () => {
    const receipt = await (await token.getFunction('transfer')(recipient, 1234n)).wait()
    expect(receipt?.status).toBe(1)
    expect(await token.getFunction('balanceOf')(recipient)).toBe(1234n)
    expect(await token.getFunction('balanceOf')(deployer().address)).toBe(SUPPLY - 1234n)
    const events = await token.queryFilter(token.filters['Transfer']!(), 0, 'latest')
    const args = events.map((e) => ('args' in e ? [...e.args] : []))
    expect(args).toEqual([
      ['0x0000000000000000000000000000000000000000', deployer().address, SUPPLY], // the mint in the constructor
      [deployer().address, recipient, 1234n],
    ])
  })

  it('decodes a revert reason and a custom error from eth_call', async () => {
    const reason = await token.getFunction('failWith').staticCall('boom').then(
      () => expect.fail('failWith did not revert'),
      (e: unknown) => e,
    )
    expect(isError(reason, 'CALL_EXCEPTION')).toBe(true)
    expect((reason as { reason: string }).reason).toBe('boom')

    const custom = await token.getFunction('failCustom').staticCall(7n).then(
      () => expect.fail('failCustom did not revert'),
      (e: unknown) => e,
    )
    expect(isError(custom, 'CALL_EXCEPTION')).toBe(true)
    expect((custom as { revert: { name: string; args: unknown[] } }).revert).toMatchObject({ name: 'Nope', args: [7n] })
  })

  it('estimates a transfer within 10% of the gas it uses', async () => {
    const to = Wallet.createRandom().address
    const estimate = await token.getFunction('transfer').estimateGas(to, 5n)
    const receipt = await (await token.getFunction('transfer')(to, 5n)).wait()
    const used = receipt!.gasUsed
    expect(estimate >= used).toBe(true)
    expect((estimate - used) * 10n <= used).toBe(true)
  })
})

describe('runHardhatProject', () => {
  it('deploys Counter and increments it twice through a configured network entry', async () => {
    const t0 = performance.now()
    const result = await runHardhatProject({ url: node.url, chainId: 31337, privateKey: KEY0 })
    console.log(`Hardhat project run: ${(performance.now() - t0).toFixed(0)} ms`)
    expect(result.value).toBe(2n)
    expect(await provider.getCode(result.address)).not.toBe('0x')
  })

  it('fails with a clear error when the chain id does not match', async () => {
    await expect(runHardhatProject({ url: node.url, chainId: 1, privateKey: KEY0 })).rejects.toThrow(
      /Hardhat project run failed[\s\S]*HH101: Hardhat was set to use chain id 1, but connected to a chain with id 31337/,
    )
  })
})

describe('TCP proxy in front of the Hardhat node', () => {
  const chainIdVia = async (port: number): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(5_000),
    })
    return ((await res.json()) as { result: string }).result
  }

  it('passes JSON-RPC, fails while cut, passes again after heal', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(node.url).port) })
    expect(await chainIdVia(proxy.port)).toBe('0x7a69')
    proxy.cut()
    await expect(chainIdVia(proxy.port)).rejects.toThrow()
    proxy.heal()
    expect(await chainIdVia(proxy.port)).toBe('0x7a69')
  })
})
