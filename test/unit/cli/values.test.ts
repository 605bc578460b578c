// The CLI's parsing of what users type: BTC amounts (exact satoshis), txids, side-chain addresses, peg-out ids.
import { describe, expect, it } from 'vitest'
import { formatBtc, looksLikeSidechainAddress, parseBtcAmount, parsePegOutId, parseSidechainAddress, parseTxid, pegOutStatusName } from '../../../cli/values.js'

describe('parseBtcAmount', () => {
  it.each([
    ['1', 100_000_000n],
    ['0.4', 40_000_000n],
    ['.5', 50_000_000n],
    ['0.00000001', 1n],
    ['21000000', 2_100_000_000_000_000n],
    ['0.123456780', 12_345_678n],
    [' 2.5 ', 250_000_000n],
  ])('%s BTC = %s sats', (text, sats) => {
    expect(parseBtcAmount(text)).toBe(sats)
  })
  it.each([
    ['0.123456789', 'CLI_AMOUNT_NOT_WHOLE_SATS'],
    ['0.000000001', 'CLI_AMOUNT_NOT_WHOLE_SATS'],
    ['0', 'CLI_BAD_AMOUNT'],
    ['-1', 'CLI_BAD_AMOUNT'],
    ['1e3', 'CLI_BAD_AMOUNT'],
    ['', 'CLI_BAD_AMOUNT'],
    ['.', 'CLI_BAD_AMOUNT'],
    ['abc', 'CLI_BAD_AMOUNT'],
  ])('%s is refused with %s', (text, code) => {
    expect(() => parseBtcAmount(text)).toThrow(expect.objectContaining({ code }))
  })
})

describe('formatBtc', () => {
  it('writes all 8 decimals and keeps the sign', () => {
    expect(formatBtc(40_000_000n)).toBe('0.40000000')
    expect(formatBtc(1n)).toBe('0.00000001')
    expect(formatBtc(2_100_000_000_000_000n)).toBe('21000000.00000000')
    expect(formatBtc(-150_000_000n)).toBe('-1.50000000')
  })
  it('round-trips with parseBtcAmount', () => {
    for (const sats of [1n, 99n, 12_345_678n, 100_000_000n, 2_099_999_997_690_000n]) expect(parseBtcAmount(formatBtc(sats))).toBe(sats)
  })
})

describe('parseTxid / parseSidechainAddress / parsePegOutId', () => {
  it('txids: 64 hex digits, lower-cased, an 0x prefix tolerated', () => {
    expect(parseTxid('AB'.repeat(32))).toBe('ab'.repeat(32))
    expect(parseTxid(`0x${'cd'.repeat(32)}`)).toBe('cd'.repeat(32))
    for (const bad of ['xyz', 'ab'.repeat(31), 'ab'.repeat(33), `${'ab'.repeat(31)}zz`]) expect(() => parseTxid(bad)).toThrow(expect.objectContaining({ code: 'CLI_BAD_TXID' }))
  })
  it('addresses: checksummed on the way out; a wrong mixed-case checksum is refused', () => {
    const lower = '0x8c9833e5361cc64012873cd804767885b78c9cf3'
    expect(parseSidechainAddress(lower)).toBe('0x8C9833e5361cc64012873cD804767885B78c9cf3')
    expect(() => parseSidechainAddress('0x8C9833e5361cc64012873cD804767885B78c9cF3')).toThrow(expect.objectContaining({ code: 'CLI_BAD_ADDRESS' }))
    expect(() => parseSidechainAddress('0x1234')).toThrow(expect.objectContaining({ code: 'CLI_BAD_ADDRESS' }))
    expect(looksLikeSidechainAddress(lower)).toBe(true)
    expect(looksLikeSidechainAddress('ab'.repeat(32))).toBe(false)
  })
  it('peg-out ids are positive whole numbers', () => {
    expect(parsePegOutId('17')).toBe(17n)
    for (const bad of ['0', '-1', '1.5', 'x']) expect(() => parsePegOutId(bad)).toThrow(expect.objectContaining({ code: 'CLI_BAD_PEGOUT_ID' }))
  })
  it('status words', () => {
    expect([0, 1, 2, 3, 4].map(pegOutStatusName)).toEqual(['unknown', 'requested', 'batched', 'signed', 'confirmed'])
  })
})
