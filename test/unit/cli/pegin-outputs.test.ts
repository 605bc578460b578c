// Which outputs of a transaction pay the federation, and to whom, as `pegin status` / `pegin register` see them.
import { describe, expect, it } from 'vitest'
import { depositScriptPubKey, encodePegInMemo, federationScriptPubKey } from '../../../peg/bitcoin/index.js'
import { federationOutputsOf } from '../../../cli/pegin-outputs.js'
import { CHAIN_ID, OTHER_CHAIN_ID, alice, bob, fed, fundingTx } from '../peg/bitcoin/fixtures.js'

const other = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(9)) // a p2wpkh that is not ours

describe('federationOutputsOf', () => {
  it('a deposit-address output is found only for its recipient', () => {
    const { raw } = fundingTx([
      { script: other, value: 5_000n },
      { script: depositScriptPubKey(fed, CHAIN_ID, alice), value: 70_000n },
    ])
    expect(federationOutputsOf(raw, fed, CHAIN_ID, [])).toEqual([])
    expect(federationOutputsOf(raw, fed, CHAIN_ID, [bob])).toEqual([])
    expect(federationOutputsOf(raw, fed, CHAIN_ID, [bob, alice])).toEqual([{ vout: 1, valueSats: 70_000n, kind: 'deposit', recipient: alice }])
  })

  it('the memo form names its recipient; a federation output without a memo is unclaimed with the reason', () => {
    const memo = encodePegInMemo({ chainId: CHAIN_ID, recipient: bob })
    const { raw } = fundingTx([
      { script: federationScriptPubKey(fed), value: 30_000n },
      { script: memo, value: 0n },
    ])
    expect(federationOutputsOf(raw, fed, CHAIN_ID, [])).toEqual([{ vout: 0, valueSats: 30_000n, kind: 'memo', recipient: bob }])
    const plain = fundingTx([{ script: federationScriptPubKey(fed), value: 30_000n }], 2)
    expect(federationOutputsOf(plain.raw, fed, CHAIN_ID, [])).toEqual([{ vout: 0, valueSats: 30_000n, kind: 'unclaimed', recipient: null, reason: 'no-memo' }])
    const elsewhere = fundingTx([{ script: federationScriptPubKey(fed), value: 30_000n }, { script: encodePegInMemo({ chainId: OTHER_CHAIN_ID, recipient: bob }), value: 0n }], 3)
    expect(federationOutputsOf(elsewhere.raw, fed, CHAIN_ID, [])[0]).toMatchObject({ kind: 'unclaimed', reason: 'memo-other-chain' })
  })

  it('both forms in one transaction, in output order', () => {
    const { raw } = fundingTx([
      { script: depositScriptPubKey(fed, CHAIN_ID, alice), value: 11_000n },
      { script: federationScriptPubKey(fed), value: 22_000n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: bob }), value: 0n },
    ])
    expect(federationOutputsOf(raw, fed, CHAIN_ID, [alice]).map((o) => [o.vout, o.kind])).toEqual([
      [0, 'deposit'],
      [1, 'memo'],
    ])
  })
})
