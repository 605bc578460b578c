// Properties of batches over random UTXO sets and requests: the bridge and every signer get the same bytes; value
// is conserved (inputs − outputs = fee = Σ shares); no output is dust; selection is a prefix of the given order; a
// refusal is always one of the batch codes; and any k members' signatures make a transaction bcoin validates.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { CausewayError } from '../../../../spv/base/errors.js'
import {
  assembleBatch,
  buildBatch,
  compareBatch,
  DEFAULT_DUST_SATS,
  federationScriptPubKey,
  outputBytes,
  signBatch,
  utxoScriptPubKey,
  type FederationUtxo,
  type PegOutRequest,
} from '../../../../peg/bitcoin/index.js'
import { verifyWithBcoin } from '../../../helpers/bcoin-script.js'
import { alice, bob, CHAIN_ID, destinations, fed, memberPrivs, txidOf } from './fixtures.js'

const recipientArb = fc.constantFrom<Uint8Array | null>(null, alice, bob)
const utxosArb = fc
  .array(fc.record({ valueSats: fc.bigInt({ min: 1n, max: 2_000_000n }), recipient: recipientArb }), { minLength: 0, maxLength: 12 })
  .map((list) => list.map((u, i): FederationUtxo => ({ txid: txidOf(`prop ${i}`), vout: i % 3, ...u })))
const requestsArb = fc
  .array(
    fc.record({ valueSats: fc.bigInt({ min: 1n, max: 1_500_000n }), scriptPubKey: fc.constantFrom(...Object.values(destinations)), gap: fc.bigInt({ min: 1n, max: 5n }) }),
    { minLength: 1, maxLength: 8 },
  )
  .map((list) => {
    let id = 0n
    return list.map(({ valueSats, scriptPubKey, gap }): PegOutRequest => ({ id: (id += gap), scriptPubKey, valueSats }))
  })
const rateArb = fc.bigInt({ min: 1n, max: 60n })
const BATCH_CODES = ['PEG_INSUFFICIENT_RESERVES', 'PEG_BATCH_DUST_CHANGE', 'PEG_FEE_EXCEEDS_OUTPUT']
const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n)

/** The batch, or the code it was refused with. */
function attempt(utxos: FederationUtxo[], requests: PegOutRequest[], rate: bigint) {
  try {
    return buildBatch(utxos, requests, { fed, chainId: CHAIN_ID, feeRateSatPerVb: rate })
  } catch (e) {
    if (e instanceof CausewayError) return e.code
    throw e
  }
}

describe('batch properties', () => {
  it('conserves value, never makes dust, selects a prefix, and is byte-identical when rebuilt', () => {
    let built = 0
    fc.assert(
      fc.property(utxosArb, requestsArb, rateArb, (utxos, requests, rate) => {
        const b = attempt(utxos, requests, rate)
        if (typeof b === 'string') {
          expect(BATCH_CODES).toContain(b)
          return
        }
        built++
        const again = buildBatch(
          utxos.map((u) => ({ ...u, txid: u.txid.slice() })),
          requests.map((r) => ({ ...r })),
          { fed, chainId: CHAIN_ID, feeRateSatPerVb: rate },
        )
        expect(bytesToHex(again.unsignedTx)).toBe(bytesToHex(b.unsignedTx))
        expect(() => compareBatch(b, again.unsignedTx)).not.toThrow()

        const inSum = sum(b.inputs.map((u) => u.valueSats))
        expect(inSum - sum(b.outputs.map((o) => o.valueSats))).toBe(b.feeSats)
        expect(sum(b.feeShares)).toBe(b.feeSats)
        expect(b.feeSats).toBe(BigInt(b.vsize) * rate)
        expect(b.changeSats).toBe(inSum - sum(requests.map((r) => r.valueSats)))
        for (const o of b.outputs) expect(o.valueSats >= DEFAULT_DUST_SATS).toBe(true)
        // Shares by cost: each pays its own output, and the rest of the fee within one sat of its amount's part.
        const own = requests.map((r) => BigInt(outputBytes(r.scriptPubKey)) * rate)
        const rest = b.feeSats - sum(own)
        const total = sum(requests.map((r) => r.valueSats))
        b.feeShares.forEach((s, i) => {
          const part = s - own[i]!
          const exact = (rest * requests[i]!.valueSats) / total
          expect(part === exact || part === exact + 1n).toBe(true)
        })
        expect(b.inputs.map((u) => bytesToHex(u.txid))).toEqual(utxos.slice(0, b.inputs.length).map((u) => bytesToHex(u.txid)))
        // Minimal: without its last input the batch would not cover the requests or would leave dust change.
        const short = inSum - b.inputs[b.inputs.length - 1]!.valueSats - sum(requests.map((r) => r.valueSats))
        expect(short < 0n || (short > 0n && short < DEFAULT_DUST_SATS)).toBe(true)
        const change = b.outputs.filter((o) => o.requestId === null)
        expect(change.length).toBe(b.changeSats > 0n ? 1 : 0)
        if (change[0]) expect(bytesToHex(change[0].scriptPubKey)).toBe(bytesToHex(federationScriptPubKey(fed)))
        expect(b.outputs.filter((o) => o.requestId !== null).map((o) => o.requestId)).toEqual(requests.map((r) => r.id))
      }),
      { numRuns: 300 },
    )
    expect(built).toBeGreaterThan(30)
  })

  it('any two members’ signatures make a transaction that bcoin validates, within the estimated size', () => {
    const pairArb = fc.constantFrom([0, 1], [0, 2], [1, 2])
    fc.assert(
      fc.property(utxosArb, requestsArb, rateArb, pairArb, (utxos, requests, rate, pair) => {
        const b = attempt(utxos, requests, rate)
        fc.pre(typeof b !== 'string')
        if (typeof b === 'string') return
        const sigs = new Map(pair.map((m) => [m, signBatch(b, memberPrivs[m]!, fed, CHAIN_ID)]))
        const raw = assembleBatch(b, fed, CHAIN_ID, sigs)
        const verdict = verifyWithBcoin(
          raw,
          b.inputs.map((u) => ({ script: utxoScriptPubKey(fed, CHAIN_ID, u.recipient), value: u.valueSats })),
        )
        expect(verdict.vsize).toBeLessThanOrEqual(b.vsize)
      }),
      { numRuns: 12 },
    )
  })
})
