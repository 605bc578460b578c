// The bridge's storage by family (sidechain/bridge/layout.ts, bitcoin/layout.ts): the core's keys and each family's
// start with bytes no other uses, so a family added later (EVM, under 'e') cannot overwrite another's state.
import { describe, expect, it } from 'vitest'
import { bridgeLayout, CORE_PREFIXES } from '../../../../sidechain/bridge/layout.js'
import { btcLayout, BTC_PREFIXES } from '../../../../sidechain/bridge/bitcoin/layout.js'
import { EVM_PREFIXES } from '../../../../sidechain/bridge/evm/layout.js'

const first = (key: Uint8Array) => String.fromCharCode(key[0]!)

describe('bridge storage namespaces', () => {
  it('the core and the Bitcoin family use disjoint first bytes, and leave "e" to the EVM family', () => {
    const core = new Set<string>(CORE_PREFIXES)
    const btc = new Set<string>(BTC_PREFIXES)
    for (const p of btc) expect(core.has(p), p).toBe(false)
    expect(core.has('e') || btc.has('e')).toBe(false)
    expect([...EVM_PREFIXES]).toEqual(['e']) // the EVM family took it (its keys: evm/wrapped-token.test.ts)
  })

  it('every key each layout makes starts with a prefix its family declares', () => {
    const h = new Uint8Array(32).fill(7)
    const coreKeys = [bridgeLayout.config, bridgeLayout.counter('minted')]
    const btcKeys = [
      btcLayout.headers,
      btcLayout.outpoint(h, 1),
      btcLayout.depositScript(new Uint8Array(34)),
      btcLayout.held(new Uint8Array(20)),
      btcLayout.heldPayment(h, 0),
      btcLayout.utxo(1n),
      btcLayout.request(1n),
      btcLayout.batch(1n),
      btcLayout.signatures(1n, 0),
      btcLayout.batchByTxid(h),
      btcLayout.signedTx(1n, 0),
      btcLayout.pendingBatches,
      btcLayout.feeReport(0),
    ]
    for (const k of coreKeys) expect(CORE_PREFIXES as readonly string[]).toContain(first(k))
    for (const k of btcKeys) expect(BTC_PREFIXES as readonly string[]).toContain(first(k))
    expect(new Set(btcKeys.map(first)).size).toBe(BTC_PREFIXES.length) // each declared prefix is used
  })
})
