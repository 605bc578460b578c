// The EVM peg's world on Hardhat 2 (interval mining, 1 s) instead of anvil: one round trip — 1.5 ETH in, exactly
// 1.5 cwETH minted, 1.0 out paid by the vault exactly — so the parts do not depend on one node's quirks.
import { Wallet } from 'ethers'
import type { Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HARDHAT_MNEMONIC } from '../../../regtest/evm/hardhat.js'
import { EvmPegDriver, ZERO } from '../../helpers/evm-peg-driver.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'

const ETH = 10n ** 18n

describe('EVM peg with Hardhat 2, 3 validators and 3 signers', () => {
  let w: PegWorld
  let d: EvmPegDriver
  const user = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: 5 })

  beforeAll(async () => {
    w = await startPegWorld({ evm: { chain: 'hardhat' } })
    d = new EvmPegDriver(w)
  }, 300_000)

  afterAll(async () => {
    await w?.close()
  })

  it('1.5 ETH in, exactly 1.5 cwETH minted; 1.0 out, paid by the vault exactly; reserves balanced', async () => {
    expect(await w.evm!.node.rpc('eth_chainId', [])).toBe('0x7a69')
    const r = await d.depositEth(user, w.funded.address, 15n * ETH / 10n)
    expect(r.status).toBe('success')
    const cw = await d.wrappedOf(ZERO)
    await w.waitFor('1.5 cwETH minted', async () => (await w.provider.getCode(cw)) !== '0x' && ((await d.wrapped(cw).balanceOf!(w.funded.address)) as bigint) === 15n * ETH / 10n, 120_000)
    expect(((await w.bridge.getEvmHeader!(31337n, r.blockHash)) as { accepted: boolean }).accepted).toBe(true)
    expect(await d.checkReserves(ZERO)).toEqual({ locked: 15n * ETH / 10n, supply: 15n * ETH / 10n, pending: 0n })
    const to = Wallet.createRandom().address as Hex
    const id = await d.pegOut(w.funded, cw, ETH, to)
    await d.checkReserves(ZERO)
    await w.waitFor('1 ETH paid', async () => (await d.mainBalance(to)) === ETH, 120_000)
    await w.waitFor('the payout proven on the bridge', async () => (await d.withdrawalStatus(id)) === 3, 120_000)
    expect(await d.checkReserves(ZERO)).toEqual({ locked: ETH / 2n, supply: ETH / 2n, pending: 0n })
    expect(await d.mainBalance(w.evm!.vault)).toBe(ETH / 2n)
  }, 300_000)
})
