// The foundation: coded errors, hex and byte helpers (every bad input named), CompactSize, and the key-value
// stores (the write buffer commits all or nothing).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CausewayError, ensure, fail, isCausewayError } from '../../../../spv/base/errors.js'
import {
  ByteReader,
  bigIntToBytesBE,
  bytesToBigIntBE,
  bytesToBigIntLE,
  displayHexToHash,
  encodeCompactSize,
  equalBytes,
  equalBytesAt,
  hashToDisplayHex,
  hexToBytes,
  toHex,
  toQuantity,
} from '../../../../spv/base/bytes.js'
import { MemoryStore, WriteBuffer } from '../../../../spv/base/kv.js'

describe('errors', () => {
  it('carry a code, a message, details and a cause', () => {
    const cause = new Error('inner')
    const e = new CausewayError('X_CODE', 'something', { details: { a: 1 }, cause })
    expect(e).toBeInstanceOf(Error)
    expect(e.toJSON()).toEqual({ code: 'X_CODE', message: 'something', details: { a: 1 } })
    expect(e.cause).toBe(cause)
    expect(isCausewayError(e, 'X_CODE')).toBe(true)
    expect(isCausewayError(e, 'Y')).toBe(false)
    expect(() => fail('F', 'f')).toThrow(expect.objectContaining({ code: 'F' }))
    expect(() => ensure(false, 'E', 'e')).toThrow(expect.objectContaining({ code: 'E' }))
    expect(() => ensure(true, 'E', 'e')).not.toThrow()
  })
})

describe('bytes', () => {
  it('hex with and without 0x, with length checks naming the field', () => {
    expect(hexToBytes('0x0102')).toEqual(Uint8Array.of(1, 2))
    expect(hexToBytes('0A0b')).toEqual(Uint8Array.of(10, 11))
    expect(() => hexToBytes('0x123', 'thing')).toThrow(expect.objectContaining({ code: 'BAD_HEX', message: expect.stringContaining('thing') }))
    expect(() => hexToBytes('zz')).toThrow(expect.objectContaining({ code: 'BAD_HEX' }))
    expect(() => hexToBytes('00', 'hash', 32)).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }))
    expect(toHex(Uint8Array.of(0xab))).toBe('0xab')
    expect(toQuantity(0n)).toBe('0x0')
    expect(toQuantity(255)).toBe('0xff')
  })

  it('display and internal hash orders are reverses of each other', () => {
    const internal = Uint8Array.from({ length: 32 }, (_, i) => i)
    expect(hashToDisplayHex(internal).startsWith('1f1e')).toBe(true)
    expect(displayHexToHash(hashToDisplayHex(internal))).toEqual(internal)
  })

  it('bigint conversions round-trip and refuse what does not fit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (v) => {
        const b = bigIntToBytesBE(v, 32)
        expect(bytesToBigIntBE(b)).toBe(v)
        expect(bytesToBigIntLE(b.slice().reverse())).toBe(v)
      }),
    )
    expect(() => bigIntToBytesBE(256n, 1)).toThrow(expect.objectContaining({ code: 'BAD_NUMBER' }))
  })

  it('CompactSize round-trips and refuses non-canonical and truncated encodings', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (n) => {
        expect(new ByteReader(encodeCompactSize(n)).compactSize()).toBe(n)
      }),
    )
    expect(() => new ByteReader(Uint8Array.of(0xfd, 0x10, 0x00), 'X').compactSize()).toThrow(expect.objectContaining({ code: 'X' }))
    expect(() => new ByteReader(Uint8Array.of(0xfe, 0x01), 'T').compactSize()).toThrow(expect.objectContaining({ code: 'T' }))
  })
})

describe('key-value stores', () => {
  it('MemoryStore copies values in and out', async () => {
    const s = new MemoryStore()
    const v = Uint8Array.of(1)
    await s.batch([{ type: 'put', key: Uint8Array.of(9), value: v }])
    v[0] = 2
    const got = (await s.get(Uint8Array.of(9)))!
    expect(got).toEqual(Uint8Array.of(1))
    got[0] = 3
    expect(await s.get(Uint8Array.of(9))).toEqual(Uint8Array.of(1))
  })

  it('WriteBuffer reads its own writes and changes the base only on commit', async () => {
    const base = new MemoryStore()
    await base.batch([{ type: 'put', key: Uint8Array.of(1), value: Uint8Array.of(1) }])
    const buf = new WriteBuffer(base)
    buf.put(Uint8Array.of(2), Uint8Array.of(2))
    buf.del(Uint8Array.of(1))
    expect(await buf.get(Uint8Array.of(2))).toEqual(Uint8Array.of(2))
    expect(await buf.get(Uint8Array.of(1))).toBeUndefined()
    expect(await base.get(Uint8Array.of(1))).toEqual(Uint8Array.of(1))
    expect(await base.get(Uint8Array.of(2))).toBeUndefined()
    await buf.commit()
    expect(await base.get(Uint8Array.of(1))).toBeUndefined()
    expect(await base.get(Uint8Array.of(2))).toEqual(Uint8Array.of(2))
  })
})

describe('equalBytesAt', () => {
  it('compares a in place against b from an offset, never past its end', () => {
    const b = Uint8Array.of(9, 1, 2, 3, 9)
    expect(equalBytesAt(Uint8Array.of(1, 2, 3), b, 1)).toBe(true)
    expect(equalBytesAt(Uint8Array.of(1, 2, 3), b, 0)).toBe(false)
    expect(equalBytesAt(Uint8Array.of(2, 3, 9), b, 2)).toBe(true)
    expect(equalBytesAt(Uint8Array.of(3, 9, 0), b, 3)).toBe(false) // would run past the end
    expect(equalBytesAt(Uint8Array.of(9), b, -1)).toBe(false)
    expect(equalBytesAt(Uint8Array.of(9), b, 0.5)).toBe(false)
    expect(equalBytesAt(new Uint8Array(0), b, 5)).toBe(true)
  })

  it('agrees with equalBytes on a slice (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 12 }), fc.nat(12), (a, b, offset) => {
        const expected = offset + a.length <= b.length && equalBytes(a, b.subarray(offset, offset + a.length))
        expect(equalBytesAt(a, b, offset)).toBe(expected)
      }),
    )
  })
})
