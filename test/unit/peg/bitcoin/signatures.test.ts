// The addSignatures bundle: its exact bytes, round trips, and every malformation refused with
// PEG_SIGNATURES_MALFORMED (the bridge reverts the call with it).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes } from '../../../../spv/base/bytes.js'
import { buildBatch, decodeSignatures, encodeSignatures, signBatch } from '../../../../peg/bitcoin/index.js'
import { codeOf, expectCode } from '../../../helpers/expect.js'
import { alice, CHAIN_ID, destinations, fed, memberPrivs, utxo } from './fixtures.js'

const batch = buildBatch([utxo(1, 50_000n, alice), utxo(2, 60_000n), utxo(3, 70_000n, alice)], [{ id: 1n, scriptPubKey: destinations.p2wpkh, valueSats: 170_000n }], {
  fed,
  chainId: CHAIN_ID,
  feeRateSatPerVb: 1n,
})
const sigs = signBatch(batch, memberPrivs[1]!, fed, CHAIN_ID)

describe('signature bundle', () => {
  it('is 01 | count (2 bytes BE) | (length | signature)…', () => {
    const bytes = encodeSignatures(sigs)
    const expected = concatBytes(Uint8Array.of(0x01, 0x00, sigs.length), ...sigs.flatMap((s) => [Uint8Array.of(s.length), s]))
    expect(bytesToHex(bytes)).toBe(bytesToHex(expected))
    expect(decodeSignatures(bytes).map(bytesToHex)).toEqual(sigs.map(bytesToHex))
  })

  it('round-trips any number of signatures', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...sigs), { minLength: 1, maxLength: 300 }), (list) => {
        expect(decodeSignatures(encodeSignatures(list)).map(bytesToHex)).toEqual(list.map(bytesToHex))
      }),
      { numRuns: 50 },
    )
  })

  const good = encodeSignatures(sigs)
  it.each([
    ['empty bytes', new Uint8Array(0)],
    ['a header only', Uint8Array.of(0x01, 0x00)],
    ['format version 2', Uint8Array.of(0x02, ...good.subarray(1))],
    ['count 0', Uint8Array.of(0x01, 0x00, 0x00)],
    ['a count larger than the signatures', Uint8Array.of(0x01, 0x00, sigs.length + 1, ...good.subarray(3))],
    ['a count smaller than the signatures (trailing bytes)', Uint8Array.of(0x01, 0x00, sigs.length - 1, ...good.subarray(3))],
    ['one byte cut', good.subarray(0, good.length - 1)],
    ['one byte added', concatBytes(good, Uint8Array.of(0))],
    ['a length of 0', Uint8Array.of(0x01, 0x00, 0x01, 0x00)],
    ['a length of 8', Uint8Array.of(0x01, 0x00, 0x01, 0x08, ...sigs[0]!.subarray(0, 8))],
    ['a signature with SIGHASH_NONE', Uint8Array.of(0x01, 0x00, 0x01, sigs[0]!.length, ...sigs[0]!.subarray(0, -1), 0x02)],
    ['64 bytes of junk as a signature', Uint8Array.of(0x01, 0x00, 0x01, 64, ...new Uint8Array(64).fill(0x30))],
  ])('PEG_SIGNATURES_MALFORMED: %s', (_, bytes) => {
    expectCode(() => decodeSignatures(bytes), 'PEG_SIGNATURES_MALFORMED')
  })

  it('never throws anything else on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = codeOf(() => decodeSignatures(bytes))
        expect(code === undefined || code === 'PEG_SIGNATURES_MALFORMED').toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('encoding refuses what decoding would', () => {
    expectCode(() => encodeSignatures([]), 'PEG_SIGNATURES_MALFORMED')
    expectCode(() => encodeSignatures([new Uint8Array(64)]), 'PEG_SIGNATURES_MALFORMED')
    expectCode(() => encodeSignatures([sigs[0]!, sigs[1]!.subarray(0, -1)]), 'PEG_SIGNATURES_MALFORMED')
  })
})
