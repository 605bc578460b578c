// The system mint/burn path: balances and the supply ledger move together, and bad amounts or overdrafts change
// nothing.
import { describe, expect, it } from 'vitest'
import { Address } from '@ethereumjs/util'
import { burnNative, mintNative } from '../../../sidechain/exec/system-supply.js'
import { EMPTY_SUPPLY, applySupplyDelta, supplyReport } from '../../../sidechain/chain/supply.js'
import { openState } from '../../../sidechain/exec/state-trie.js'
import { expectCode } from '../../helpers/expect.js'

const alice = new Uint8Array(20).fill(0xa1)

describe('system supply changes', () => {
  it('mint then burn: balance and ledger agree, total = minted − burned', async () => {
    const state = await openState()
    let ledger = EMPTY_SUPPLY
    ledger = applySupplyDelta(ledger, await mintNative(state, alice, 10n ** 18n))
    ledger = applySupplyDelta(ledger, await burnNative(state, alice, 4n * 10n ** 17n))
    expect((await state.getAccount(new Address(alice)))!.balance).toBe(6n * 10n ** 17n)
    expect(supplyReport(ledger)).toEqual({ totalWei: 6n * 10n ** 17n, peggedWei: 6n * 10n ** 17n, unpeggedWei: 0n })
  })

  it('refuses zero, negative and overdrawn amounts, changing nothing', async () => {
    const state = await openState()
    await mintNative(state, alice, 5n)
    await expect(mintNative(state, alice, 0n)).rejects.toMatchObject({ code: 'SUPPLY_BAD_AMOUNT' })
    await expect(burnNative(state, alice, -1n)).rejects.toMatchObject({ code: 'SUPPLY_BAD_AMOUNT' })
    await expect(burnNative(state, alice, 6n)).rejects.toMatchObject({ code: 'SUPPLY_INSUFFICIENT' })
    expect((await state.getAccount(new Address(alice)))!.balance).toBe(5n)
    expectCode(() => applySupplyDelta(EMPTY_SUPPLY, { mintedWei: -1n, burnedWei: 0n }), 'SUPPLY_NEGATIVE')
  })
})
