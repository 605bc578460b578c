// The EVM peg end to end with real processes (issue 15's acceptance): anvil (1 s blocks) with the Vault, three
// validators (2 of 3) whose bridge serves it, three signer daemons with their EVM duty. ETH, a 6-decimal token and a
// fee-on-transfer token in; a main-chain reorg; withdrawals with a signer stopped, refused by a signer whose view
// differs, and across a SIGKILL; replays and look-alikes refused; a round trip back to zero reserves.
import { Contract, Wallet, parseUnits } from 'ethers'
import { encodeFunctionData, parseEther, type Abi, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync, readFileSync } from 'node:fs'
import * as Vault from '../../../peg/evm/contracts/Vault.artifact.js'
import { deployCode } from '../../../regtest/evm/deploy.js'
import { ANVIL_MNEMONIC } from '../../../regtest/evm/anvil.js'
import { depositProofsAt, fetchCheckedBlockOfTx, proveEvmDeposit } from '../../../client/evm.js'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { compileEvmTestContracts } from '../../helpers/evm-solc.js'
import { EvmPegDriver, ZERO } from '../../helpers/evm-peg-driver.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'

const ETH = 10n ** 18n
const USD = 10n ** 6n
const UNLIMITED = { maxPerWithdrawal: 'unlimited', maxPer24h: 'unlimited' }

describe('EVM peg with anvil, 3 validators and 3 signers', () => {
  let w: PegWorld
  let d: EvmPegDriver
  let usd: Hex
  let fee: Hex
  const user = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 5 })
  const other = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 6 })
  let bridgeAs: Contract
  // The wrapped token has no code before its first deposit is registered.
  const waitMinted = (token: string, holder: string, amount: bigint, what: string) =>
    w.waitFor(what, async () => (await w.provider.getCode(token)) !== '0x' && ((await d.wrapped(token).balanceOf!(holder)) as bigint) === amount, 90_000)
  const waitPaid = (address: Hex, token: Hex, amount: bigint, what: string) => w.waitFor(what, async () => (await d.mainBalance(address, token)) === amount, 120_000)
  const waitClosed = (id: bigint) => w.waitFor(`withdrawal ${id} paid on the bridge`, async () => (await d.withdrawalStatus(id)) === 3, 120_000)

  beforeAll(async () => {
    const c = compileEvmTestContracts()
    w = await startPegWorld({
      evm: {
        chain: 'anvil',
        beforeSigners: async (evm) => {
          // The test tokens exist before the signers start, so their policy can name them.
          usd = (await deployCode(evm.deployer, c.TestERC20.abi as Abi, c.TestERC20.bytecode, ['Test USD', 'TUSD', 6, 10n ** 9n * USD], 'TestERC20')).address
          fee = (await deployCode(evm.deployer, c.FeeOnTransferToken.abi as Abi, c.FeeOnTransferToken.bytecode, [10n ** 24n], 'FeeOnTransferToken')).address
          return { [usd.toLowerCase()]: UNLIMITED, [fee.toLowerCase()]: UNLIMITED }
        },
      },
    })
    d = new EvmPegDriver(w)
    bridgeAs = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, w.funded)
    // The user's test tokens.
    const erc20 = [{ type: 'function', name: 'transfer', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'v', type: 'uint256' }], outputs: [{ type: 'bool' }] }] as const
    const deployer = w.evm!.deployer.account
    await d.send(deployer, usd, encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [user.address, 10_000n * USD] }))
    await d.send(deployer, fee, encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [user.address, 10_000n * ETH] }))
  }, 300_000)

  afterAll(async () => {
    await w?.close()
  })

  it('the bridge serves the vault from genesis and every signer runs its EVM duty', async () => {
    const [chainIds, vaults, epoch] = (await w.bridge.getEvmChains!()) as [bigint[], string[], bigint]
    expect(chainIds).toEqual([31337n])
    expect(vaults.map((v) => v.toLowerCase())).toEqual([w.evm!.vault.toLowerCase()])
    expect(epoch).toBe(1n)
    const [pubkeys] = (await w.bridge.getFederation!()) as [string[]]
    expect(pubkeys).toHaveLength(3)
    for (const s of w.signers) {
      const h = await w.waitFor(`signer ${s.index}'s EVM duty`, async () => {
        const j = (await (await fetch(s.healthUrl())).json()) as { duties?: Record<string, { details?: Record<string, unknown> }> }
        return JSON.stringify(j).includes('"mainChainId":"31337"') ? j : undefined
      })
      expect(h).toBeDefined()
    }
  })

  it('1.5 ETH in: nothing minted before k members attest its header, then exactly 1.5 cwETH once', async () => {
    // Mining paused so the deposit's block stays 1 deep (the signers attest at 2) while the test looks.
    const node = w.evm!.node
    await node.rpc('evm_setIntervalMining', [0])
    const pending = d.depositEth(user, w.funded.address, 15n * ETH / 10n)
    await w.waitFor('the deposit in the pool', async () => ((await node.rpc('txpool_status', [])) as { pending: string }).pending !== '0x0')
    await node.rpc('evm_mine', [])
    const r = await pending
    expect(r.status).toBe('success')
    await new Promise((res) => setTimeout(res, 4_000))
    const early = (await w.bridge.getEvmHeader!(31337n, r.blockHash)) as { accepted: boolean; attestations: bigint }
    expect(early.attestations).toBe(0n)
    expect(((await w.bridge.getWrappedToken!(31337n, ZERO)) as [string, boolean])[1]).toBe(false)
    await node.rpc('evm_setIntervalMining', [1])
    const cw = await d.wrappedOf(ZERO)
    await w.waitFor('the deposit header accepted', async () => ((await w.bridge.getEvmHeader!(31337n, r.blockHash)) as { accepted: boolean }).accepted, 90_000)
    const v = (await w.bridge.getEvmHeader!(31337n, r.blockHash)) as { attestations: bigint; attesters: bigint }
    expect(v.attestations).toBeGreaterThanOrEqual(2n)
    await waitMinted(cw, w.funded.address, 15n * ETH / 10n, '1.5 cwETH minted')
    const t = d.wrapped(cw)
    expect(await t.name!()).toBe('Causeway Ether')
    expect(await t.symbol!()).toBe('cwETH')
    expect(await t.decimals!()).toBe(18n)
    expect(await d.checkReserves(ZERO)).toEqual({ locked: 15n * ETH / 10n, supply: 15n * ETH / 10n, pending: 0n })
    // The mint came in a side-chain block no earlier than the header's acceptance, and once.
    const accepted = await w.bridge.queryFilter!(w.bridge.filters!.EvmHeaderAccepted!(31337n, r.blockHash))
    const minted = await w.bridge.queryFilter!(w.bridge.filters!.EvmDepositMinted!())
    expect(minted).toHaveLength(1)
    expect(minted[0]!.blockNumber).toBeGreaterThanOrEqual(accepted[0]!.blockNumber)
  }, 120_000)

  it('a 6-decimal token and a 1% fee-on-transfer token are minted at what the vault received, in their decimals', async () => {
    await d.depositToken(user, usd, w.funded.address, 2_500n * USD + 1n)
    await d.depositToken(user, fee, w.funded.address, 1_000n * ETH)
    const cwUsd = await d.wrappedOf(usd)
    const cwFee = await d.wrappedOf(fee)
    await waitMinted(cwUsd, w.funded.address, 2_500n * USD + 1n, 'cwTUSD minted')
    await waitMinted(cwFee, w.funded.address, 990n * ETH, 'cwFEE minted (99% arrived)')
    expect(await d.wrapped(cwUsd).decimals!()).toBe(6n)
    expect(await d.wrapped(cwUsd).name!()).toBe('Causeway Test USD')
    expect(await d.wrapped(cwUsd).symbol!()).toBe('cwTUSD')
    expect(await d.wrapped(cwFee).decimals!()).toBe(18n)
    expect(await d.mainBalance(w.evm!.vault, fee)).toBe(990n * ETH)
    expect((await d.checkReserves(usd)).supply).toBe(2_500n * USD + 1n)
    expect((await d.checkReserves(fee)).supply).toBe(990n * ETH)
  }, 120_000)

  it('the same deposit registered again by a user is refused with a code; nothing minted twice', async () => {
    const cw = await d.wrappedOf(ZERO)
    const supply = (await d.reserves(cw)).supply
    // The 1.5 ETH deposit: the first Deposit log of the vault (nonce 1).
    const logs = await w.evm!.deployer.client.getLogs({ address: w.evm!.vault, fromBlock: 0n })
    const [p] = await proveEvmDeposit(w.evm!.deployer.client as never, logs[0]!.transactionHash!, { mainChainId: 31337n, vault: hexToBytes(w.evm!.vault, 'vault', 20) })
    expect(await w.bridge.isEvmDepositRegistered!(toHex(p!.depositId))).toBe(true)
    await expect(bridgeAs.registerEvmDeposit!.staticCall(...p!.args)).rejects.toMatchObject({ revert: { name: 'BridgeError', args: ['BRIDGE_EVM_DEPOSIT_REPLAYED', expect.any(String)] } })
    expect((await d.reserves(cw)).supply).toBe(supply)
  })

  it('a Deposit log of a look-alike vault and a reverted transaction, in an accepted block, are refused', async () => {
    const c = compileEvmTestContracts()
    const look = (await deployCode(w.evm!.deployer, c.LookAlikeVault.abi as Abi, c.LookAlikeVault.bytecode, [], 'LookAlikeVault')).address
    const cw = await d.wrappedOf(ZERO)
    const supply = (await d.reserves(cw)).supply
    // One block holding a real deposit (so the signers attest it), the look-alike's and a reverted deposit.
    const node = w.evm!.node
    await node.rpc('evm_setIntervalMining', [0])
    const wallet = (await import('viem')).createWalletClient({ account: user, chain: w.evm!.deployer.wallet.chain, transport: (await import('viem')).http(w.evm!.rpc) })
    const h1 = await wallet.sendTransaction({ to: w.evm!.vault, data: encodeFunctionData({ abi: Vault.abi as Abi, functionName: 'depositEth', args: [w.funded.address as Hex] }), value: ETH / 10n })
    const h2 = await wallet.sendTransaction({ to: look, data: encodeFunctionData({ abi: c.LookAlikeVault.abi as Abi, functionName: 'depositEth', args: [w.funded.address as Hex] }), value: ETH })
    const h3 = await wallet.sendTransaction({ to: w.evm!.vault, data: encodeFunctionData({ abi: Vault.abi as Abi, functionName: 'depositEth', args: [ZERO] }), value: ETH, gas: 200_000n })
    await node.rpc('evm_mine', [])
    await node.rpc('evm_setIntervalMining', [1])
    const client = w.evm!.deployer.client
    const [r1, r2, r3] = await Promise.all([h1, h2, h3].map((hash) => client.waitForTransactionReceipt({ hash })))
    expect(r1!.blockHash).toBe(r2!.blockHash)
    expect(r3!.blockHash).toBe(r1!.blockHash)
    expect(r3!.status).toBe('reverted')
    await waitMinted(cw, w.funded.address, supply + ETH / 10n, 'the real deposit of the block minted')
    const target = { mainChainId: 31337n, vault: hexToBytes(look, 'look', 20) }
    const checked = await fetchCheckedBlockOfTx(client as never, h2)
    const [fake] = await depositProofsAt(checked, checked.txIndex, target)
    await expect(bridgeAs.registerEvmDeposit!.staticCall(...fake!.args)).rejects.toMatchObject({ revert: { name: 'BridgeError', args: ['EVM_PEG_NOT_DEPOSIT', expect.stringContaining('not the vault')] } })
    // The reverted transaction's receipt, proven at log 0 (a reverted receipt has no logs: the status is what refuses).
    const real = await depositProofsAt(checked, Number(r1!.transactionIndex), { mainChainId: 31337n, vault: hexToBytes(w.evm!.vault, 'vault', 20) })
    const rev = await fetchCheckedBlockOfTx(client as never, h3)
    const revArgs = [...real[0]!.args] as unknown[]
    revArgs[2] = BigInt(rev.txIndex)
    const { createReceiptProof } = await import('../../../spv/evm/index.js')
    revArgs[3] = (await createReceiptProof(rev.receipts, rev.txIndex)).map((n) => toHex(n))
    await expect(bridgeAs.registerEvmDeposit!.staticCall(...revArgs)).rejects.toMatchObject({ revert: { args: ['BRIDGE_EVM_RECEIPT_FAILED', expect.any(String)] } })
    expect((await d.reserves(cw)).supply).toBe(supply + ETH / 10n)
    await d.checkReserves(ZERO)
  }, 120_000)

  it('a deposit removed by a main-chain reorg before the signers\' depth is never minted; mined again, it is minted once', async () => {
    const cw = await d.wrappedOf(ZERO)
    const before = (await d.reserves(cw)).supply
    const node = w.evm!.node
    const client = w.evm!.deployer.client
    await node.rpc('evm_setIntervalMining', [0])
    const snap = await node.rpc('evm_snapshot', [])
    const data = encodeFunctionData({ abi: Vault.abi as Abi, functionName: 'depositEth', args: [w.funded.address as Hex] })
    const wallet = (await import('viem')).createWalletClient({ account: other, chain: w.evm!.deployer.wallet.chain, transport: (await import('viem')).http(w.evm!.rpc) })
    const req = await wallet.prepareTransactionRequest({ to: w.evm!.vault, data, value: ETH / 4n })
    const raw = await wallet.signTransaction(req as never)
    const hash = await client.sendRawTransaction({ serializedTransaction: raw })
    await node.rpc('evm_mine', [])
    const r = await client.waitForTransactionReceipt({ hash })
    // One deep only (the signers attest at 2): now taken away, and the chain grows past it without the deposit.
    expect(await node.rpc('evm_revert', [snap])).toBe(true)
    await node.rpc('anvil_dropAllTransactions', []).catch(() => undefined)
    await node.rpc('anvil_mine', ['0x4'])
    const again = await client.getBlock({ blockNumber: r.blockNumber })
    expect(again.hash).not.toBe(r.blockHash)
    await node.rpc('evm_setIntervalMining', [1])
    await new Promise((res) => setTimeout(res, 8_000))
    expect((await d.reserves(cw)).supply).toBe(before)
    expect(((await w.bridge.getEvmHeader!(31337n, r.blockHash)) as { attestations: bigint }).attestations).toBe(0n)
    // The very same signed transaction mined again: minted once (its nonce is the vault's next one again).
    const hash2 = await client.sendRawTransaction({ serializedTransaction: raw })
    expect(hash2).toBe(hash)
    const r2 = await client.waitForTransactionReceipt({ hash })
    expect(r2.blockHash).not.toBe(r.blockHash)
    await waitMinted(cw, w.funded.address, before + ETH / 4n, 'the re-mined deposit minted')
    await new Promise((res) => setTimeout(res, 4_000))
    expect((await d.reserves(cw)).supply).toBe(before + ETH / 4n)
    await d.checkReserves(ZERO)
  }, 120_000)

  it('withdrawals of 1.0 cwETH and of the 6-decimal token with one signer stopped: paid exactly, reserves balanced', async () => {
    await w.signers[2]!.stop()
    try {
      const cw = await d.wrappedOf(ZERO)
      const cwUsd = await d.wrappedOf(usd)
      const to1 = Wallet.createRandom().address as Hex
      const to2 = Wallet.createRandom().address as Hex
      const ethBefore = await d.checkReserves(ZERO)
      const usdBefore = await d.checkReserves(usd)
      const id1 = await d.pegOut(w.funded, cw, ETH, to1)
      const id2 = await d.pegOut(w.funded, cwUsd, 1_000n * USD, to2)
      const ethMid = await d.checkReserves(ZERO)
      expect(ethMid).toEqual({ locked: ethBefore.locked, supply: ethBefore.supply - ETH, pending: ETH })
      expect((await d.checkReserves(usd)).pending).toBe(1_000n * USD)
      await waitPaid(to1, ZERO, ETH, '1 ETH paid by the vault')
      await waitPaid(to2, usd, 1_000n * USD, '1000 TUSD paid by the vault')
      await d.checkReserves(ZERO)
      await Promise.all([waitClosed(id1), waitClosed(id2)])
      const v = (await w.bridge.getEvmWithdrawal!(id1)) as { signers: bigint; signatureCount: bigint }
      expect(v.signers & 4n).toBe(0n)
      expect(await d.checkReserves(ZERO)).toEqual({ locked: ethBefore.locked - ETH, supply: ethBefore.supply - ETH, pending: 0n })
      expect(await d.checkReserves(usd)).toEqual({ locked: usdBefore.locked - 1_000n * USD, supply: usdBefore.supply - 1_000n * USD, pending: 0n })
    } finally {
      await w.signers[2]!.start()
    }
  }, 240_000)

  it('a signer shown a withdrawal its node does not rebuild refuses with a code; one SIGKILLed after signing signs no other', async () => {
    const s2 = w.signers[2]!
    const s0 = w.signers[0]!
    // Signer 2 serves "another vault": the digest it rebuilds is not the bridge's.
    const original = readFileSync(s2.configFile, 'utf8')
    const cfg = JSON.parse(original)
    cfg.evm.vault = '0x' + '11'.repeat(20)
    await s2.stop()
    writeFileSync(s2.configFile, JSON.stringify(cfg))
    await s2.start()
    try {
      const cw = await d.wrappedOf(ZERO)
      const to = Wallet.createRandom().address as Hex
      const amount = ETH / 10n
      const mark = s0.output().length
      const id = await d.pegOut(w.funded, cw, amount, to)
      // Signer 0 killed the moment it logs its signature, then restarted.
      await w.waitFor('signer 0 signs', async () => s0.output().slice(mark).includes('"signed an EVM withdrawal"'), 90_000)
      await s0.kill('SIGKILL')
      await s0.start()
      await waitPaid(to, ZERO, amount, '0.1 ETH paid')
      await waitClosed(id)
      await w.waitFor('signer 2 refuses with a code', async () => s2.output().includes('SIGNER_EVM_DIGEST_MISMATCH'), 60_000)
      const signedLines = s0.output().split('\n').filter((l) => l.includes('"signed an EVM withdrawal"') && l.includes(`"id":"${id}"`))
      expect(signedLines).toHaveLength(1)
      const v = (await w.bridge.getEvmWithdrawal!(id)) as { signers: bigint; digest: string }
      expect(v.signers & 1n).toBe(1n)
      expect(v.signers & 4n).toBe(0n)
      const sigs = (await w.bridge.getEvmWithdrawalSignatures!(id)) as string[]
      const { SigningKey } = await import('ethers')
      const signers = sigs.map((s) => SigningKey.recoverPublicKey(v.digest, s))
      expect(new Set(signers).size).toBe(sigs.length)
    } finally {
      await s2.stop()
      writeFileSync(s2.configFile, original)
      await s2.start()
    }
  }, 240_000)

  it('round trip of ETH and a token: out = in exactly, less the main-chain gas the user paid; then reserves back to zero', async () => {
    const u = Wallet.createRandom().connect(w.provider)
    await (await w.funded.sendTransaction({ to: u.address, value: parseUnits('0.01', 18) }))!.wait()
    const ethStart = await d.mainBalance(user.address)
    const usdStart = await d.mainBalance(user.address, usd)
    const r1 = await d.depositEth(user, u.address, ETH / 2n)
    const [ra, rd] = await d.depositToken(user, usd, u.address, 123n * USD)
    const gas = [r1, ra!, rd!].reduce((s, r) => s + r.gasUsed * r.effectiveGasPrice, 0n)
    const cw = await d.wrappedOf(ZERO)
    const cwUsd = await d.wrappedOf(usd)
    await waitMinted(cw, u.address, ETH / 2n, 'round-trip ETH minted')
    await waitMinted(cwUsd, u.address, 123n * USD, 'round-trip token minted')
    const ids = [await d.pegOut(u, cw, ETH / 2n, user.address), await d.pegOut(u, cwUsd, 123n * USD, user.address)]
    await w.waitFor('round trip paid', async () => (await d.mainBalance(user.address, usd)) === usdStart && (await d.mainBalance(user.address)) === ethStart - gas, 120_000)
    await Promise.all(ids.map(waitClosed))
    // Everything the funded account holds goes back too: supply and reserves to zero.
    const sink = Wallet.createRandom().address as Hex
    const back: bigint[] = []
    for (const main of [ZERO, usd, fee]) {
      const t = await d.wrappedOf(main)
      const bal = (await d.wrapped(t).balanceOf!(w.funded.address)) as bigint
      back.push(await d.pegOut(w.funded, t, bal, sink))
    }
    await Promise.all(back.map(waitClosed))
    for (const main of [ZERO, usd, fee]) expect(await d.checkReserves(main)).toEqual({ locked: 0n, supply: 0n, pending: 0n })
    expect(await d.mainBalance(w.evm!.vault)).toBe(0n)
    expect(await d.mainBalance(w.evm!.vault, usd)).toBe(0n)
    expect(await d.mainBalance(w.evm!.vault, fee)).toBe(0n)
    // The fee-on-transfer token paid out 99% of what the vault held.
    expect(await d.mainBalance(sink, fee)).toBe((990n * ETH * 99n) / 100n)
  }, 300_000)
})
