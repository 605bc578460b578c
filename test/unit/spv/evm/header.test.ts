// EVM header codec: real headers whose hash is known, Hardhat blocks of every header layout, RLP round trips, and
// coded errors naming the field for missing, malformed or inconsistent input.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { equalBytes, hexToBytes, toHex } from '../../../../spv/base/bytes.js'
import {
  EVM_BAD_HEADER,
  type EvmHeader,
  type EvmHeaderLayout,
  decodeEvmHeader,
  encodeEvmHeader,
  evmHeaderFromRpc,
  evmHeaderHash,
  evmHeaderLayout,
} from '../../../../spv/evm/index.js'
import { expectCode } from '../../../helpers/expect.js'

const vector = (name: string): any => JSON.parse(readFileSync(new URL(`../../../vectors/evm/${name}`, import.meta.url), 'utf8'))
const real = vector('real-headers.json').valid as { name: string; layout: EvmHeaderLayout; block: Record<string, unknown> }[]
const HARDHAT: [string, EvmHeaderLayout][] = [
  ['berlin', 'legacy'],
  ['london', 'london'],
  ['shanghai', 'shanghai'],
  ['cancun', 'cancun'],
  ['prague', 'prague'],
]
const pragueBlock = vector('hardhat-prague.json').block as Record<string, unknown>

const without = (obj: Record<string, unknown>, ...fields: string[]) =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => !fields.includes(k)))

describe('evm header: real vectors', () => {
  for (const v of real) {
    it(`${v.name}: hash matches`, () => {
      const h = evmHeaderFromRpc(v.block)
      expect(evmHeaderLayout(h)).toBe(v.layout)
      expect(toHex(evmHeaderHash(h))).toBe(v.block['hash'])
      const rlp = encodeEvmHeader(h)
      expect(decodeEvmHeader(rlp)).toEqual(h)
      expect(equalBytes(keccak_256(rlp), evmHeaderHash(h))).toBe(true)
    })
  }
})

describe('evm header: Hardhat 2 blocks, one per layout', () => {
  for (const [fork, layout] of HARDHAT) {
    it(`${fork} → ${layout}`, () => {
      const block = vector(`hardhat-${fork}.json`).block
      const h = evmHeaderFromRpc(block)
      expect(evmHeaderLayout(h)).toBe(layout)
      expect(toHex(evmHeaderHash(h))).toBe(block.hash)
      expect(h.number).toBe(BigInt(block.number))
      expect(toHex(h.receiptsRoot)).toBe(block.receiptsRoot)
    })
  }

  it('treats null optional fields as absent', () => {
    const berlin = vector('hardhat-berlin.json').block
    const h = evmHeaderFromRpc({ ...berlin, baseFeePerGas: null, withdrawalsRoot: null })
    expect(evmHeaderLayout(h)).toBe('legacy')
    expect(toHex(evmHeaderHash(h))).toBe(berlin.hash)
  })

  it('ignores non-header fields (hash, size, transactions, withdrawals…)', () => {
    const h = evmHeaderFromRpc({ ...pragueBlock, hash: '0x00', size: 'not a number', transactions: null })
    expect(toHex(evmHeaderHash(h))).toBe(pragueBlock['hash'])
  })
})

describe('evm header: inconsistent fork fields', () => {
  const cases: [string, string[]][] = [
    ['London field missing under Shanghai+', ['baseFeePerGas']],
    ['Shanghai field missing under Cancun+', ['withdrawalsRoot']],
    ['one Cancun field missing (EIP-4788 root)', ['parentBeaconBlockRoot']],
    ['one Cancun field missing (EIP-4844 gas)', ['blobGasUsed']],
    ['Prague without Cancun', ['blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot']],
  ]
  for (const [name, drop] of cases) {
    it(name, () => {
      const e = expectCode(() => evmHeaderFromRpc(without(pragueBlock, ...drop)), EVM_BAD_HEADER)
      expect(e.details?.['missing']).toEqual(expect.arrayContaining(drop))
    })
  }

  it('encodeEvmHeader refuses an inconsistent header object too', () => {
    const h = evmHeaderFromRpc(pragueBlock)
    const { withdrawalsRoot: _dropped, ...gap } = h
    expectCode(() => encodeEvmHeader(gap as EvmHeader), EVM_BAD_HEADER)
  })
})

describe('evm header: missing and malformed fields are named', () => {
  const legacyFields = [
    'parentHash', 'sha3Uncles', 'miner', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom',
    'difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'extraData', 'mixHash', 'nonce',
  ]
  for (const field of legacyFields) {
    it(`missing ${field}`, () => {
      const e = expectCode(() => evmHeaderFromRpc(without(pragueBlock, field)), EVM_BAD_HEADER)
      expect(e.details?.['field']).toContain(field)
      expect(e.message).toContain(field)
    })
  }

  const bad: [string, unknown][] = [
    ['parentHash', '0x' + '11'.repeat(31)],
    ['stateRoot', '0x' + '11'.repeat(33)],
    ['miner', '0x' + '22'.repeat(19)],
    ['logsBloom', '0x' + '00'.repeat(255)],
    ['nonce', '0x' + '00'.repeat(7)],
    ['mixHash', '0xzz' + '00'.repeat(31)],
    ['requestsHash', '0x123'],
    ['withdrawalsRoot', 42],
    ['number', '12'],
    ['number', '0x'],
    ['gasLimit', '0xg1'],
    ['timestamp', 17],
    ['gasUsed', '0x1' + '0'.repeat(16)], // 2^64: every client keeps gas in a uint64
    ['baseFeePerGas', '-0x1'],
  ]
  for (const [field, value] of bad) {
    it(`${field} = ${JSON.stringify(value)}`, () => {
      const e = expectCode(() => evmHeaderFromRpc({ ...pragueBlock, [field]: value }), EVM_BAD_HEADER)
      expect(String(e.details?.['field'])).toContain(field)
    })
  }

  it('rejects a non-object', () => {
    expectCode(() => evmHeaderFromRpc(null as unknown as object), EVM_BAD_HEADER)
    expectCode(() => evmHeaderFromRpc([] as unknown as object), EVM_BAD_HEADER)
  })

  it('accepts the largest uint64 block number and zero-padded quantities', () => {
    const h = evmHeaderFromRpc({ ...pragueBlock, number: '0xffffffffffffffff', gasUsed: '0x0000' })
    expect(h.number).toBe((1n << 64n) - 1n)
    expect(h.gasUsed).toBe(0n)
  })
})

describe('evm header: RLP', () => {
  const prague = evmHeaderFromRpc(pragueBlock)
  const items = RLP.decode(encodeEvmHeader(prague)) as Uint8Array[]

  it('writes 21 fields for Prague, zero as the empty string', () => {
    expect(items).toHaveLength(21)
    expect(items[7]).toEqual(new Uint8Array(0)) // difficulty 0 after the Merge
    expect(items[17]).toEqual(new Uint8Array(0)) // blobGasUsed 0
  })

  it('decodes what it encodes, byte for byte', () => {
    for (const [fork] of HARDHAT) {
      const rlp = encodeEvmHeader(evmHeaderFromRpc(vector(`hardhat-${fork}.json`).block))
      expect(encodeEvmHeader(decodeEvmHeader(rlp))).toEqual(rlp)
    }
  })

  const reencode = (list: Uint8Array[]) => RLP.encode(list)
  const rejects: [string, () => Uint8Array][] = [
    ['an unknown field count (18)', () => reencode(items.slice(0, 18))],
    ['too few fields (14)', () => reencode(items.slice(0, 14))],
    ['a number with a leading zero', () => reencode(items.map((x, i) => (i === 8 ? Uint8Array.of(0, ...x) : x)))],
    ['a 31-byte parent hash', () => reencode(items.map((x, i) => (i === 0 ? x.subarray(1) : x)))],
    ['a list in place of a hash', () => RLP.encode(items.map((x, i) => (i === 3 ? [x] : x)))],
    ['trailing bytes', () => Uint8Array.of(...encodeEvmHeader(prague), 0)],
    ['a byte string, not a list', () => RLP.encode(hexToBytes('0x1234'))],
    ['empty input', () => new Uint8Array(0)],
    ['a non-canonical length prefix', () => Uint8Array.of(0xb8, 0x01, 0x05)],
    ['a truncated list', () => encodeEvmHeader(prague).subarray(0, 100)],
  ]
  for (const [name, make] of rejects) {
    it(`rejects ${name}`, () => {
      expectCode(() => decodeEvmHeader(make()), EVM_BAD_HEADER)
    })
  }

  it('round-trips arbitrary headers of every layout (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
    const u256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })
    const header = fc.record({
      parentHash: bytes(32), sha3Uncles: bytes(32), miner: bytes(20), stateRoot: bytes(32),
      transactionsRoot: bytes(32), receiptsRoot: bytes(32), logsBloom: bytes(256),
      difficulty: u256, number: u64, gasLimit: u64, gasUsed: u64, timestamp: u64,
      extraData: fc.uint8Array({ maxLength: 120 }), mixHash: bytes(32), nonce: bytes(8),
      baseFeePerGas: u256, withdrawalsRoot: bytes(32), blobGasUsed: u64, excessBlobGas: u64,
      parentBeaconBlockRoot: bytes(32), requestsHash: bytes(32),
    })
    const counts = [15, 16, 17, 20, 21]
    fc.assert(
      fc.property(header, fc.constantFrom(...counts), (full, count) => {
        const names = [
          'parentHash', 'sha3Uncles', 'miner', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom',
          'difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'extraData', 'mixHash', 'nonce',
          'baseFeePerGas', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash',
        ]
        const h = Object.fromEntries(names.slice(0, count).map((n) => [n, (full as Record<string, unknown>)[n]])) as unknown as EvmHeader
        const rlp = encodeEvmHeader(h)
        expect(decodeEvmHeader(rlp)).toEqual(h)
        expect((RLP.decode(rlp) as Uint8Array[]).length).toBe(count)
        expect(evmHeaderHash(h)).toEqual(keccak_256(rlp))
      }),
      { numRuns: 200 },
    )
  })
})
