// Connecting headers under each contextual rule, on synthetic chains a test can mine: the networks' own rules
// with an easy powLimit and a 16-block, 16-second difficulty period (small enough that the retarget's 256-bit
// arithmetic does not wrap). Covers bad-diffbits at a retarget, the testnet minimum-difficulty rule, BIP94's
// timewarp fix, median time past, the future limit and obsolete versions.
import { describe, expect, it } from 'vitest'
import { checkpointEntry, connectHeader, type HeaderEntry } from '../../../../spv/bitcoin/validate.js'
import { mainnet, regtest, testnet3, testnet4, type BitcoinNetwork } from '../../../../spv/bitcoin/networks.js'
import { nextWorkRequired } from '../../../../spv/bitcoin/difficulty.js'
import { mineHeader } from '../../../helpers/mine.js'

const EASY_BITS = 0x2001ffff // target ≈ 2^249: ~128 hashes a block
const HARDER_BITS = 0x20007fff // ≈ 2^247
const easy = (net: BitcoinNetwork): BitcoinNetwork => ({
  ...net,
  powLimit: 0x01ffffn << 232n,
  powLimitBits: EASY_BITS,
  targetSpacing: 1,
  targetTimespan: 16,
})
const T0 = 1_700_000_000
const PERIOD = 16

function start(net: BitcoinNetwork, bits = net.powLimitBits): HeaderEntry {
  const { raw } = mineHeader({ prevHash: new Uint8Array(32), time: T0, bits })
  return checkpointEntry(net, { height: 0, header: raw, chainWork: 1n << 200n }, true)
}

/** Mines and connects `count` headers with the bits the rule requires, `spacing` seconds apart. */
function extend(net: BitcoinNetwork, from: HeaderEntry, count: number, spacing: number): HeaderEntry {
  let tip = from
  for (let i = 0; i < count; i++) {
    const time = tip.time + spacing
    const bits = nextWorkRequired(net, tip, time)!
    tip = connectHeader(net, tip, mineHeader({ prevHash: tip.hash, time, bits }).raw).entry
  }
  return tip
}

function child(net: BitcoinNetwork, parent: HeaderEntry, over: { time?: number; bits?: number; version?: number }) {
  const time = over.time ?? parent.time + net.targetSpacing
  const bits = over.bits ?? nextWorkRequired(net, parent, time)!
  return mineHeader({ prevHash: parent.hash, time, bits, version: over.version ?? 0x20000000 }).raw
}

describe('retarget', () => {
  const net = easy(mainnet)
  const base = start(net, HARDER_BITS)
  const end = extend(net, base, PERIOD - 1, 3) // three times too slow: the target must grow

  it('the period first block must carry the computed bits', () => {
    const required = nextWorkRequired(net, end, end.time + 1)!
    expect(required).not.toBe(end.bits)
    expect(connectHeader(net, end, child(net, end, { time: end.time + 1 })).entry.bits).toBe(required)
  })

  it('a wrong nBits at a retarget is refused with SPV_BAD_DIFFBITS, though its proof of work is valid', () => {
    expect(() => connectHeader(net, end, child(net, end, { time: end.time + 1, bits: end.bits }))).toThrow(
      expect.objectContaining({ code: 'SPV_BAD_DIFFBITS' }),
    )
  })

  it('a changed nBits inside a period is refused with SPV_BAD_DIFFBITS', () => {
    expect(() => connectHeader(net, base, child(net, base, { bits: EASY_BITS }))).toThrow(expect.objectContaining({ code: 'SPV_BAD_DIFFBITS' }))
  })
})

describe('testnet 20-minute rule through connectHeader', () => {
  for (const name of ['testnet3', 'testnet4'] as const) {
    const net = easy(name === 'testnet3' ? testnet3 : testnet4)
    // Start from a regular (non-minimum) difficulty so the rule has something to fall back to.
    const base = start(net, HARDER_BITS)
    // The rule's "20 minutes" is twice the spacing: 2 s on this synthetic network.

    it(`${name}: a block more than twice the spacing after its parent may use the minimum difficulty, and the next one returns to the regular bits`, () => {
      const slow = connectHeader(net, base, child(net, base, { time: base.time + 3, bits: net.powLimitBits })).entry
      expect(slow.lastRegularBits).toBe(HARDER_BITS)
      // The following block, on time, must carry the regular bits again (the walk-back).
      expect(() => connectHeader(net, slow, child(net, slow, { time: slow.time + 1, bits: net.powLimitBits }))).toThrow(
        expect.objectContaining({ code: 'SPV_BAD_DIFFBITS' }),
      )
      expect(connectHeader(net, slow, child(net, slow, { time: slow.time + 1, bits: HARDER_BITS })).entry.bits).toBe(HARDER_BITS)
    })

    it(`${name}: exactly twice the spacing is not enough for minimum difficulty`, () => {
      expect(() => connectHeader(net, base, child(net, base, { time: base.time + 2, bits: net.powLimitBits }))).toThrow(
        expect.objectContaining({ code: 'SPV_BAD_DIFFBITS' }),
      )
    })
  }
})

describe('BIP94 timewarp (testnet4)', () => {
  const net = easy(testnet4)
  // Blocks 200 s apart so the median time past (5 blocks back) stays more than 600 s below the parent.
  const end = extend(net, start(net), PERIOD - 1, 200)

  it('a period first block more than 600 s before its parent is refused with SPV_TIME_TIMEWARP', () => {
    expect(() => connectHeader(net, end, child(net, end, { time: end.time - 601 }))).toThrow(expect.objectContaining({ code: 'SPV_TIME_TIMEWARP' }))
    expect(connectHeader(net, end, child(net, end, { time: end.time - 600 })).entry.height).toBe(PERIOD)
  })

  it('testnet3 has no such rule', () => {
    const t3 = easy(testnet3)
    const e3 = extend(t3, start(t3), PERIOD - 1, 200)
    expect(connectHeader(t3, e3, child(t3, e3, { time: e3.time - 601 })).entry.height).toBe(PERIOD)
  })
})

describe('time and version rules', () => {
  const net = regtest
  const tip = extend(net, start(net), 11, 600)

  it('a timestamp at the median time past is refused with SPV_TIME_TOO_OLD, one second later is fine', () => {
    const mtp = [...tip.recentTimes].sort((a, b) => a - b)[5]!
    expect(() => connectHeader(net, tip, child(net, tip, { time: mtp }))).toThrow(expect.objectContaining({ code: 'SPV_TIME_TOO_OLD' }))
    expect(connectHeader(net, tip, child(net, tip, { time: mtp + 1 })).entry.time).toBe(mtp + 1)
  })

  it('more than two hours ahead of the given clock is refused with SPV_TIME_TOO_NEW', () => {
    const raw = child(net, tip, { time: tip.time + 600 })
    expect(() => connectHeader(net, tip, raw, { now: tip.time + 600 - 7201 })).toThrow(expect.objectContaining({ code: 'SPV_TIME_TOO_NEW' }))
    expect(connectHeader(net, tip, raw, { now: tip.time + 600 - 7200 }).entry.height).toBe(tip.height + 1)
  })

  it('versions made obsolete by BIP34/66/65 are refused with SPV_BAD_VERSION', () => {
    for (const version of [1, 2, 3]) {
      expect(() => connectHeader(net, tip, child(net, tip, { version }))).toThrow(expect.objectContaining({ code: 'SPV_BAD_VERSION' }))
    }
    expect(connectHeader(net, tip, child(net, tip, { version: 4 })).entry.height).toBe(tip.height + 1)
  })

  it('a header of the wrong length is refused with SPV_BAD_HEADER_LENGTH', () => {
    expect(() => connectHeader(net, tip, new Uint8Array(79))).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER_LENGTH' }))
  })
})

describe('checkpoints', () => {
  it('a strict mainnet checkpoint inside a period needs its period start', () => {
    const net = easy(mainnet)
    const { raw } = mineHeader({ prevHash: new Uint8Array(32), time: T0, bits: EASY_BITS })
    expect(() => checkpointEntry(net, { height: 5, header: raw, chainWork: 1n << 200n }, true)).toThrow(expect.objectContaining({ code: 'SPV_BAD_CHECKPOINT' }))
    expect(checkpointEntry(net, { height: 5, header: raw, chainWork: 1n << 200n, periodStartTime: T0 - 3000 }, true).height).toBe(5)
  })

  it('a checkpoint whose header fails proof of work, or with too little chain work, is refused', () => {
    const { raw } = mineHeader({ prevHash: new Uint8Array(32), time: T0, bits: regtest.powLimitBits })
    expect(() => checkpointEntry(regtest, { height: 0, header: raw, chainWork: 0n }, true)).toThrow(expect.objectContaining({ code: 'SPV_BAD_CHECKPOINT' }))
    expect(() => checkpointEntry(mainnet, { height: 0, header: raw, chainWork: 1n << 200n }, true)).toThrow(expect.objectContaining({ code: 'SPV_BAD_CHECKPOINT' }))
  })
})
