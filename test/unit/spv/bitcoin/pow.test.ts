// Compact target encoding and proof-of-work checks, with Bitcoin Core's arith_uint256 SetCompact/GetCompact
// vectors (src/test/arith_uint256_tests.cpp) and the real genesis header.
import { describe, expect, it } from 'vitest'
import { checkProofOfWork, decodeCompact, encodeCompact, targetFromBits, workFromBits } from '../../../../spv/bitcoin/pow.js'
import { mainnet, regtest } from '../../../../spv/bitcoin/networks.js'
import { hexToBytes } from '../../../../spv/base/bytes.js'
import { hash256 } from '../../../../spv/bitcoin/hash.js'

const core: [bits: number, target: bigint, negative: boolean, overflow: boolean, compact: number | null][] = [
  [0x00000000, 0n, false, false, 0],
  [0x00123456, 0n, false, false, 0],
  [0x01003456, 0n, false, false, 0],
  [0x02000056, 0n, false, false, 0],
  [0x03000000, 0n, false, false, 0],
  [0x04000000, 0n, false, false, 0],
  [0x00923456, 0n, false, false, 0],
  [0x01803456, 0n, false, false, 0],
  [0x02800056, 0n, false, false, 0],
  [0x03800000, 0n, false, false, 0],
  [0x04800000, 0n, false, false, 0],
  [0x01123456, 0x12n, false, false, 0x01120000],
  [0x01fedcba, 0x7en, true, false, null],
  [0x02123456, 0x1234n, false, false, 0x02123400],
  [0x03123456, 0x123456n, false, false, 0x03123456],
  [0x04123456, 0x12345600n, false, false, 0x04123456],
  [0x04923456, 0x12345600n, true, false, null],
  [0x05009234, 0x92340000n, false, false, 0x05009234],
  [0x20123456, 0x123456n << 232n, false, false, 0x20123456],
  [0xff123456, 0n, false, true, null],
]

describe('compact targets (Core vectors)', () => {
  it.each(core)('bits %s', (bits, target, negative, overflow, compact) => {
    const d = decodeCompact(bits)
    expect(d.negative).toBe(negative)
    expect(d.overflow).toBe(overflow)
    if (!overflow) expect(d.target).toBe(target)
    if (compact !== null) expect(encodeCompact(d.target)).toBe(compact)
  })

  it('round-trips every real nBits shape', () => {
    for (const bits of [0x1d00ffff, 0x17034219, 0x1703255b, 0x207fffff, 0x1e0377ae, 0x1b0404cb]) {
      expect(encodeCompact(decodeCompact(bits).target)).toBe(bits)
    }
  })
})

describe('targetFromBits refuses each bad encoding with its own code', () => {
  it.each([
    [0x04923456, 'SPV_BITS_NEGATIVE'],
    [0x00000000, 'SPV_BITS_ZERO'],
    [0x01003456, 'SPV_BITS_ZERO'],
    [0xff123456, 'SPV_BITS_OVERFLOW'],
    [0x1d01ffff, 'SPV_BITS_ABOVE_LIMIT'],
    [0x207fffff, 'SPV_BITS_ABOVE_LIMIT'],
  ])('%s → %s on mainnet', (bits, code) => {
    expect(() => targetFromBits(bits, mainnet)).toThrow(expect.objectContaining({ code }))
  })

  it('accepts the limit itself', () => {
    expect(targetFromBits(0x1d00ffff, mainnet)).toBe(mainnet.powLimit & ~((1n << 208n) - 1n))
    expect(targetFromBits(0x207fffff, regtest)).toBeGreaterThan(0n)
  })
})

describe('proof of work', () => {
  const genesis = hexToBytes(mainnet.genesisHeader)

  it('the genesis header meets its target, and its work is 0x100010001 as Core reports', () => {
    expect(checkProofOfWork(hash256(genesis), 0x1d00ffff, mainnet)).toBe(0x100010001n)
    expect(workFromBits(0x1d00ffff)).toBe(0x100010001n)
  })

  it('a hash above the target is refused with SPV_BAD_POW', () => {
    const changed = genesis.slice()
    changed[76]! ^= 1
    expect(() => checkProofOfWork(hash256(changed), 0x1d00ffff, mainnet)).toThrow(expect.objectContaining({ code: 'SPV_BAD_POW' }))
  })

  it('a harder claimed target the hash does not meet is refused', () => {
    expect(() => checkProofOfWork(hash256(genesis), 0x1a00ffff, mainnet)).toThrow(expect.objectContaining({ code: 'SPV_BAD_POW' }))
  })

  it('work of an invalid encoding is 0', () => {
    expect(workFromBits(0x04923456)).toBe(0n)
    expect(workFromBits(0xff123456)).toBe(0n)
  })
})
