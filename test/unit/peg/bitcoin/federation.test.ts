// The federation's script, address and descriptor: validation codes, BIP67 order, and cross-checks against
// bitcoinjs-lib's own payments (p2ms, p2wsh) and Bitcoin Core's descriptor checksums.
import { readFileSync } from 'node:fs'
import { networks, payments } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { mainnet, regtest, testnet4 } from '../../../../spv/bitcoin/networks.js'
import {
  addDescriptorChecksum,
  addressNetworkFor,
  checkDescriptorChecksum,
  createFederation,
  descriptorChecksum,
  federationAddress,
  federationDescriptor,
  federationScriptPubKey,
  federationWitnessScript,
  memberIndexOf,
  p2wshScriptPubKey,
  sortedMultisigScript,
} from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { bcrtNet, fed, memberPubs, pubOf, rbNet, testKey } from './fixtures.js'

const keys = Array.from({ length: 16 }, (_, i) => pubOf(testKey(`federation ${i}`)))

describe('createFederation', () => {
  it('keeps the keys in the given order, copied and frozen', () => {
    const first = Uint8Array.from(keys[2]!)
    const input = [first, keys[0]!, keys[1]!]
    const f = createFederation(input, 2)
    expect(f.pubkeys.map(bytesToHex)).toEqual(input.map(bytesToHex))
    expect(Object.isFrozen(f)).toBe(true)
    expect(Object.isFrozen(f.pubkeys)).toBe(true)
    first[5] = first[5]! ^ 1 // the caller's bytes change; the federation's do not
    expect(bytesToHex(f.pubkeys[0]!)).toBe(bytesToHex(keys[2]!))
  })

  it('accepts 1-of-1 and 15-of-15', () => {
    expect(createFederation([keys[0]!], 1).threshold).toBe(1)
    expect(createFederation(keys.slice(0, 15), 15).pubkeys).toHaveLength(15)
  })

  it.each([
    ['no keys', [] as Uint8Array[], 1],
    ['16 keys', keys, 2],
    ['threshold 0', keys.slice(0, 3), 0],
    ['threshold above n', keys.slice(0, 3), 4],
    ['fractional threshold', keys.slice(0, 3), 1.5],
  ])('refuses %s (PEG_FEDERATION_INVALID)', (_, pubkeys, k) => {
    expectCode(() => createFederation(pubkeys, k), 'PEG_FEDERATION_INVALID')
  })

  it('refuses keys that are not 33-byte compressed points on the curve', () => {
    const uncompressed = new Uint8Array(65)
    uncompressed[0] = 4
    const offCurve = keys[0]!.slice()
    offCurve[0] = 0x05
    const notX = Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff)) // x ≥ p
    for (const bad of [uncompressed, offCurve, notX, keys[0]!.subarray(0, 32), new Uint8Array(33)]) {
      expectCode(() => createFederation([keys[1]!, bad], 1), 'PEG_FEDERATION_INVALID')
    }
  })

  it('refuses a key twice (PEG_DUPLICATE_MEMBER), naming both positions', () => {
    const e = expectCode(() => createFederation([keys[0]!, keys[1]!, keys[0]!.slice()], 2), 'PEG_DUPLICATE_MEMBER')
    expect(e.details).toMatchObject({ index: 2, first: 0 })
    expectCode(() => sortedMultisigScript([keys[3]!, keys[3]!], 1), 'PEG_DUPLICATE_MEMBER')
  })

  it('finds members by key', () => {
    expect(memberIndexOf(fed, memberPubs[2]!)).toBe(2)
    expectCode(() => memberIndexOf(fed, keys[9]!), 'PEG_NOT_A_MEMBER')
  })
})

describe('sortedMultisigScript', () => {
  it('is bitcoinjs-lib p2ms over the BIP67-sorted keys, whatever the given order', () => {
    const set = keys.slice(0, 5)
    const sorted = [...set].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    const expected = payments.p2ms({ m: 3, pubkeys: sorted }).output!
    expect(bytesToHex(sortedMultisigScript(set, 3))).toBe(bytesToHex(expected))
    expect(bytesToHex(sortedMultisigScript([...set].reverse(), 3))).toBe(bytesToHex(expected))
  })

  it('has the documented layout: OP_k, 33-byte pushes, OP_n, OP_CHECKMULTISIG', () => {
    const s = federationWitnessScript(fed)
    expect(s.length).toBe(3 + 34 * 3)
    expect(s[0]).toBe(0x52) // OP_2
    expect(s[s.length - 2]).toBe(0x53) // OP_3
    expect(s[s.length - 1]).toBe(0xae)
  })

  it('uses BIP67 order from the BIP itself: 02ff… sorts before 03…, byte by byte', () => {
    const a = keys.find((k) => k[0] === 0x02)!
    const b = keys.find((k) => k[0] === 0x03)!
    const s = sortedMultisigScript([b, a], 2)
    expect(bytesToHex(s.subarray(2, 35))).toBe(bytesToHex(a))
  })
})

describe('federation address', () => {
  it('is bitcoinjs-lib p2wsh of the witness script on every network', () => {
    const redeem = { output: federationWitnessScript(fed) }
    const ref = payments.p2wsh({ redeem, network: networks.regtest })
    expect(bytesToHex(federationScriptPubKey(fed))).toBe(bytesToHex(ref.output!))
    expect(bytesToHex(p2wshScriptPubKey(federationWitnessScript(fed)))).toBe(bytesToHex(ref.output!))
    expect(federationAddress(fed, bcrtNet)).toBe(ref.address)
    expect(federationAddress(fed, addressNetworkFor(mainnet))).toBe(payments.p2wsh({ redeem, network: networks.bitcoin }).address)
    expect(federationAddress(fed, addressNetworkFor(testnet4))).toBe(payments.p2wsh({ redeem, network: networks.testnet }).address)
    expect(federationAddress(fed, rbNet).startsWith('rb1q')).toBe(true)
    expect(federationAddress(fed, bcrtNet).startsWith('bcrt1q')).toBe(true)
  })

  it('addressNetworkFor gives bitcoinjs-lib networks and refuses bad prefixes', () => {
    expect(addressNetworkFor(regtest)).toEqual(networks.regtest)
    expect(addressNetworkFor(mainnet)).toEqual(networks.bitcoin)
    expect(addressNetworkFor(regtest, 'rb').bech32).toBe('rb')
    expect(Object.isFrozen(rbNet)).toBe(true)
    for (const bad of ['', 'RB', 'r b', 'x'.repeat(84)]) expectCode(() => addressNetworkFor(regtest, bad), 'PEG_NETWORK_INVALID')
  })
})

interface DescriptorVectors {
  valid: { descriptor: string; checksum: string; source: string }[]
  invalid: { descriptor: string; reason: string }[]
}
const vectors = JSON.parse(readFileSync(new URL('../../../vectors/peg/descriptor-checksums.json', import.meta.url), 'utf8')) as DescriptorVectors

describe('descriptor checksum (BIP380)', () => {
  it.each(vectors.valid)('matches Bitcoin Core: $checksum ($source)', ({ descriptor, checksum }) => {
    expect(descriptorChecksum(descriptor)).toBe(checksum)
    expect(checkDescriptorChecksum(`${descriptor}#${checksum}`)).toBe(descriptor)
  })

  it.each(vectors.invalid)('refuses $reason', ({ descriptor }) => {
    expectCode(() => checkDescriptorChecksum(descriptor), 'PEG_DESCRIPTOR_INVALID')
  })

  it('refuses characters outside the descriptor alphabet', () => {
    expectCode(() => descriptorChecksum('wsh(é)'), 'PEG_DESCRIPTOR_INVALID')
    expectCode(() => descriptorChecksum('raw(\n)'), 'PEG_DESCRIPTOR_INVALID')
  })

  it('federationDescriptor is wsh(sortedmulti(k, keys in member order)) with its checksum', () => {
    const d = federationDescriptor(fed)
    const body = `wsh(sortedmulti(2,${memberPubs.map(bytesToHex).join(',')}))`
    expect(d).toBe(addDescriptorChecksum(body))
    expect(checkDescriptorChecksum(d)).toBe(body)
  })
})
