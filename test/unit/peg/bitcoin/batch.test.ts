// Batch building rules: coin selection in the given order, the exact size estimate, the fee and its split, the
// outputs, dust change, and every refusal with its code.
import { Transaction } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import {
  buildBatch,
  createFederation,
  DEFAULT_DUST_SATS,
  estimateBatchSize,
  outputBytes,
  federationScriptPubKey,
  splitFee,
  type Batch,
  type PegOutRequest,
} from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, bob, CHAIN_ID, destinations, fed, pubOf, testKey, utxo } from './fixtures.js'

const opts = { fed, chainId: CHAIN_ID, feeRateSatPerVb: 10n }
const req = (id: bigint, valueSats: bigint, scriptPubKey = destinations.p2wpkh): PegOutRequest => ({ id, scriptPubKey, valueSats })
const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n)

function checkInvariants(b: Batch): void {
  expect(sum(b.inputs.map((i) => i.valueSats)) - sum(b.outputs.map((o) => o.valueSats))).toBe(b.feeSats)
  expect(sum(b.feeShares)).toBe(b.feeSats)
  for (const o of b.outputs) expect(o.valueSats >= DEFAULT_DUST_SATS).toBe(true)
}

describe('buildBatch', () => {
  const utxos = [utxo('a', 100_000n, alice), utxo('b', 50_000n), utxo('c', 200_000n, bob), utxo('d', 1_000_000n)]

  it('takes inputs in the given order until the requests are covered, and returns change to the federation', () => {
    const b = buildBatch(utxos, [req(1n, 120_000n), req(2n, 20_000n, destinations.p2tr)], opts)
    expect(b.inputs.map((i) => bytesToHex(i.txid))).toEqual(utxos.slice(0, 2).map((u) => bytesToHex(u.txid)))
    expect(b.changeSats).toBe(150_000n - 140_000n)
    expect(b.outputs.map((o) => o.requestId)).toEqual([1n, 2n, null])
    expect(bytesToHex(b.outputs[2]!.scriptPubKey)).toBe(bytesToHex(federationScriptPubKey(fed)))
    expect(b.outputs[2]!.valueSats).toBe(10_000n)
    checkInvariants(b)
  })

  it('charges vsize × rate, estimated from the scripts, and shares it by cost: own output, the rest by amount', () => {
    const requests = [req(5n, 30_000n), req(6n, 30_000n, destinations.p2pkh), req(9n, 30_000n, destinations.p2sh)]
    const b = buildBatch(utxos, requests, { ...opts, feeRateSatPerVb: 7n })
    const { vsize } = estimateBatchSize(fed, 1, [...requests.map((r) => r.scriptPubKey), federationScriptPubKey(fed)])
    expect(b.vsize).toBe(vsize)
    expect(b.feeSats).toBe(BigInt(vsize) * 7n)
    // Equal amounts: the rest splits evenly (remainder to the earliest); each adds its own output's bytes × rate.
    const own = requests.map((r) => BigInt(outputBytes(r.scriptPubKey)) * 7n)
    expect(own).toEqual([31n * 7n, 34n * 7n, 32n * 7n])
    const rest = b.feeSats - own.reduce((x, y) => x + y, 0n)
    expect(b.feeShares).toEqual([0, 1, 2].map((i) => own[i]! + rest / 3n + (BigInt(i) < rest % 3n ? 1n : 0n)))
    expect(b.outputs.slice(0, 3).map((o) => o.valueSats)).toEqual(requests.map((r, i) => r.valueSats - b.feeShares[i]!))
    checkInvariants(b)
  })

  it('splitFee gives the remainder to the first requests', () => {
    expect(splitFee(10n, 3)).toEqual([4n, 3n, 3n])
    expect(splitFee(11n, 3)).toEqual([4n, 4n, 3n])
    expect(splitFee(2n, 4)).toEqual([1n, 1n, 0n, 0n])
    expect(splitFee(9n, 1)).toEqual([9n])
  })

  it('the size estimate is the formula of PROTOCOL.md', () => {
    // 2-of-3, 1 input, outputs p2wpkh (22) and p2wsh (34):
    // outside: 4 + 1 + 41 + 1 + (8+1+22) + (8+1+34) + 4 = 125; witness: 2 + 1 + 1 + 2·73 + 1 + 105 = 256
    const { weight, vsize } = estimateBatchSize(fed, 1, [destinations.p2wpkh, federationScriptPubKey(fed)])
    expect(weight).toBe(4 * 125 + 256)
    expect(vsize).toBe(189)
  })

  it('makes no change output when the inputs match the requests exactly', () => {
    const b = buildBatch(utxos, [req(1n, 150_000n)], opts)
    expect(b.changeSats).toBe(0n)
    expect(b.outputs).toHaveLength(1)
    checkInvariants(b)
  })

  it('takes one more input rather than make dust change, as often as needed', () => {
    const b = buildBatch(utxos, [req(1n, 149_900n)], opts) // change 100 < 546
    expect(b.inputs).toHaveLength(3)
    expect(b.changeSats).toBe(200_100n)
    const small = [utxo('x', 10_000n), utxo('y', 100n), utxo('z', 200n), utxo('w', 5_000n)]
    const c = buildBatch(small, [req(1n, 9_800n)], { ...opts, feeRateSatPerVb: 1n }) // 200 → 300 → 500 → 5500
    expect(c.inputs).toHaveLength(4)
    expect(c.changeSats).toBe(5_500n)
    checkInvariants(c)
  })

  it('PEG_BATCH_DUST_CHANGE when the change would be dust and no UTXO is left', () => {
    expectCode(() => buildBatch([utxo('x', 10_000n)], [req(1n, 9_800n)], opts), 'PEG_BATCH_DUST_CHANGE')
    // …and a lower dust limit accepts it.
    expect(buildBatch([utxo('x', 10_000n)], [req(1n, 9_800n)], { ...opts, feeRateSatPerVb: 1n, dustSats: 100n }).changeSats).toBe(200n)
  })

  it('PEG_INSUFFICIENT_RESERVES when the UTXOs do not cover the requests', () => {
    const e = expectCode(() => buildBatch(utxos, [req(1n, 1_000_000n), req(2n, 350_001n)], opts), 'PEG_INSUFFICIENT_RESERVES')
    expect(e.details).toMatchObject({ requestedSats: '1350001', availableSats: '1350000' })
    expectCode(() => buildBatch([], [req(1n, 1_000n)], opts), 'PEG_INSUFFICIENT_RESERVES')
  })

  it('PEG_FEE_EXCEEDS_OUTPUT names the request left below dust by its share', () => {
    // 700 sats pay 155 for their own output and a little of the inputs: less than 546 would be left.
    const e = expectCode(() => buildBatch(utxos, [req(1n, 50_000n), req(7n, 700n)], { ...opts, feeRateSatPerVb: 5n }), 'PEG_FEE_EXCEEDS_OUTPUT')
    expect(e.details).toMatchObject({ requestId: '7' })
  })

  it('PEG_BATCH_TOO_LARGE beyond the standard weight', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => utxo(`many ${i}`, 1_000n))
    expectCode(() => buildBatch(many, [req(1n, 999_000n)], { ...opts, feeRateSatPerVb: 1n }), 'PEG_BATCH_TOO_LARGE')
  })

  it.each([
    ['no requests', utxos, [] as PegOutRequest[], opts],
    ['ids not increasing', utxos, [req(2n, 10_000n), req(2n, 10_000n)], opts],
    ['ids decreasing', utxos, [req(3n, 10_000n), req(2n, 10_000n)], opts],
    ['a negative id', utxos, [req(-1n, 10_000n)], opts],
    ['a zero request', utxos, [req(1n, 0n)], opts],
    ['an OP_RETURN destination', utxos, [req(1n, 10_000n, Uint8Array.of(0x6a, 0x01, 0x00))], opts],
    ['a repeated outpoint', [utxos[0]!, { ...utxos[0]! }], [req(1n, 10_000n)], opts],
    ['a zero-value UTXO', [utxo('zero', 0n)], [req(1n, 10_000n)], opts],
    ['a bad txid', [{ ...utxos[0]!, txid: new Uint8Array(31) }], [req(1n, 10_000n)], opts],
    ['a bad vout', [{ ...utxos[0]!, vout: -1 }], [req(1n, 10_000n)], opts],
    ['a fee rate of 0', utxos, [req(1n, 10_000n)], { ...opts, feeRateSatPerVb: 0n }],
    ['a number fee rate', utxos, [req(1n, 10_000n)], { ...opts, feeRateSatPerVb: 5 as unknown as bigint }],
  ])('PEG_BATCH_INVALID: %s', (_, u, r, o) => {
    expectCode(() => buildBatch(u, r, o), 'PEG_BATCH_INVALID')
  })

  it('refuses a bad recipient or chain id with their own codes', () => {
    expectCode(() => buildBatch([{ ...utxos[0]!, recipient: new Uint8Array(32) }], [req(1n, 10_000n)], opts), 'PEG_RECIPIENT_INVALID')
    expectCode(() => buildBatch(utxos, [req(1n, 10_000n)], { ...opts, chainId: -1n }), 'PEG_CHAIN_ID_INVALID')
  })

  it('writes version 2, locktime 0, sequence 0xfffffffd, no witness; the txid is its hash', () => {
    const b = buildBatch(utxos, [req(1n, 120_000n)], opts)
    const tx = Transaction.fromBuffer(b.unsignedTx)
    expect(tx.version).toBe(2)
    expect(tx.locktime).toBe(0)
    expect(tx.hasWitnesses()).toBe(false)
    for (const input of tx.ins) {
      expect(input.sequence).toBe(0xfffffffd)
      expect(input.script.length).toBe(0)
    }
    expect(tx.ins.map((i) => `${bytesToHex(i.hash)}:${i.index}`)).toEqual(b.inputs.map((i) => `${bytesToHex(i.txid)}:${i.vout}`))
    expect(tx.outs.map((o) => [bytesToHex(o.script), o.value])).toEqual(b.outputs.map((o) => [bytesToHex(o.scriptPubKey), o.valueSats]))
    expect(bytesToHex(tx.getHash())).toBe(bytesToHex(b.txid))
  })

  it('is deterministic and does not alias its arguments', () => {
    const requests = [req(1n, 120_000n)]
    const a = buildBatch(utxos, requests, opts)
    const b = buildBatch(utxos.map((u) => ({ ...u, txid: u.txid.slice() })), requests.map((r) => ({ ...r })), opts)
    expect(bytesToHex(a.unsignedTx)).toBe(bytesToHex(b.unsignedTx))
    const before = bytesToHex(a.outputs[0]!.scriptPubKey)
    const script = requests[0]!.scriptPubKey
    script[3] = script[3]! ^ 0xff
    expect(bytesToHex(a.outputs[0]!.scriptPubKey)).toBe(before)
    script[3] = script[3]! ^ 0xff
  })

  it('sizes bigger federations: 11-of-15 costs more per input', () => {
    const big = createFederation(Array.from({ length: 15 }, (_, i) => pubOf(testKey(`big ${i}`))), 11)
    const small = estimateBatchSize(fed, 2, [destinations.p2wpkh]).weight
    const large = estimateBatchSize(big, 2, [destinations.p2wpkh]).weight
    // per input, all in the witness: 9 more signatures (9 × 73), 12 more keys (12 × 34), and the 513-byte script's
    // length takes a 3-byte CompactSize instead of 1
    expect(large - small).toBe(2 * (9 * 73 + 12 * 34 + 2))
  })
})
