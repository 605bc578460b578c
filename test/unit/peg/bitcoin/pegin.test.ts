// Which outputs of a Bitcoin transaction are peg-ins: deposit-address outputs for the named recipient, and plain
// federation outputs under exactly one memo for this chain; everything else is not ours, with its reason.
import { Transaction } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes } from '../../../../spv/base/bytes.js'
import {
  depositScriptPubKey,
  encodePegInMemo,
  federationScriptPubKey,
  findPegInOutputs,
  MEMO_MAGIC,
  parsePegOutAddress,
  scanPegIn,
  utxoScriptPubKey,
} from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, bcrtNet, bob, CHAIN_ID, fed, fundingTx, OTHER_CHAIN_ID } from './fixtures.js'

const plain = federationScriptPubKey(fed)
const aliceDeposit = depositScriptPubKey(fed, CHAIN_ID, alice)
const someoneElse = parsePegOutAddress('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', bcrtNet)
const memo = (chainId = CHAIN_ID, recipient = bob, refundScript?: Uint8Array) => ({
  script: encodePegInMemo({ chainId, recipient, refundScript }),
  value: 0n,
})
const ctx = { fed, chainId: CHAIN_ID }

describe('utxoScriptPubKey', () => {
  it('is the plain script for null and the deposit script for a recipient', () => {
    expect(bytesToHex(utxoScriptPubKey(fed, CHAIN_ID, null))).toBe(bytesToHex(plain))
    expect(bytesToHex(utxoScriptPubKey(fed, CHAIN_ID, alice))).toBe(bytesToHex(aliceDeposit))
  })
})

describe('findPegInOutputs', () => {
  it('finds deposit-address outputs of the named recipient, with their vout and value', () => {
    const { raw } = fundingTx([
      { script: someoneElse, value: 5_000n },
      { script: aliceDeposit, value: 150_000n },
      { script: aliceDeposit, value: 7_000n },
    ])
    expect(findPegInOutputs(raw, { ...ctx, recipient: alice })).toEqual([
      { vout: 1, valueSats: 150_000n, recipient: alice, kind: 'deposit-address' },
      { vout: 2, valueSats: 7_000n, recipient: alice, kind: 'deposit-address' },
    ])
  })

  it('does not find a deposit without the recipient, or for another recipient or chain', () => {
    const { raw } = fundingTx([{ script: aliceDeposit, value: 150_000n }])
    expectCode(() => findPegInOutputs(raw, ctx), 'PEG_NO_FEDERATION_OUTPUT')
    expectCode(() => findPegInOutputs(raw, { ...ctx, recipient: bob }), 'PEG_NO_FEDERATION_OUTPUT')
    expectCode(() => findPegInOutputs(raw, { ...ctx, chainId: OTHER_CHAIN_ID, recipient: alice }), 'PEG_NO_FEDERATION_OUTPUT')
  })

  it('finds plain federation outputs under one memo for this chain, with the refund script', () => {
    const refund = someoneElse
    const { raw } = fundingTx([{ script: plain, value: 80_000n }, memo(CHAIN_ID, bob, refund), { script: plain, value: 1_000n }])
    expect(findPegInOutputs(raw, ctx)).toEqual([
      { vout: 0, valueSats: 80_000n, recipient: bob, kind: 'op-return', refundScript: refund },
      { vout: 2, valueSats: 1_000n, recipient: bob, kind: 'op-return', refundScript: refund },
    ])
    // The recipient hint does not change whom a memo names.
    expect(findPegInOutputs(raw, { ...ctx, recipient: alice }).map((o) => bytesToHex(o.recipient))).toEqual([bytesToHex(bob), bytesToHex(bob)])
  })

  it('finds both forms in one transaction', () => {
    const { raw } = fundingTx([memo(), { script: aliceDeposit, value: 10_000n }, { script: plain, value: 20_000n }])
    const found = findPegInOutputs(raw, { ...ctx, recipient: alice })
    expect(found.map((o) => [o.vout, o.kind, bytesToHex(o.recipient)])).toEqual([
      [1, 'deposit-address', bytesToHex(alice)],
      [2, 'op-return', bytesToHex(bob)],
    ])
  })

  it('a memo for another chain id: the plain outputs are not ours', () => {
    const { raw } = fundingTx([{ script: plain, value: 80_000n }, memo(OTHER_CHAIN_ID)])
    const e = expectCode(() => findPegInOutputs(raw, ctx), 'PEG_NO_FEDERATION_OUTPUT')
    expect(e.details).toEqual({ unclaimed: [{ vout: 0, valueSats: '80000', reason: 'memo-other-chain' }] })
    // …but they are the other chain's.
    expect(findPegInOutputs(raw, { fed, chainId: OTHER_CHAIN_ID })).toHaveLength(1)
  })

  it.each([
    ['no memo', [] as { script: Uint8Array; value: bigint }[], 'no-memo'],
    ['two memos for this chain', [memo(), memo(CHAIN_ID, alice)], 'memo-ambiguous'],
    ['a memo for this chain and one for another', [memo(), memo(OTHER_CHAIN_ID)], 'memo-ambiguous'],
    ['a valid memo and a malformed one', [memo(), { script: Uint8Array.of(0x6a, 0x05, ...MEMO_MAGIC, 0x02), value: 0n }], 'memo-ambiguous'],
    ['a malformed memo', [{ script: concatBytes(Uint8Array.of(0x6a, 0x05), MEMO_MAGIC, Uint8Array.of(2)), value: 0n }], 'memo-malformed'],
  ])('plain outputs with %s are unclaimed', (_, extra, reason) => {
    const { raw } = fundingTx([{ script: plain, value: 80_000n }, ...extra])
    expect(scanPegIn(raw, ctx).unclaimed).toEqual([{ vout: 0, valueSats: 80_000n, reason }])
    expectCode(() => findPegInOutputs(raw, ctx), 'PEG_NO_FEDERATION_OUTPUT')
  })

  it('a malformed memo does not block deposit-address outputs', () => {
    const bad = { script: concatBytes(Uint8Array.of(0x6a, 0x05), MEMO_MAGIC, Uint8Array.of(9)), value: 0n }
    const { raw } = fundingTx([bad, { script: aliceDeposit, value: 10_000n }])
    expect(findPegInOutputs(raw, { ...ctx, recipient: alice })).toHaveLength(1)
  })

  it('zero-value federation outputs are never peg-ins', () => {
    const { raw } = fundingTx([{ script: aliceDeposit, value: 0n }, { script: plain, value: 0n }, memo()])
    const scan = scanPegIn(raw, { ...ctx, recipient: alice })
    expect(scan.outputs).toHaveLength(0)
    expect(scan.unclaimed.map((u) => u.reason)).toEqual(['zero-value', 'zero-value'])
  })

  it('gives the txid in internal byte order', () => {
    const { raw, txid } = fundingTx([{ script: aliceDeposit, value: 10_000n }])
    expect(bytesToHex(scanPegIn(raw, ctx).txid)).toBe(bytesToHex(txid))
  })

  it('refuses junk, truncated and 64-byte transactions with the SPV codes', () => {
    const { raw } = fundingTx([{ script: aliceDeposit, value: 10_000n }])
    expectCode(() => findPegInOutputs(raw.subarray(0, raw.length - 1), ctx), 'SPV_TX_MALFORMED')
    expectCode(() => findPegInOutputs(concatBytes(raw, Uint8Array.of(0)), ctx), 'SPV_TX_MALFORMED')
    expectCode(() => findPegInOutputs(new Uint8Array(64).fill(0xab), ctx), 'SPV_TX_MALFORMED')
    const tx = new Transaction()
    tx.addInput(new Uint8Array(32).fill(1), 0)
    tx.addOutput(Uint8Array.of(0x6a, 0x02, 0x01, 0x02), 0n) // 60 + 4 = 64 bytes
    expect(tx.byteLength()).toBe(64)
    expectCode(() => findPegInOutputs(tx.toBuffer(), ctx), 'SPV_TX_64_BYTES')
  })

  it('checks its context', () => {
    const { raw } = fundingTx([{ script: aliceDeposit, value: 10_000n }])
    expectCode(() => findPegInOutputs(raw, { ...ctx, recipient: new Uint8Array(32) }), 'PEG_RECIPIENT_INVALID')
    expectCode(() => findPegInOutputs(raw, { ...ctx, chainId: -5n }), 'PEG_CHAIN_ID_INVALID')
  })
})
