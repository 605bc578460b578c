// Difficulty rules: every mainnet retarget from genesis to height 419,327 (real period edges), the testnet
// 20-minute rule and walk-back, BIP94, regtest's fixed target, signet's retarget, and the chain work sums.
import { describe, expect, it } from 'vitest'
import { Block } from 'bitcoinjs-lib'
import { medianTimePast, nextWorkRequired, retargetBits, type DifficultyContext } from '../../../../spv/bitcoin/difficulty.js'
import { mainnet, regtest, signet, testnet3, testnet4 } from '../../../../spv/bitcoin/networks.js'
import { decodeHeader } from '../../../../spv/bitcoin/header.js'
import { workFromBits } from '../../../../spv/bitcoin/pow.js'
import { hexToBytes } from '../../../../spv/base/bytes.js'
import { readPeriodEdges } from '../../../helpers/testdata.js'

describe('mainnet period edges, genesis to 419,327 (real data)', () => {
  const edges = readPeriodEdges()
  const byHeight = new Map(edges.map((e) => [e.height, e]))
  const periods = Math.floor((edges[edges.length - 1]!.height + 1) / 2016)

  it('holds the first and last header of every one of the 208 periods', () => {
    expect(periods).toBe(208)
    for (let p = 0; p < periods; p++) {
      expect(byHeight.has(p * 2016)).toBe(true)
      expect(byHeight.has(p * 2016 + 2015)).toBe(true)
    }
  })

  it('every retarget is computed exactly', () => {
    let changed = 0
    for (let p = 1; p < periods; p++) {
      const first = decodeHeader(hexToBytes(byHeight.get((p - 1) * 2016)!.header))
      const last = decodeHeader(hexToBytes(byHeight.get((p - 1) * 2016 + 2015)!.header))
      const next = decodeHeader(hexToBytes(byHeight.get(p * 2016)!.header))
      expect(last.bits).toBe(first.bits) // no change inside a period on mainnet
      expect(retargetBits(mainnet, first.time, last.time, last.bits)).toBe(next.bits)
      // The same through the context-driven rule the chain uses.
      const parent: DifficultyContext = {
        height: p * 2016 - 1,
        time: last.time,
        bits: last.bits,
        periodStartTime: first.time,
        periodStartBits: first.bits,
        lastRegularBits: last.bits,
      }
      expect(nextWorkRequired(mainnet, parent, next.time)).toBe(next.bits)
      if (next.bits !== last.bits) changed++
    }
    expect(changed).toBeGreaterThan(150) // the test is not passing on a run of identical bits
  })

  it('a changed period timestamp changes the computed bits (the check can fail)', () => {
    const first = decodeHeader(hexToBytes(byHeight.get(200 * 2016)!.header))
    const last = decodeHeader(hexToBytes(byHeight.get(200 * 2016 + 2015)!.header))
    const next = decodeHeader(hexToBytes(byHeight.get(201 * 2016)!.header))
    expect(retargetBits(mainnet, first.time, last.time + 3600, last.bits)).not.toBe(next.bits)
  })

  it('chain work at every edge is the running sum of 2016 × work(bits)', () => {
    let work = 0n
    for (let p = 0; p < periods; p++) {
      const first = byHeight.get(p * 2016)!
      const last = byHeight.get(p * 2016 + 2015)!
      const bits = decodeHeader(hexToBytes(first.header)).bits
      // Independent of our pow.ts: target from bitcoinjs-lib, work = 2^256 / (target + 1).
      const target = BigInt(`0x${Buffer.from(Block.calculateTarget(bits)).toString('hex')}`)
      const blockWork = (1n << 256n) / (target + 1n)
      expect(workFromBits(bits)).toBe(blockWork)
      expect(BigInt(`0x${first.chainwork}`)).toBe(work + blockWork)
      work += 2016n * blockWork
      expect(BigInt(`0x${last.chainwork}`)).toBe(work)
    }
  })
})

const ctx = (over: Partial<DifficultyContext>): DifficultyContext => ({
  height: 100,
  time: 1_700_000_000,
  bits: 0x1c0fffff,
  periodStartTime: 1_699_000_000,
  periodStartBits: 0x1c0fffff,
  lastRegularBits: 0x1c0fffff,
  ...over,
})

describe('testnet 20-minute rule (testnet3, testnet4)', () => {
  for (const net of [testnet3, testnet4]) {
    it(`${net.name}: more than 20 minutes after the parent → powLimit bits`, () => {
      const parent = ctx({})
      expect(nextWorkRequired(net, parent, parent.time + 1201)).toBe(net.powLimitBits)
    })
    it(`${net.name}: within 20 minutes → the last regular block's bits, walking back over min-difficulty blocks`, () => {
      const parent = ctx({ bits: net.powLimitBits, lastRegularBits: 0x1c0fffff })
      expect(nextWorkRequired(net, parent, parent.time + 1200)).toBe(0x1c0fffff)
    })
  }

  it('testnet3 retargets from the last block bits, even a min-difficulty one (the testnet3 quirk)', () => {
    const parent = ctx({ height: 2015, bits: testnet3.powLimitBits, time: 1_700_000_000, periodStartTime: 1_700_000_000 - 14 * 24 * 3600 })
    expect(nextWorkRequired(testnet3, parent, parent.time + 600)).toBe(testnet3.powLimitBits)
  })

  it('testnet4 (BIP94) retargets from the period first block bits', () => {
    const parent = ctx({ height: 2015, bits: testnet4.powLimitBits, periodStartBits: 0x1c0fffff, time: 1_700_000_000, periodStartTime: 1_700_000_000 - 14 * 24 * 3600 })
    expect(nextWorkRequired(testnet4, parent, parent.time + 600)).toBe(0x1c0fffff)
  })
})

describe('other networks', () => {
  it('mainnet inside a period: the parent bits, whatever the time gap', () => {
    const parent = ctx({})
    expect(nextWorkRequired(mainnet, parent, parent.time + 100_000)).toBe(parent.bits)
  })

  it('regtest never retargets', () => {
    const parent = ctx({ height: 2015, bits: regtest.powLimitBits, periodStartTime: 0 })
    expect(nextWorkRequired(regtest, parent, parent.time + 1)).toBe(regtest.powLimitBits)
  })

  it('signet retargets like mainnet, capped at its own powLimit', () => {
    const fast = ctx({ height: 2015, bits: 0x1e0377ae, time: 1_700_000_000, periodStartTime: 1_700_000_000 - 7 * 24 * 3600 })
    expect(nextWorkRequired(signet, fast, fast.time + 600)).toBe(retargetBits(signet, fast.periodStartTime!, fast.time, 0x1e0377ae))
    expect(retargetBits(signet, 0, 7 * 24 * 3600, 0x1e0377ae)).not.toBe(0x1e0377ae)
    // A slow period cannot ease the target past powLimit.
    expect(retargetBits(signet, 0, 60 * 24 * 3600, 0x1e0377ae)).toBe(0x1e0377ae)
  })

  it('the retarget is clamped to a factor of 4 each way', () => {
    const bits = 0x1b0404cb
    expect(retargetBits(mainnet, 0, 1, bits)).toBe(retargetBits(mainnet, 0, Math.floor(1_209_600 / 4), bits))
    expect(retargetBits(mainnet, 0, 100_000_000, bits)).toBe(retargetBits(mainnet, 0, 1_209_600 * 4, bits))
  })

  it('unknown period start gives null instead of a guess', () => {
    expect(nextWorkRequired(mainnet, ctx({ height: 2015, periodStartTime: null }), 0)).toBeNull()
  })
})

describe('median time past', () => {
  it('takes the middle of up to 11 sorted times (upper middle for an even count)', () => {
    expect(medianTimePast([5, 1, 4, 2, 3, 9, 8, 7, 6, 11, 10])).toBe(6)
    expect(medianTimePast([1, 2])).toBe(2)
    expect(medianTimePast([7])).toBe(7)
  })
})
