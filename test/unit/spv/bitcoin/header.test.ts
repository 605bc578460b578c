// Header codec and network parameters: every network's genesis header hashes to its known genesis hash, decode
// and encode are inverse (fast-check), and bad sizes are refused.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Block } from 'bitcoinjs-lib'
import { HEADER_SIZE, decodeHeader, encodeHeader, headerHash, splitHeaders } from '../../../../spv/bitcoin/header.js'
import { bitcoinNetworks, difficultyInterval, getBitcoinNetwork } from '../../../../spv/bitcoin/networks.js'
import { encodeCompact, decodeCompact } from '../../../../spv/bitcoin/pow.js'
import { hashToDisplayHex, hexToBytes } from '../../../../spv/base/bytes.js'
import { MAINNET_HEADERS_FILE, readTestdata } from '../../../helpers/testdata.js'

describe('network parameters', () => {
  it.each(Object.values(bitcoinNetworks))('$name genesis header hashes to its genesis hash, and its bits are the powLimit', (net) => {
    const raw = hexToBytes(net.genesisHeader, 'genesis', HEADER_SIZE)
    expect(hashToDisplayHex(headerHash(raw))).toBe(net.genesisHash)
    expect(decodeHeader(raw).bits).toBe(net.powLimitBits)
    expect(encodeCompact(net.powLimit)).toBe(net.powLimitBits)
    expect(difficultyInterval(net)).toBe(2016)
    expect(Object.isFrozen(net)).toBe(true)
  })

  it('looks networks up by name and refuses unknown ones', () => {
    expect(getBitcoinNetwork('testnet').name).toBe('testnet3')
    expect(() => getBitcoinNetwork('dogecoin')).toThrow(expect.objectContaining({ code: 'SPV_UNKNOWN_NETWORK' }))
  })
})

describe('header codec', () => {
  it('decodes real headers as bitcoinjs-lib does', () => {
    const data = readTestdata(MAINNET_HEADERS_FILE)
    for (const i of [0, 1, 4000, 8064]) {
      const raw = data.subarray(i * 80, i * 80 + 80)
      const ours = decodeHeader(raw)
      const theirs = Block.fromBuffer(raw)
      expect(ours.version).toBe(theirs.version)
      expect(ours.time).toBe(theirs.timestamp)
      expect(ours.bits).toBe(theirs.bits)
      expect(ours.nonce).toBe(theirs.nonce)
      expect(hashToDisplayHex(headerHash(raw))).toBe(theirs.getId())
      expect(encodeHeader(ours)).toEqual(raw)
    }
  })

  it('encode ∘ decode is the identity on any 80 bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), (raw) => {
        expect(encodeHeader(decodeHeader(raw))).toEqual(raw)
      }),
    )
  })

  it('compact encoding round-trips every target it produces (fast-check)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 255n) - 1n }), (target) => {
        const bits = encodeCompact(target)
        const back = decodeCompact(bits)
        expect(back.negative).toBe(false)
        expect(encodeCompact(back.target)).toBe(bits)
        expect(back.target <= target).toBe(true) // truncation only ever rounds down
      }),
    )
  })

  it('refuses wrong sizes with SPV_BAD_HEADER_LENGTH', () => {
    expect(() => decodeHeader(new Uint8Array(79))).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER_LENGTH' }))
    expect(() => headerHash(new Uint8Array(81))).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER_LENGTH' }))
    expect(() => splitHeaders(new Uint8Array(161))).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER_LENGTH' }))
    expect(splitHeaders(new Uint8Array(160))).toHaveLength(2)
  })

  it('refuses out-of-range fields when encoding', () => {
    const h = decodeHeader(new Uint8Array(80))
    expect(() => encodeHeader({ ...h, time: -1 })).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER' }))
    expect(() => encodeHeader({ ...h, prevHash: new Uint8Array(31) })).toThrow(expect.objectContaining({ code: 'SPV_BAD_HEADER' }))
  })
})
