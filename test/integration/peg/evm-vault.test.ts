// The main chain's Vault (peg/evm/contracts/Vault.sol) on a real anvil node, deployed with regtest/evm/deploy.ts:
// deposits of ETH and of odd tokens with the Deposit log each leaves, every refusal PROTOCOL.md names (asserted by
// its custom error, with the vault's balances unchanged after the reverted transaction is mined), reentrancy, a
// withdrawal starved of gas, the gas goals, and one deposit + withdrawal on Hardhat 2.
import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  hashTypedData,
  hexToBigInt,
  keccak256,
  numberToHex,
  parseEther,
  parseAbiParameters,
  parseEventLogs,
  stringToHex,
  toEventSelector,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as VaultArtifact from '../../../peg/evm/contracts/Vault.artifact.js'
import { ANVIL_KEY_0, type AnvilNode, startAnvil } from '../../../regtest/evm/anvil.js'
import { type Address, DEPLOY_BAD_ARGUMENT, deployCode, deployDemoToken, deployVault, type EvmDeployer, evmDeployer } from '../../../regtest/evm/deploy.js'
import { startHardhat } from '../../../regtest/evm/hardhat.js'
import { measureVaultGas, signWithdrawal, vaultDomain, WITHDRAWAL_TYPES, type WithdrawalMessage } from '../../../regtest/evm/vault-gas.js'
import { compileEvmTestContracts } from '../../helpers/evm-solc.js'

const vaultAbi = VaultArtifact.abi as Abi
const tc = compileEvmTestContracts()
const allAbis = [vaultAbi, tc.ReentrantToken.abi as Abi, tc.NoReturnToken.abi as Abi].flat() as Abi
const ZERO = '0x0000000000000000000000000000000000000000' as const
const SIDE = 777n
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

let anvil: AnvilNode
let d: EvmDeployer
let me: Address
const keys3 = Array.from({ length: 3 }, () => generatePrivateKey())
const members3 = keys3.map((k) => privateKeyToAccount(k).address)

beforeAll(async () => {
  anvil = await startAnvil()
  d = await evmDeployer(anvil.url, ANVIL_KEY_0)
  me = d.account.address
}, 60_000)
afterAll(async () => {
  await anvil?.stop()
})

// ------------------------------------------------------------------------------------------------ helpers

/** The custom error (name and args) a revert carried, decoded against the Vault's and the test tokens' ABIs. */
function revertOf(e: unknown): { name: string; args: readonly unknown[] } {
  if (e instanceof BaseError) {
    const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
    if (reverted?.data !== undefined) return { name: reverted.data.errorName, args: reverted.data.args ?? [] }
    const withData = e.walk((x) => typeof (x as { data?: unknown }).data === 'string') as { data?: Hex } | null
    if (withData?.data !== undefined && withData.data.length >= 10) {
      const r = decodeErrorResult({ abi: allAbis, data: withData.data })
      return { name: r.errorName, args: r.args ?? [] }
    }
  }
  throw new Error(`not a decodable revert: ${String(e)}`)
}

async function expectRevert(p: Promise<unknown>, name: string, args?: readonly unknown[]): Promise<void> {
  let err: unknown
  try {
    await p
  } catch (e) {
    err = e
  }
  expect(err, `expected a revert with ${name}`).toBeDefined()
  const r = revertOf(err)
  expect(r.name).toBe(name)
  if (args !== undefined) expect(r.args).toEqual(args)
}

async function send(to: Address, data: Hex, value = 0n, gas?: bigint) {
  const hash = await d.wallet.sendTransaction({ to, data, value, ...(gas === undefined ? {} : { gas }) })
  return d.client.waitForTransactionReceipt({ hash })
}

/**
 * A refused call: its custom error from eth_call, then the same transaction sent with a fixed gas limit is mined,
 * reverts, and moves no ETH or `token` out of or into the vault.
 */
async function refused(vault: Address, data: Hex, name: string, opts: { value?: bigint; token?: Address; args?: readonly unknown[] } = {}) {
  await expectRevert(d.client.call({ account: d.account, to: vault, data, value: opts.value ?? 0n }), name, opts.args)
  const before = await balancesOf(vault, opts.token)
  const r = await send(vault, data, opts.value ?? 0n, 1_000_000n)
  expect(r.status).toBe('reverted')
  expect(await balancesOf(vault, opts.token)).toEqual(before)
}

async function balancesOf(who: Address, token?: Address): Promise<[bigint, bigint]> {
  const eth = await d.client.getBalance({ address: who })
  const tok = token === undefined ? 0n : await d.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [who] })
  return [eth, tok]
}

async function deploy(name: keyof typeof tc, args: readonly unknown[]): Promise<Address> {
  const c = tc[name]
  return (await deployCode(d, c.abi as Abi, c.bytecode, args, name)).address
}

async function newVault(keys: readonly Hex[], k: number): Promise<Address> {
  return (await deployVault(d, { members: keys.map((x) => privateKeyToAccount(x).address), threshold: k, sideChainId: SIDE })).address
}

const call = (functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi: vaultAbi, functionName, args })

async function depositToken(vault: Address, token: Address, amount: bigint) {
  await send(token, encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, amount] }))
  const r = await send(vault, call('depositToken', [token, amount, me]))
  expect(r.status).toBe('success')
  const [log] = parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Deposit' }) as any[]
  return log.args as { nonce: bigint; token: Address; sender: Address; recipient: Address; amount: bigint; name: string; symbol: string; decimals: number }
}

const read = (vault: Address, functionName: string, args: readonly unknown[] = []) => d.client.readContract({ address: vault, abi: vaultAbi, functionName, args }) as Promise<any>

function withdrawal(over: Partial<WithdrawalMessage> & { id: bigint }): WithdrawalMessage {
  return { sideChainId: SIDE, token: ZERO, recipient: me, amount: parseEther('0.5'), epoch: 1n, ...over }
}

const sign = (keys: readonly Hex[], vault: Address, w: WithdrawalMessage, chainId = d.chainId) =>
  Promise.all(keys.map((k) => signWithdrawal(k, chainId, vault, w)))

// ------------------------------------------------------------------------------------------------- tests

describe('Vault: construction', () => {
  const refusedDeploy = (members: readonly Address[], k: bigint, side: bigint, name: string) =>
    expectRevert(d.client.call({ account: d.account, data: encodeDeployData({ abi: vaultAbi, bytecode: VaultArtifact.bytecode, args: [members, k, side] }) }), name)

  it('starts at epoch 1 with its members, threshold and side chain', async () => {
    const vault = await newVault(keys3, 2)
    expect(await read(vault, 'members')).toEqual(members3)
    expect(await read(vault, 'threshold')).toBe(2n)
    expect(await read(vault, 'epoch')).toBe(1n)
    expect(await read(vault, 'sideChainId')).toBe(SIDE)
    expect(await read(vault, 'depositNonce')).toBe(0n)
    expect(await read(vault, 'isMember', [members3[1]])).toBe(true)
    expect(await read(vault, 'isMember', [me])).toBe(false)
    expect(await read(vault, 'used', [1n])).toBe(false)
  })

  it('hashes exactly PROTOCOL.md\'s EIP-712 domain and Withdrawal type', async () => {
    const vault = await newVault(keys3, 2)
    const typeString = 'Withdrawal(uint256 sideChainId,uint256 id,address token,address recipient,uint256 amount,uint256 epoch)'
    expect(await read(vault, 'WITHDRAWAL_TYPEHASH')).toBe(keccak256(stringToHex(typeString)))
    const w = withdrawal({ id: 5n, token: members3[0]!, amount: 123n })
    const digest = hashTypedData({ domain: vaultDomain(d.chainId, vault), types: WITHDRAWAL_TYPES, primaryType: 'Withdrawal', message: w })
    expect(await read(vault, 'withdrawalDigest', [w])).toBe(digest)
    const eip712Domain = keccak256(stringToHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'))
    const sep = keccak256(
      encodeAbiParameters(parseAbiParameters('bytes32, bytes32, bytes32, uint256, address'), [
        eip712Domain,
        keccak256(stringToHex('Causeway Vault')),
        keccak256(stringToHex('1')),
        BigInt(d.chainId),
        vault,
      ]),
    )
    expect(await read(vault, 'domainSeparator')).toBe(sep)
    // The events' topics are PROTOCOL.md's signatures.
    const topics = (VaultArtifact.abi as readonly any[]).filter((e) => e.type === 'event').map((e) => toEventSelector(e))
    expect(topics).toContain(toEventSelector('Deposit(uint256,address,address,address,uint256,string,string,uint8)'))
    expect(topics).toContain(toEventSelector('Withdrawn(uint256,address,address,uint256)'))
  })

  it('refuses a zero or too high threshold, duplicate or zero members, too many members, side chain 0', async () => {
    await refusedDeploy(members3, 0n, SIDE, 'BadThreshold')
    await refusedDeploy(members3, 4n, SIDE, 'BadThreshold')
    await refusedDeploy([members3[0]!, members3[0]!], 1n, SIDE, 'DuplicateMember')
    await refusedDeploy([members3[0]!, ZERO], 1n, SIDE, 'ZeroMember')
    await refusedDeploy([], 1n, SIDE, 'NoMembers')
    await refusedDeploy(members3, 2n, 0n, 'ZeroSideChainId')
    const many = Array.from({ length: 65 }, () => privateKeyToAccount(generatePrivateKey()).address)
    await refusedDeploy(many, 2n, SIDE, 'TooManyMembers')
    await expect(deployVault(d, { members: members3, threshold: 0, sideChainId: SIDE })).rejects.toMatchObject({ code: DEPLOY_BAD_ARGUMENT })
  })
})

describe('Vault: deposits', () => {
  let vault: Address
  beforeAll(async () => {
    vault = await newVault(keys3, 2)
  })

  it('ETH: a Deposit of "Ether"/"ETH"/18 with nonces from 1', async () => {
    for (const [i, value] of [parseEther('1'), 7n].entries()) {
      const r = await send(vault, call('depositEth', [members3[0]]), value)
      const [log] = parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Deposit' }) as any[]
      expect(log.address.toLowerCase()).toBe(vault.toLowerCase())
      expect(log.args).toEqual({ nonce: BigInt(i + 1), token: ZERO, sender: me, recipient: members3[0], amount: value, name: 'Ether', symbol: 'ETH', decimals: 18 })
    }
    expect(await d.client.getBalance({ address: vault })).toBe(parseEther('1') + 7n)
    expect(await read(vault, 'depositNonce')).toBe(2n)
  })

  it('a 6-decimal OpenZeppelin token', async () => {
    const token = await deploy('TestERC20', ['Test USD', 'TUSD', 6, 10n ** 12n])
    const log = await depositToken(vault, token, 1_234_567n)
    expect(log).toMatchObject({ token, sender: me, recipient: me, amount: 1_234_567n, name: 'Test USD', symbol: 'TUSD', decimals: 6 })
    expect((await balancesOf(vault, token))[1]).toBe(1_234_567n)
  })

  it('a fee-on-transfer token is credited what arrived (99%)', async () => {
    const token = await deploy('FeeOnTransferToken', [10n ** 12n])
    const log = await depositToken(vault, token, 1_000_000n)
    expect(log).toMatchObject({ amount: 990_000n, name: 'Fee Token', symbol: 'FEE', decimals: 18 })
    expect((await balancesOf(vault, token))[1]).toBe(990_000n)
  })

  it('a USDT-like token whose transfers return nothing', async () => {
    const token = await deploy('NoReturnToken', [10n ** 12n])
    await send(token, encodeFunctionData({ abi: tc.NoReturnToken.abi as Abi, functionName: 'approve', args: [vault, 5_000n] }))
    const r = await send(vault, call('depositToken', [token, 5_000n, me]))
    expect(r.status).toBe('success')
    const [log] = parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Deposit' }) as any[]
    expect(log.args).toMatchObject({ amount: 5_000n, name: 'No Return USD', symbol: 'NRUSD', decimals: 6 })
  })

  it('metadata: bytes32 answers, none at all, 0 and 24 decimals, oversized answers', async () => {
    const b32 = await deploy('Bytes32MetadataToken', [stringToHex('Maker', { size: 32 }), stringToHex('MKR', { size: 32 }), 10n ** 20n])
    expect(await depositToken(vault, b32, 10n)).toMatchObject({ name: 'Maker', symbol: 'MKR', decimals: 18 })
    const none = await deploy('NoMetadataToken', [10n ** 20n])
    expect(await depositToken(vault, none, 10n)).toMatchObject({ name: '', symbol: '', decimals: 18 })
    const zero = await deploy('TestERC20', ['Zero', 'Z0', 0, 1000n])
    expect(await depositToken(vault, zero, 3n)).toMatchObject({ amount: 3n, name: 'Zero', symbol: 'Z0', decimals: 0 })
    const big = await deploy('TestERC20', ['Yocto', 'Y24', 24, 10n ** 30n])
    expect(await depositToken(vault, big, 10n ** 25n)).toMatchObject({ amount: 10n ** 25n, decimals: 24 })
    const huge = await deploy('HugeMetadataToken', [10n ** 20n])
    const log = await depositToken(vault, huge, 10n)
    expect(log.name).toBe('0123456789'.repeat(10).slice(0, 64))
    expect(log).toMatchObject({ symbol: 'BIG', decimals: 18 })
  })

  it('LookAlikeVault emits the identical Deposit log (same topic and data layout) and keeps nothing', async () => {
    const fake = await deploy('LookAlikeVault', [])
    const r = await send(fake, call('depositEth', [members3[0]]), 12345n)
    const [log] = parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Deposit' }) as any[]
    expect(log.address.toLowerCase()).toBe(fake.toLowerCase())
    expect(log.args).toEqual({ nonce: 1n, token: ZERO, sender: me, recipient: members3[0], amount: 12345n, name: 'Ether', symbol: 'ETH', decimals: 18 })
    expect(await d.client.getBalance({ address: fake })).toBe(0n)
  })

  it('refuses 0, a zero recipient, token address(0) and an EOA token, moving nothing', async () => {
    const token = await deploy('TestERC20', ['Test USD', 'TUSD', 6, 10n ** 12n])
    await send(token, encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, 10n ** 12n] }))
    await refused(vault, call('depositEth', [me]), 'ZeroAmount')
    await refused(vault, call('depositEth', [ZERO]), 'ZeroRecipient', { value: 1n })
    await refused(vault, call('depositToken', [token, 0n, me]), 'ZeroAmount', { token })
    await refused(vault, call('depositToken', [token, 10n, ZERO]), 'ZeroRecipient', { token })
    await refused(vault, call('depositToken', [ZERO, 10n, me]), 'ZeroToken', { token })
    const eoa = privateKeyToAccount(generatePrivateKey()).address
    await refused(vault, call('depositToken', [eoa, 10n, me]), 'NotAContract', { token, args: [eoa] })
    // Plain ETH is not a deposit: no receive().
    const r = await send(vault, '0x', 1n, 100_000n)
    expect(r.status).toBe('reverted')
  })
})

describe('Vault: withdrawals', () => {
  let vault: Address
  let token: Address
  beforeAll(async () => {
    vault = await newVault(keys3, 2)
    await send(vault, call('depositEth', [me]), parseEther('10'))
    token = await deploy('TestERC20', ['Test USD', 'TUSD', 6, 10n ** 12n])
    await depositToken(vault, token, 10n ** 9n)
  })

  it('pays 2-of-3 ETH and tokens, marks the id used, emits Withdrawn; refuses the id again', async () => {
    const recipient = privateKeyToAccount(generatePrivateKey()).address
    const w = withdrawal({ id: 1n, recipient })
    expect(await read(vault, 'withdrawalDigest', [w])).toBeTypeOf('string')
    const r = await send(vault, call('withdraw', [w, await sign([keys3[2]!, keys3[0]!], vault, w)]))
    expect(r.status).toBe('success')
    const [log] = parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Withdrawn' }) as any[]
    expect(log.args).toEqual({ id: 1n, token: ZERO, recipient, amount: w.amount })
    expect(await d.client.getBalance({ address: recipient })).toBe(w.amount)
    expect(await read(vault, 'used', [1n])).toBe(true)
    await refused(vault, call('withdraw', [w, await sign(keys3.slice(0, 2), vault, w)]), 'AlreadyWithdrawn', { args: [1n] })

    const wt = withdrawal({ id: 2n, token, recipient, amount: 5_000_000n })
    const rt = await send(vault, call('withdraw', [wt, await sign(keys3, vault, wt)])) // all 3 is fine too
    expect(rt.status).toBe('success')
    expect((await balancesOf(recipient, token))[1]).toBe(5_000_000n)
  })

  it('refuses a duplicate signer, high s, malformed signatures, a non-member, k−1 signatures', async () => {
    const w = withdrawal({ id: 10n })
    const [s0, s1] = await sign(keys3.slice(0, 2), vault, w)
    const withdraw = (sigs: readonly Hex[]) => call('withdraw', [w, sigs])
    await refused(vault, withdraw([s0!, s0!]), 'DuplicateSigner', { args: [1n, members3[0]] })
    // s' = n − s with v flipped recovers the same signer: refused as malleable.
    const r = s0!.slice(0, 66)
    const s = hexToBigInt(`0x${s0!.slice(66, 130)}`)
    const v = Number.parseInt(s0!.slice(130, 132), 16)
    const high = `${r}${numberToHex(SECP256K1_N - s, { size: 32 }).slice(2)}${(v === 27 ? 28 : 27).toString(16)}` as Hex
    await refused(vault, withdraw([high, s1!]), 'SignatureHighS', { args: [0n] })
    await refused(vault, withdraw([s0!.slice(0, 130) as Hex, s1!]), 'SignatureLength', { args: [0n, 64n] })
    await refused(vault, withdraw([`${s0!.slice(0, 130)}00` as Hex, s1!]), 'SignatureInvalid', { args: [0n] })
    const stranger = generatePrivateKey()
    const [bad] = await sign([stranger], vault, w)
    await refused(vault, withdraw([s0!, bad!]), 'NotMember', { args: [1n, privateKeyToAccount(stranger).address] })
    await refused(vault, withdraw([s0!]), 'NotEnoughSignatures', { args: [1n, 2n] })
    expect(await read(vault, 'used', [10n])).toBe(false)
    expect((await send(vault, withdraw([s1!, s0!]))).status).toBe('success') // and the good pair pays
  })

  it('refuses signatures for another main chain or another vault, a wrong side chain id or epoch', async () => {
    const w = withdrawal({ id: 11n })
    const other = await newVault(keys3, 2)
    await refused(vault, call('withdraw', [w, await sign(keys3.slice(0, 2), vault, w, d.chainId + 1)]), 'NotMember')
    await refused(vault, call('withdraw', [w, await sign(keys3.slice(0, 2), other, w)]), 'NotMember')
    const side = withdrawal({ id: 11n, sideChainId: SIDE + 1n })
    await refused(vault, call('withdraw', [side, await sign(keys3.slice(0, 2), vault, side)]), 'WrongSideChain', { args: [SIDE, SIDE + 1n] })
    const ep = withdrawal({ id: 11n, epoch: 2n })
    await refused(vault, call('withdraw', [ep, await sign(keys3.slice(0, 2), vault, ep)]), 'WrongEpoch', { args: [1n, 2n] })
    expect(await read(vault, 'used', [11n])).toBe(false)
  })

  it('a reentrant token cannot withdraw twice: the inner call is refused, its id stays unused', async () => {
    const ree = await deploy('ReentrantToken', [10n ** 20n])
    await depositToken(vault, ree, 10n ** 18n)
    const w1 = withdrawal({ id: 20n, token: ree, amount: 10n ** 17n })
    const w2 = withdrawal({ id: 21n, token: ree, amount: 10n ** 17n })
    const reeAbi = tc.ReentrantToken.abi as Abi
    for (const [outer, inner] of [[w1, w1], [w2, { ...w2, id: 22n }]] as const) {
      const innerCall = call('withdraw', [inner, await sign(keys3.slice(0, 2), vault, inner)])
      await send(ree, encodeFunctionData({ abi: reeAbi, functionName: 'arm', args: [vault, innerCall] }))
      const r = await send(vault, call('withdraw', [outer, await sign(keys3.slice(0, 2), vault, outer)]))
      expect(r.status).toBe('success')
      expect(parseEventLogs({ abi: vaultAbi, logs: r.logs, eventName: 'Withdrawn' })).toHaveLength(1)
      expect(await d.client.readContract({ address: ree, abi: reeAbi, functionName: 'reentered' })).toBe(true)
      expect(await d.client.readContract({ address: ree, abi: reeAbi, functionName: 'reentryOk' })).toBe(false)
      const data = (await d.client.readContract({ address: ree, abi: reeAbi, functionName: 'reentryError' })) as Hex
      expect(decodeErrorResult({ abi: allAbis, data }).errorName).toBe('ReentrancyGuardReentrantCall')
    }
    expect((await balancesOf(me, ree))[1]).toBe(10n ** 20n - 10n ** 18n + 2n * 10n ** 17n)
    expect(await read(vault, 'used', [22n])).toBe(false)
  })

  it('too little gas for the ETH transfer reverts everything: the id stays unused and pays later', async () => {
    const hungry = await deploy('GasHungryRecipient', [8n])
    const w = withdrawal({ id: 30n, recipient: hungry })
    const data = call('withdraw', [w, await sign(keys3.slice(0, 2), vault, w)])
    const estimate = await d.client.estimateGas({ account: d.account, to: vault, data })
    expect(estimate).toBeGreaterThan(150_000n)
    // Enough for the vault's own checks, not for the recipient's receive().
    await expectRevert(d.client.call({ account: d.account, to: vault, data, gas: 120_000n }), 'EthTransferFailed', [hungry, w.amount])
    const before = await balancesOf(vault)
    const r = await send(vault, data, 0n, 120_000n)
    expect(r.status).toBe('reverted')
    expect(r.gasUsed).toBeLessThan(120_000n) // reverted by the vault, not out of gas at the top
    expect(await balancesOf(vault)).toEqual(before)
    expect(await read(vault, 'used', [30n])).toBe(false)
    const ok = await send(vault, data, 0n, estimate)
    expect(ok.status).toBe('success')
    expect(await d.client.getBalance({ address: hungry })).toBe(w.amount)
    expect(await read(vault, 'used', [30n])).toBe(true)
  })
})

describe('Vault: gas', () => {
  it('meets the goals on anvil (real transactions)', async () => {
    const g = await measureVaultGas(anvil.url, ANVIL_KEY_0)
    console.log(JSON.stringify({ vaultGas: Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Number(v)])) }))
    expect(g.ethDepositGas).toBeLessThanOrEqual(60_000n)
    expect(g.tokenDepositGas).toBeLessThanOrEqual(90_000n)
    expect(g.withdraw2of3Gas).toBeLessThanOrEqual(100_000n)
    expect(g.perExtraSignatureGas).toBeLessThanOrEqual(8_000n)
  }, 60_000)
})

describe('Vault on Hardhat 2', () => {
  it('deploys; an ETH deposit and a 2-of-3 withdrawal work', async () => {
    const hh = await startHardhat()
    try {
      const h = await evmDeployer(hh.url, ANVIL_KEY_0) // Hardhat's account 0 is anvil's
      const vault = (await deployVault(h, { members: members3, threshold: 2, sideChainId: SIDE })).address
      const dep = await h.client.waitForTransactionReceipt({ hash: await h.wallet.sendTransaction({ to: vault, data: call('depositEth', [me]), value: parseEther('1') }) })
      expect(dep.status).toBe('success')
      const recipient = privateKeyToAccount(generatePrivateKey()).address
      const w = withdrawal({ id: 1n, recipient })
      const sigs = await sign(keys3.slice(1), vault, w, h.chainId)
      const r = await h.client.waitForTransactionReceipt({ hash: await h.wallet.sendTransaction({ to: vault, data: call('withdraw', [w, sigs]) }) })
      expect(r.status).toBe('success')
      expect(await h.client.getBalance({ address: recipient })).toBe(w.amount)
      const token = await deployDemoToken(h, { supply: 10n ** 12n })
      expect(token.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    } finally {
      await hh.stop()
    }
  }, 90_000)
})
