// Param parsing: valid shapes become bytes and bigints, invalid ones fail with RPC_INVALID_PARAMS naming the
// param; round trips with the edge's own hex writers hold for every value (fast-check).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex, toQuantity } from '../../../../spv/base/bytes.js'
import {
  address,
  blockRef,
  blockTag,
  callRequest,
  data,
  hexOrDecimal,
  logCriteria,
  percentiles,
  positional,
  quantity,
  storageKey,
} from '../../../../sidechain/rpc/params.js'
import { expectCode } from '../../../helpers/expect.js'

const A = '0x' + 'aa'.repeat(20)
const H = '0x' + '11'.repeat(32)

describe('valid params', () => {
  it('reads quantities, data, addresses, storage keys and block refs', () => {
    expect(quantity('0x0', 'q')).toBe(0n)
    expect(quantity('0xFF', 'q')).toBe(255n)
    expect(hexOrDecimal(5, 'n')).toBe(5n)
    expect(hexOrDecimal('5', 'n')).toBe(5n)
    expect(hexOrDecimal('0x5', 'n')).toBe(5n)
    expect(data('0x', 'd')).toEqual(new Uint8Array())
    expect(address(A.toUpperCase().replace('0X', '0x'), 'a')).toEqual(new Uint8Array(20).fill(0xaa))
    expect(toHex(storageKey('0x1', 'slot'))).toBe('0x' + '00'.repeat(31) + '01')
    expect(blockTag('safe', 'b')).toBe('safe')
    expect(blockTag('0x10', 'b')).toBe(16n)
    expect(blockRef({ blockNumber: '0x2' }, 'b')).toBe(2n)
    expect(blockRef({ blockHash: H, requireCanonical: true }, 'b')).toEqual({ hash: new Uint8Array(32).fill(0x11) })
    expect(percentiles([10, 10, 90.5], 'p')).toEqual([10, 10, 90.5])
    expect(positional([1], ['a', 'b'], 1)).toEqual([1, undefined])
  })

  it('reads a call object, accepting data or input and dropping absent fields', () => {
    expect(callRequest({ to: A, data: '0x12', gas: '0x5208', type: '0x2', chainId: '0x1' }, 'tx')).toEqual({
      to: new Uint8Array(20).fill(0xaa),
      data: Uint8Array.of(0x12),
      gas: 21000n,
    })
    expect(callRequest({ input: '0x12', data: '0x12', to: null }, 'tx')).toEqual({ data: Uint8Array.of(0x12) })
    expect(callRequest({ accessList: [{ address: A, storageKeys: [H] }] }, 'tx').accessList).toHaveLength(1)
  })

  it('reads filter objects: one address or many, topic positions with null and OR-sets', () => {
    const c = logCriteria({ address: A, topics: [H, null, [H, H], [H, null]], fromBlock: 'earliest' }, 'filter')
    expect(c.addresses).toHaveLength(1)
    expect(c.topics.map((t) => (t === null ? null : t.length))).toEqual([1, null, 2, null])
    expect(c.fromBlock).toBe('earliest')
    expect(logCriteria({ address: [A, A], blockHash: H }, 'filter').blockHash).toBeDefined()
    expect(logCriteria(undefined, 'filter')).toEqual({ addresses: [], topics: [] })
  })
})

describe('invalid params name the param', () => {
  const cases: [string, () => unknown, string][] = [
    ['no 0x', () => quantity('10', 'value'), 'invalid value: hex string without 0x prefix'],
    ['empty quantity', () => quantity('0x', 'value'), 'invalid value: hex string "0x"'],
    ['leading zero', () => quantity('0x01', 'value'), 'invalid value: hex number with leading zero digits'],
    ['too big', () => quantity('0x1' + '0'.repeat(64), 'value'), 'invalid value: hex number > 256 bits'],
    ['not a string', () => quantity(12, 'value'), 'invalid value: expected a 0x-prefixed hex string, got number 12'],
    ['odd data', () => data('0x123', 'input'), 'invalid input: hex string of odd length'],
    ['bad digit', () => data('0xgg', 'input'), 'invalid input: invalid hex string'],
    ['short address', () => address('0x' + 'aa'.repeat(19), 'from'), 'invalid from: expected a 20-byte address, got 19 bytes'],
    ['long slot', () => storageKey('0x' + '00'.repeat(33), 'slot'), 'invalid slot: hex string too long'],
    ['bad tag', () => blockTag('pendin', 'block'), 'invalid block: expected a hex block number or one of'],
    ['huge block', () => blockTag('0x10000000000000000', 'block'), 'invalid block: hex number > 64 bits'],
    ['both refs', () => blockRef({ blockHash: H, blockNumber: '0x1' }, 'block'), 'invalid block: expected exactly one'],
    ['data ≠ input', () => callRequest({ data: '0x12', input: '0x13' }, 'tx'), 'both "data" and "input"'],
    ['bad call field', () => callRequest({ value: '0x00' }, 'tx'), 'invalid tx.value: hex number with leading zero digits'],
    ['bad access list', () => callRequest({ accessList: [{ address: A, storageKeys: ['0x12'] }] }, 'tx'), 'invalid tx.accessList[0].storageKeys[0]'],
    ['five topics', () => logCriteria({ topics: [null, null, null, null, null] }, 'filter'), 'invalid filter.topics: too many topics'],
    ['bad address list', () => logCriteria({ address: [A, '0x12'] }, 'filter'), 'invalid filter.address[1]'],
    ['percentile range', () => percentiles([101], 'rewards'), 'invalid rewards[0]: invalid reward percentile 101'],
    ['too many args', () => positional([1, 2, 3], ['a', 'b'], 0), 'too many arguments, want at most 2'],
    ['missing arg', () => positional([null], ['address'], 1), 'missing value for required argument 0 (address)'],
  ]
  it.each(cases)('%s', (_, f, message) => {
    const e = expectCode(f, 'RPC_INVALID_PARAMS')
    expect(e.message).toContain(message)
  })
})

describe('round trips', () => {
  it('quantity(toQuantity(n)) = n for every 256-bit n', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => quantity(toQuantity(n), 'q') === n))
  })

  it('data(toHex(bytes)) = bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => toHex(data(toHex(b), 'd')) === toHex(b)))
  })
})
