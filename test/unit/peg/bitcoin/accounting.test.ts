// The reserve invariant: federation bitcoin ≥ native supply / 10^10 (rounded up) + pending peg-outs.
import { describe, expect, it } from 'vitest'
import { assertReserveInvariant, reserveReport, WEI_PER_SAT } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, utxo } from './fixtures.js'

const utxos = [utxo('a', 100_000n, alice), utxo('b', 250_000n), utxo('b', 5_000n, null, 1)]

describe('reserves', () => {
  it('reports the figures', () => {
    const r = reserveReport({ utxos, pendingPegOutSats: 50_000n, nativeSupplyWei: 300_000n * WEI_PER_SAT })
    expect(r).toEqual({
      federationSats: 355_000n,
      utxoCount: 3,
      nativeSupplySats: 300_000n,
      pendingPegOutSats: 50_000n,
      requiredSats: 350_000n,
      surplusSats: 5_000n,
      ok: true,
    })
    expect(assertReserveInvariant({ utxos, pendingPegOutSats: 55_000n, nativeSupplyWei: 300_000n * WEI_PER_SAT }).surplusSats).toBe(0n)
  })

  it('PEG_RESERVE_SHORTFALL when short by one satoshi — or by one wei of supply', () => {
    const e = expectCode(() => assertReserveInvariant({ utxos, pendingPegOutSats: 55_001n, nativeSupplyWei: 300_000n * WEI_PER_SAT }), 'PEG_RESERVE_SHORTFALL')
    expect(e.details).toMatchObject({ shortfallSats: '1' })
    expectCode(() => assertReserveInvariant({ utxos, pendingPegOutSats: 55_000n, nativeSupplyWei: 300_000n * WEI_PER_SAT + 1n }), 'PEG_RESERVE_SHORTFALL')
    expect(reserveReport({ utxos: [], pendingPegOutSats: 0n, nativeSupplyWei: 1n }).ok).toBe(false)
  })

  it('an empty peg balances', () => {
    expect(assertReserveInvariant({ utxos: [], pendingPegOutSats: 0n, nativeSupplyWei: 0n }).ok).toBe(true)
  })

  it('refuses an outpoint counted twice and negative figures', () => {
    expectCode(() => reserveReport({ utxos: [...utxos, { ...utxos[0]! }], pendingPegOutSats: 0n, nativeSupplyWei: 0n }), 'PEG_AMOUNT_INVALID')
    expectCode(() => reserveReport({ utxos, pendingPegOutSats: -1n, nativeSupplyWei: 0n }), 'PEG_AMOUNT_INVALID')
    expectCode(() => reserveReport({ utxos, pendingPegOutSats: 0n, nativeSupplyWei: -1n }), 'PEG_AMOUNT_INVALID')
  })
})
