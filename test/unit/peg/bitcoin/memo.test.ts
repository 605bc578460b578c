// The OP_RETURN peg-in memo: its exact bytes, round trips, "not ours" (null) versus "ours but broken"
// (PEG_MEMO_MALFORMED), and that every memo is a standard output for bcoin's policy.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes } from '../../../../spv/base/bytes.js'
import { decodePegInMemo, encodePegInMemo, MEMO_MAGIC, parsePegOutAddress } from '../../../../peg/bitcoin/index.js'
import { isStandardOutputScript } from '../../../helpers/bcoin-script.js'
import { codeOf, expectCode } from '../../../helpers/expect.js'
import { alice, bcrtNet, CHAIN_ID, pubOf, testKey } from './fixtures.js'

const p2wpkh = parsePegOutAddress('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', bcrtNet)
const p2tr = Uint8Array.of(0x51, 0x20, ...pubOf(testKey('taproot')).subarray(1))
const p2pkh = Uint8Array.of(0x76, 0xa9, 0x14, ...new Uint8Array(20).fill(7), 0x88, 0xac)
const p2sh = Uint8Array.of(0xa9, 0x14, ...new Uint8Array(20).fill(8), 0x87)
const p2wsh = Uint8Array.of(0x00, 0x20, ...new Uint8Array(32).fill(9))

/** OP_RETURN with a direct push of `payload` (any length ≤ 75). */
const opReturn = (payload: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(0x6a, payload.length), payload)
const header = (version = 1): Uint8Array => concatBytes(MEMO_MAGIC, Uint8Array.of(version), hexToBytes('0000000000ca05e1'), alice)

describe('encodePegInMemo', () => {
  it('writes the documented bytes', () => {
    expect(bytesToHex(encodePegInMemo({ chainId: CHAIN_ID, recipient: alice }))).toBe(
      '6a21' + '43574159' + '01' + '0000000000ca05e1' + bytesToHex(alice),
    )
    expect(bytesToHex(encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: p2wpkh }))).toBe(
      '6a38' + '43574159' + '01' + '0000000000ca05e1' + bytesToHex(alice) + '16' + bytesToHex(p2wpkh),
    )
  })

  it('round-trips every chain id, recipient and refund type, and stays a standard OP_RETURN', () => {
    const refund = fc.option(fc.constantFrom(p2wpkh, p2tr, p2pkh, p2sh, p2wsh), { nil: undefined })
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ minLength: 20, maxLength: 20 }), refund, (chainId, recipient, refundScript) => {
        const script = encodePegInMemo({ chainId, recipient, refundScript })
        const memo = decodePegInMemo(script)!
        expect(memo.chainId).toBe(chainId)
        expect(bytesToHex(memo.recipient)).toBe(bytesToHex(recipient))
        expect(memo.refundScript === undefined ? undefined : bytesToHex(memo.refundScript)).toBe(refundScript && bytesToHex(refundScript))
        expect(script.length).toBeLessThanOrEqual(83)
        expect(isStandardOutputScript(script)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  it('refuses bad fields with their own codes', () => {
    expectCode(() => encodePegInMemo({ chainId: CHAIN_ID, recipient: new Uint8Array(19) }), 'PEG_RECIPIENT_INVALID')
    expectCode(() => encodePegInMemo({ chainId: -1n, recipient: alice }), 'PEG_CHAIN_ID_INVALID')
    expectCode(() => encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: Uint8Array.of(0x6a) }), 'PEG_REFUND_SCRIPT_INVALID')
    expectCode(() => encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: new Uint8Array(0) }), 'PEG_REFUND_SCRIPT_INVALID')
  })
})

describe('decodePegInMemo', () => {
  it.each([
    ['an empty script', new Uint8Array(0)],
    ['a payment script', p2wpkh],
    ['a bare OP_RETURN', Uint8Array.of(0x6a)],
    ['OP_RETURN OP_0', Uint8Array.of(0x6a, 0x00)],
    ['another protocol’s OP_RETURN', opReturn(new TextEncoder().encode('omni....some data'))],
    ['a push shorter than the magic', Uint8Array.of(0x6a, 0x03, 0x43, 0x57, 0x41)],
    ['the magic inside a later push', concatBytes(Uint8Array.of(0x6a, 0x01, 0x00), opReturn(header()).subarray(1))],
    ['a lower-case magic', opReturn(concatBytes(new TextEncoder().encode('cway'), header().subarray(4)))],
    ['a truncated PUSHDATA2 header', Uint8Array.of(0x6a, 0x4d, 0x01)],
  ])('returns null for %s (not ours)', (_, script) => {
    expect(decodePegInMemo(script)).toBeNull()
  })

  const ok = encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: p2wpkh })
  it.each([
    ['version 2', opReturn(header(2))],
    ['version 0', opReturn(header(0))],
    ['magic and version only', opReturn(concatBytes(MEMO_MAGIC, Uint8Array.of(1)))],
    ['magic only', opReturn(MEMO_MAGIC)],
    ['a recipient one byte short', opReturn(header().subarray(0, 32))],
    ['a truncated push', ok.subarray(0, ok.length - 1)],
    ['bytes after the push', concatBytes(ok, Uint8Array.of(0x51))],
    ['a second push', concatBytes(ok, Uint8Array.of(0x01, 0x00))],
    ['a non-minimal PUSHDATA1', concatBytes(Uint8Array.of(0x6a, 0x4c, 33), header())],
    ['a non-minimal PUSHDATA2', concatBytes(Uint8Array.of(0x6a, 0x4d, 33, 0), header())],
    ['a non-minimal PUSHDATA4', concatBytes(Uint8Array.of(0x6a, 0x4e, 33, 0, 0, 0), header())],
    ['refund length 0', opReturn(concatBytes(header(), Uint8Array.of(0)))],
    ['refund length 43', opReturn(concatBytes(header(), Uint8Array.of(43), new Uint8Array(38)))],
    ['refund length longer than the rest', opReturn(concatBytes(header(), Uint8Array.of(22), p2wpkh.subarray(0, 21)))],
    ['refund length shorter than the rest', opReturn(concatBytes(header(), Uint8Array.of(21), p2wpkh))],
    ['a non-standard refund script', opReturn(concatBytes(header(), Uint8Array.of(2), Uint8Array.of(0x51, 0x51)))],
    ['an OP_RETURN refund script', opReturn(concatBytes(header(), Uint8Array.of(3), Uint8Array.of(0x6a, 0x01, 0x00)))],
    ['a taproot refund to a non-point', opReturn(concatBytes(header(), Uint8Array.of(34), Uint8Array.of(0x51, 0x20), new Uint8Array(32).fill(0xff)))],
  ])('PEG_MEMO_MALFORMED for %s (ours, broken)', (_, script) => {
    expectCode(() => decodePegInMemo(script), 'PEG_MEMO_MALFORMED')
  })

  it('never throws anything but PEG_MEMO_MALFORMED on junk after the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), fc.integer({ min: 0, max: 80 }), (tail, pushLength) => {
        const script = concatBytes(Uint8Array.of(0x6a, pushLength), MEMO_MAGIC, tail)
        const code = codeOf(() => decodePegInMemo(script))
        expect(code === undefined || code === 'PEG_MEMO_MALFORMED').toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
