// The 8,065 real mainnet headers (822,528–830,592, four retargets) as one chain, and single mutations of them:
// every changed byte, swapped neighbours and a cut file are refused with their own codes.
import { describe, expect, it } from 'vitest'
import { Block } from 'bitcoinjs-lib'
import { verifyHeaderSequence } from '../../../../spv/bitcoin/sequence.js'
import { mainnet } from '../../../../spv/bitcoin/networks.js'
import { MAINNET_HEADERS_FILE, MAINNET_HEADERS_START, readTestdata } from '../../../helpers/testdata.js'

const data = readTestdata(MAINNET_HEADERS_FILE)
const COUNT = 8065

function slice(from: number, to: number): Uint8Array {
  return data.slice(from * 80, to * 80)
}

describe('real mainnet headers 822,528–830,592', () => {
  it('verify as one chain with the right tip and chain work', () => {
    const r = verifyHeaderSequence(mainnet, data, { startHeight: MAINNET_HEADERS_START })
    expect(r.valid).toBe(true)
    if (!r.valid) return
    expect(r.count).toBe(COUNT)
    expect(r.tipHeight).toBe(830_592)
    expect(r.uncheckedDifficulty).toBe(0)
    // Independent of spv/: bitcoinjs-lib's block id of the last header, and its work sum.
    const last = Block.fromBuffer(data.subarray((COUNT - 1) * 80))
    expect(r.tip).toBe(last.getId())
    let work = 0n
    for (let i = 0; i < COUNT; i++) {
      const b = Block.fromBuffer(data.subarray(i * 80, (i + 1) * 80))
      const target = BigInt(`0x${Buffer.from(Block.calculateTarget(b.bits)).toString('hex')}`)
      work += (1n << 256n) / (target + 1n)
    }
    expect(r.chainWork).toBe(work)
  })

  it('covers four retargets that really change the bits', () => {
    const bits = new Set<number>()
    for (const i of [0, 2016, 4032, 6048, 8064]) bits.add(new DataView(data.buffer, i * 80 + 72, 4).getUint32(0, true))
    expect(bits.size).toBe(5)
  })

  it('reports the chain work on top of a given starting work', () => {
    const r = verifyHeaderSequence(mainnet, slice(0, 10), { startHeight: MAINNET_HEADERS_START, prevChainWork: 1000n })
    const s = verifyHeaderSequence(mainnet, slice(0, 10), { startHeight: MAINNET_HEADERS_START })
    expect(r.valid && s.valid && r.chainWork - s.chainWork).toBe(1000n)
  })

  it('a wrong start height puts the retarget in the wrong place and is caught', () => {
    const r = verifyHeaderSequence(mainnet, slice(0, 2020), { startHeight: MAINNET_HEADERS_START + 1 })
    expect(r.valid).toBe(false)
    if (!r.valid) expect(r.code).toBe('SPV_BAD_DIFFBITS')
  })

  it('starting inside a period, the first retarget is only bounded and is reported as unchecked', () => {
    const r = verifyHeaderSequence(mainnet, slice(10, 2030), { startHeight: MAINNET_HEADERS_START + 10 })
    expect(r.valid).toBe(true)
    if (r.valid) expect(r.uncheckedDifficulty).toBe(1)
  })
})

// The code expected when one byte of a header changes, by the field the byte is in.
function expectedCodes(byte: number): string[] {
  if (byte >= 4 && byte < 36) return ['SPV_BAD_PREV']
  if (byte >= 72 && byte < 76) return ['SPV_BAD_POW', 'SPV_BITS_NEGATIVE', 'SPV_BITS_OVERFLOW', 'SPV_BITS_ZERO', 'SPV_BITS_ABOVE_LIMIT']
  return ['SPV_BAD_POW']
}

describe('mutations of the real headers', () => {
  // Mutated header index → the slice verified (starting on a period boundary when a retarget is inside).
  const cases: [index: number, from: number, to: number][] = [
    [1, 0, 3],
    [777, 760, 780],
    [2016, 0, 2018], // the first retarget
    [5000, 4980, 5003],
    [8064, 6048, 8065], // the last header, itself a retarget
  ]
  for (const [index, from, to] of cases) {
    it(`changing any single byte of header #${index} is refused at that header`, () => {
      for (let byte = 0; byte < 80; byte++) {
        for (const flip of [0x01, 0x80]) {
          const copy = slice(from, to)
          copy[(index - from) * 80 + byte]! ^= flip
          const r = verifyHeaderSequence(mainnet, copy, { startHeight: MAINNET_HEADERS_START + from })
          expect(r.valid, `byte ${byte} ^ ${flip}`).toBe(false)
          if (r.valid) continue
          expect(r.index, `byte ${byte} ^ ${flip}`).toBe(index - from)
          expect(expectedCodes(byte), `byte ${byte} ^ ${flip}: ${r.code}`).toContain(r.code)
        }
      }
    })
  }

  it('swapping two neighbouring headers is refused with SPV_BAD_PREV', () => {
    const copy = slice(100, 120)
    const a = copy.slice(5 * 80, 6 * 80)
    copy.copyWithin(5 * 80, 6 * 80, 7 * 80)
    copy.set(a, 6 * 80)
    const r = verifyHeaderSequence(mainnet, copy, { startHeight: MAINNET_HEADERS_START + 100 })
    expect(r).toMatchObject({ valid: false, index: 5, code: 'SPV_BAD_PREV' })
  })

  it('a dropped header is refused with SPV_BAD_PREV', () => {
    const copy = new Uint8Array([...slice(100, 105), ...slice(106, 110)])
    expect(verifyHeaderSequence(mainnet, copy, { startHeight: MAINNET_HEADERS_START + 100 })).toMatchObject({ valid: false, index: 5, code: 'SPV_BAD_PREV' })
  })

  it('a file cut inside a header is refused with SPV_BAD_HEADER_LENGTH', () => {
    expect(verifyHeaderSequence(mainnet, slice(0, 3).subarray(0, 239), { startHeight: MAINNET_HEADERS_START })).toMatchObject({
      valid: false,
      code: 'SPV_BAD_HEADER_LENGTH',
    })
  })

  it('an empty file is refused with SPV_NO_HEADERS', () => {
    expect(verifyHeaderSequence(mainnet, new Uint8Array(0), { startHeight: 0 })).toMatchObject({ valid: false, code: 'SPV_NO_HEADERS' })
  })

  it('a header from the future is refused when a clock is given', () => {
    const copy = slice(0, 5)
    const lastTime = new DataView(copy.buffer).getUint32(4 * 80 + 68, true)
    expect(verifyHeaderSequence(mainnet, copy, { startHeight: MAINNET_HEADERS_START, now: lastTime - 7201 })).toMatchObject({
      valid: false,
      index: 4,
      code: 'SPV_TIME_TOO_NEW',
    })
    expect(verifyHeaderSequence(mainnet, copy, { startHeight: MAINNET_HEADERS_START, now: lastTime - 7200 }).valid).toBe(true)
  })
})
