// Receipt codec: Hardhat receipts of every transaction type, go-ethereum's typed receipt vectors, pre-Byzantium
// state-root receipts, strict decoding and coded errors naming the field.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RLP } from '@ethereumjs/rlp'
import { hexToBytes, toHex } from '../../../../spv/base/bytes.js'
import { EVM_RECEIPT_MALFORMED, type Receipt, decodeReceipt, encodeReceipt, receiptFromRpc } from '../../../../spv/evm/index.js'
import { expectCode } from '../../../helpers/expect.js'

const vector = (name: string): any => JSON.parse(readFileSync(new URL(`../../../vectors/evm/${name}`, import.meta.url), 'utf8'))
const prague = vector('hardhat-prague.json') as { receipts: Record<string, any>[] }

const zeroBloom = new Uint8Array(256)

describe('receipts from Hardhat (prague block with every transaction type)', () => {
  const receipts = prague.receipts.map((r) => receiptFromRpc(r))

  it('covers legacy, EIP-2930, EIP-1559 and EIP-7702 receipts, successes and a failure', () => {
    expect(new Set(receipts.map((r) => r.type))).toEqual(new Set([0, 1, 2, 4]))
    expect(receipts.some((r) => r.status === 0)).toBe(true)
    expect(receipts.some((r) => r.logs.length === 2)).toBe(true)
  })

  it('keeps the consensus fields of the JSON', () => {
    prague.receipts.forEach((json, i) => {
      const r = receipts[i]!
      expect(r.type).toBe(Number(json['type']))
      expect(r.status).toBe(Number(json['status']))
      expect(r.root).toBeUndefined()
      expect(r.cumulativeGasUsed).toBe(BigInt(json['cumulativeGasUsed']))
      expect(toHex(r.logsBloom)).toBe(json['logsBloom'])
      expect(r.logs.map((l) => ({ address: toHex(l.address), topics: l.topics.map(toHex), data: toHex(l.data) }))).toEqual(
        json['logs'].map((l: any) => ({ address: l.address, topics: l.topics, data: l.data })),
      )
    })
  })

  it('encodes typed receipts as type || rlp(...) and legacy ones as a bare list (EIP-2718)', () => {
    for (const r of receipts) {
      const enc = encodeReceipt(r)
      if (r.type === 0) expect(enc[0]).toBeGreaterThanOrEqual(0xc0)
      else expect(enc[0]).toBe(r.type)
      const items = RLP.decode(r.type === 0 ? enc : enc.subarray(1)) as Uint8Array[]
      expect(items).toHaveLength(4)
      expect(items[0]).toEqual(r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0)) // EIP-658
      expect(decodeReceipt(enc)).toEqual(r)
    }
  })
})

describe('go-ethereum vectors', () => {
  // core/types/receipt_test.go, TestTypedReceiptEncodingDecoding: an RLP list of four EIP-2930 receipts, each
  // wrapped as a byte string (the network form). Written here compactly: the 256-byte blooms are all zero.
  const bloom = '00'.repeat(256)
  const bundle =
    'f9043e' +
    [
      ['b9010c', '01f90108018262d4'],
      ['b9010c', '01f9010801' + '82cd14'],
      ['b9010d', '01f901090183013754'],
      ['b9010d', '01f90109018301a194'],
    ]
      .map(([wrap, head]) => `${wrap}${head}b90100${bloom}c0`)
      .join('')

  it('decodes the four type-1 receipts and re-encodes them byte for byte', () => {
    const wrapped = RLP.decode(hexToBytes(bundle)) as Uint8Array[]
    expect(wrapped).toHaveLength(4)
    const gas = [0x62d4n, 0xcd14n, 0x013754n, 0x01a194n]
    wrapped.forEach((bytes, i) => {
      const r = decodeReceipt(bytes)
      expect(r).toEqual({ type: 1, status: 1, cumulativeGasUsed: gas[i], logsBloom: zeroBloom, logs: [] })
      expect(encodeReceipt(r)).toEqual(bytes)
    })
  })

  it("rejects geth's empty typed receipt (0x80)", () => {
    expectCode(() => decodeReceipt(Uint8Array.of(0x80)), EVM_RECEIPT_MALFORMED)
  })
})

describe('pre-Byzantium receipts carry the post-transaction state root', () => {
  const root = hexToBytes('0x' + 'ab'.repeat(32))
  const r: Receipt = { type: 0, root, cumulativeGasUsed: 21000n, logsBloom: zeroBloom, logs: [] }

  it('encodes rlp([root, gas, bloom, logs]) and decodes it back', () => {
    const enc = encodeReceipt(r)
    expect(toHex(enc)).toBe(`0xf90128a0${'ab'.repeat(32)}825208b90100${'00'.repeat(256)}c0`)
    expect(decodeReceipt(enc)).toEqual(r)
  })

  it('is read from JSON-RPC `root`', () => {
    const json = { root: toHex(root), cumulativeGasUsed: '0x5208', logsBloom: toHex(zeroBloom), logs: [] }
    expect(receiptFromRpc(json)).toEqual(r)
    // a node that still sends `type: 0x0` with a root is fine; `root: "0x"` with a status counts as no root
    expect(receiptFromRpc({ ...json, type: '0x0' })).toEqual(r)
    expect(receiptFromRpc({ ...json, root: '0x', status: '0x1' }).status).toBe(1)
  })

  it('never on a typed receipt', () => {
    expectCode(() => encodeReceipt({ ...r, type: 2 }), EVM_RECEIPT_MALFORMED)
    const typed = Uint8Array.of(2, ...encodeReceipt(r))
    expectCode(() => decodeReceipt(typed), EVM_RECEIPT_MALFORMED)
  })
})

describe('malformed receipts', () => {
  const base = prague.receipts.find((j) => j['logs'].length > 0)!
  const good = receiptFromRpc(base)
  const payload = (items: unknown[]) => RLP.encode(items as never)
  const goodItems = () => RLP.decode(encodeReceipt(good).subarray(good.type === 0 ? 0 : 1)) as any[]

  const bytesCases: [string, () => Uint8Array][] = [
    ['empty input', () => new Uint8Array(0)],
    ['unknown type 0x05', () => Uint8Array.of(5, ...payload(goodItems()))],
    ['type byte 0x00', () => Uint8Array.of(0, ...payload(goodItems()))],
    ['an RLP string', () => RLP.encode(Uint8Array.of(1, 2, 3))],
    ['three fields', () => payload(goodItems().slice(0, 3))],
    ['status 0x02', () => payload([Uint8Array.of(2), ...goodItems().slice(1)])],
    ['status as the byte 0x00 (EIP-658 writes failure as empty)', () => payload([Uint8Array.of(0), ...goodItems().slice(1)])],
    ['a 31-byte root', () => payload([new Uint8Array(31).fill(1), ...goodItems().slice(1)])],
    ['gas with a leading zero', () => payload([Uint8Array.of(1), Uint8Array.of(0, 1), ...goodItems().slice(2)])],
    ['a 255-byte bloom', () => payload([...goodItems().slice(0, 2), new Uint8Array(255), goodItems()[3]])],
    ['a 19-byte log address', () => payload([...goodItems().slice(0, 3), [[new Uint8Array(19), [], new Uint8Array(0)]]])],
    ['five topics', () => payload([...goodItems().slice(0, 3), [[new Uint8Array(20), Array(5).fill(new Uint8Array(32)), new Uint8Array(0)]]])],
    ['a 31-byte topic', () => payload([...goodItems().slice(0, 3), [[new Uint8Array(20), [new Uint8Array(31)], new Uint8Array(0)]]])],
    ['a log with two fields', () => payload([...goodItems().slice(0, 3), [[new Uint8Array(20), []]]])],
    ['logs as a string', () => payload([...goodItems().slice(0, 3), new Uint8Array(2)])],
    ['trailing bytes', () => Uint8Array.of(...encodeReceipt(good), 0)],
  ]
  for (const [name, make] of bytesCases) {
    it(`decode rejects ${name}`, () => {
      expectCode(() => decodeReceipt(make()), EVM_RECEIPT_MALFORMED)
    })
  }

  const jsonCases: [string, Record<string, unknown>, string][] = [
    ['missing logsBloom', { logsBloom: undefined }, 'logsBloom'],
    ['short logsBloom', { logsBloom: '0x00' }, 'logsBloom'],
    ['bad cumulativeGasUsed', { cumulativeGasUsed: '0xnope' }, 'cumulativeGasUsed'],
    ['unknown type', { type: '0x7' }, 'type'],
    ['status 0x2', { status: '0x2' }, 'status'],
    ['no status and no root', { status: undefined }, 'status'],
    ['status and root', { root: '0x' + '11'.repeat(32) }, 'root'],
    ['logs not an array', { logs: {} }, 'logs'],
    ['bad log address', { logs: [{ ...base['logs'][0], address: '0x12' }] }, 'logs[0].address'],
    ['bad topic', { logs: [{ ...base['logs'][0], topics: ['0x12'] }] }, 'logs[0].topics[0]'],
    ['five topics', { logs: [{ ...base['logs'][0], topics: Array(5).fill('0x' + '00'.repeat(32)) }] }, 'logs[0].topics'],
  ]
  for (const [name, patch, field] of jsonCases) {
    it(`receiptFromRpc rejects ${name}, naming ${field}`, () => {
      const e = expectCode(() => receiptFromRpc({ ...base, ...patch }), EVM_RECEIPT_MALFORMED)
      expect(String(e.details?.['field'])).toContain(field)
    })
  }

  it('encodeReceipt refuses an inconsistent object', () => {
    expectCode(() => encodeReceipt({ ...good, type: 9 }), EVM_RECEIPT_MALFORMED)
    expectCode(() => encodeReceipt({ ...good, status: 2 as 1 }), EVM_RECEIPT_MALFORMED)
    expectCode(() => encodeReceipt({ ...good, root: new Uint8Array(32) }), EVM_RECEIPT_MALFORMED)
    expectCode(() => encodeReceipt({ ...good, cumulativeGasUsed: -1n }), EVM_RECEIPT_MALFORMED)
  })
})

describe('round trip (property)', () => {
  it('decode(encode(r)) = r and encode(decode(b)) = b', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
    const log = fc.record({ address: bytes(20), topics: fc.array(bytes(32), { maxLength: 4 }), data: fc.uint8Array({ maxLength: 80 }) })
    const common = {
      cumulativeGasUsed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      logsBloom: bytes(256),
      logs: fc.array(log, { maxLength: 4 }),
    }
    const receipt: fc.Arbitrary<Receipt> = fc.oneof(
      fc.record({ type: fc.constantFrom(0, 1, 2, 3, 4), status: fc.constantFrom(0 as const, 1 as const), ...common }),
      fc.record({ type: fc.constant(0), root: bytes(32), ...common }),
    )
    fc.assert(
      fc.property(receipt, (r) => {
        const enc = encodeReceipt(r)
        const back = decodeReceipt(enc)
        expect(back).toEqual(r)
        expect(encodeReceipt(back)).toEqual(enc)
      }),
      { numRuns: 300 },
    )
  })
})
