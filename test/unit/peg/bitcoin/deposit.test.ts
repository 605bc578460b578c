// Deposit addresses (pay-to-contract): the vector tables of PROTOCOL.md recomputed independently of peg/ — the tagged
// hash with node:crypto SHA-256, the point arithmetic with noble-curves, the script and address with bitcoinjs-lib's
// payments — and the tweak's algebra (the tweaked private key signs for the tweaked public key).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { networks, payments } from 'bitcoinjs-lib'
import fc from 'fast-check'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../../spv/base/bytes.js'
import { mainnet, regtest } from '../../../../spv/bitcoin/networks.js'
import {
  addressNetworkFor,
  checkTweak,
  createFederation,
  depositAddress,
  depositPublicKeys,
  depositScriptPubKey,
  depositTweak,
  depositWitnessScript,
  federationAddress,
  federationDescriptor,
  federationScriptPubKey,
  SECP256K1_ORDER,
  tweakPrivateKey,
  tweakPublicKey,
} from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, bob, CHAIN_ID, fed, memberPrivs, memberPubs, OTHER_CHAIN_ID } from './fixtures.js'

// --- the independent reference: no peg/ code below this line until the tests ---
const nodeSha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
function referenceTweak(p: Uint8Array, chainId: bigint, recipient: Uint8Array): Uint8Array {
  const tag = nodeSha256(Buffer.from('Causeway/deposit', 'ascii'))
  const id = Buffer.alloc(8)
  id.writeBigUInt64BE(chainId)
  return nodeSha256(tag, tag, p, id, recipient)
}
function referenceTweakedKey(p: Uint8Array, t: Uint8Array): Uint8Array {
  const point = secp256k1.Point.fromHex(bytesToHex(p)).add(secp256k1.Point.BASE.multiply(BigInt(`0x${bytesToHex(t)}`)))
  return point.toBytes(true)
}
function referenceDeposit(keys: Uint8Array[], k: number, chainId: bigint, recipient: Uint8Array, network: typeof networks.bitcoin) {
  const tweaked = keys.map((p) => referenceTweakedKey(p, referenceTweak(p, chainId, recipient)))
  tweaked.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return payments.p2wsh({ redeem: payments.p2ms({ m: k, pubkeys: tweaked, network }), network })
}

// --- PROTOCOL.md's tables ---
const protocol = readFileSync(new URL('../../../../peg/bitcoin/PROTOCOL.md', import.meta.url), 'utf8')
function tableAfter(heading: string): string[][] {
  const lines = protocol.slice(protocol.indexOf(heading)).split('\n')
  const start = lines.findIndex((l) => l.startsWith('| '))
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('| ')) break
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replaceAll('`', '')))
  }
  return rows
}
const tweakRows = tableAfter('Tweaks:')
const addressRows = tableAfter('Deposit addresses of the 2-of-3 vector federation:')
const scalarKey = (n: number): Uint8Array => secp256k1.Point.BASE.multiply(BigInt(n)).toBytes(true)
const vectorFed = createFederation([scalarKey(1), scalarKey(2), scalarKey(3)], 2)

describe('PROTOCOL.md vectors', () => {
  it('has the tables (5 tweaks, 3 addresses)', () => {
    expect(tweakRows).toHaveLength(5)
    expect(addressRows).toHaveLength(3)
  })

  it.each(tweakRows)('tweak of %s for chain %s, recipient %s', (p, chainId, recipient, t, tweaked) => {
    const P = hexToBytes(p!, 'P', 33)
    const R = hexToBytes(recipient!, 'recipient', 20)
    const id = BigInt(chainId!)
    expect(bytesToHex(referenceTweak(P, id, R))).toBe(t)
    expect(bytesToHex(referenceTweakedKey(P, hexToBytes(t!)))).toBe(tweaked)
    expect(bytesToHex(depositTweak(P, id, R))).toBe(t)
    expect(bytesToHex(tweakPublicKey(P, hexToBytes(t!)))).toBe(tweaked)
  })

  it.each(addressRows)('deposit address for chain %s, recipient %s', (chainId, recipient, spk, bcrt, rb, bc) => {
    const R = hexToBytes(recipient!, 'recipient', 20)
    const id = BigInt(chainId!)
    const ref = referenceDeposit([...vectorFed.pubkeys], 2, id, R, networks.regtest)
    expect(bytesToHex(ref.output!)).toBe(spk)
    expect(ref.address).toBe(bcrt)
    expect(referenceDeposit([...vectorFed.pubkeys], 2, id, R, networks.bitcoin).address).toBe(bc)
    expect(bytesToHex(depositScriptPubKey(vectorFed, id, R))).toBe(spk)
    expect(depositAddress(vectorFed, id, R, addressNetworkFor(regtest))).toBe(bcrt)
    expect(depositAddress(vectorFed, id, R, addressNetworkFor(regtest, 'rb'))).toBe(rb)
    expect(depositAddress(vectorFed, id, R, addressNetworkFor(mainnet))).toBe(bc)
  })

  it('the plain address and descriptor quoted in the text', () => {
    expect(protocol).toContain(federationDescriptor(vectorFed))
    expect(protocol).toContain(federationAddress(vectorFed, addressNetworkFor(regtest)))
    expect(protocol).toContain(bytesToHex(federationScriptPubKey(vectorFed)))
  })
})

describe('deposit tweak', () => {
  it('matches the reference for the test federation', () => {
    for (const p of memberPubs) {
      expect(bytesToHex(depositTweak(p, CHAIN_ID, alice))).toBe(bytesToHex(referenceTweak(p, CHAIN_ID, alice)))
    }
    const ref = referenceDeposit([...fed.pubkeys], 2, CHAIN_ID, alice, networks.regtest)
    expect(bytesToHex(depositScriptPubKey(fed, CHAIN_ID, alice))).toBe(bytesToHex(ref.output!))
    expect(bytesToHex(depositWitnessScript(fed, CHAIN_ID, alice))).toBe(bytesToHex(ref.redeem!.output!))
  })

  it('binds the recipient, the chain id and the key', () => {
    const a = depositScriptPubKey(fed, CHAIN_ID, alice)
    expect(bytesToHex(depositScriptPubKey(fed, CHAIN_ID, bob))).not.toBe(bytesToHex(a))
    expect(bytesToHex(depositScriptPubKey(fed, OTHER_CHAIN_ID, alice))).not.toBe(bytesToHex(a))
    expect(bytesToHex(depositScriptPubKey(fed, CHAIN_ID, alice))).toBe(bytesToHex(a))
    expect(bytesToHex(federationScriptPubKey(fed))).not.toBe(bytesToHex(a))
    expect(bytesToHex(depositTweak(memberPubs[0]!, CHAIN_ID, alice))).not.toBe(bytesToHex(depositTweak(memberPubs[1]!, CHAIN_ID, alice)))
  })

  it('the tweaked private key is the key of the tweaked public key, and signs for it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.nat(2), (r, id, m) => {
        const t = depositTweak(memberPubs[m]!, id, r)
        const d = tweakPrivateKey(memberPrivs[m]!, t)
        const P = tweakPublicKey(memberPubs[m]!, t)
        expect(bytesToHex(ecc.pointFromScalar(d, true)!)).toBe(bytesToHex(P))
        expect(bytesToHex(depositPublicKeys(fed, id, r)[m]!)).toBe(bytesToHex(P))
        const h = nodeSha256(r)
        expect(ecc.verify(h, P, ecc.sign(h, d))).toBe(true)
      }),
      { numRuns: 40 },
    )
  })

  it('refuses tweaks at or above the curve order (BIP341 rule), and bad inputs', () => {
    const n = hexToBytes(SECP256K1_ORDER.toString(16), 'n', 32)
    expectCode(() => checkTweak(n), 'PEG_TWEAK_INVALID')
    expectCode(() => tweakPublicKey(memberPubs[0]!, n), 'PEG_TWEAK_INVALID')
    expectCode(() => tweakPrivateKey(memberPrivs[0]!, new Uint8Array(32).fill(0xff)), 'PEG_TWEAK_INVALID')
    expectCode(() => tweakPublicKey(memberPubs[0]!, new Uint8Array(31)), 'PEG_TWEAK_INVALID')
    // d + t = 0 mod n: t = n − d
    const minusD = hexToBytes((SECP256K1_ORDER - BigInt(`0x${bytesToHex(memberPrivs[0]!)}`)).toString(16).padStart(64, '0'))
    expectCode(() => tweakPrivateKey(memberPrivs[0]!, minusD), 'PEG_TWEAK_INVALID')
    expectCode(() => tweakPublicKey(memberPubs[0]!, minusD), 'PEG_TWEAK_INVALID')
    expectCode(() => depositTweak(memberPubs[0]!, CHAIN_ID, new Uint8Array(32)), 'PEG_RECIPIENT_INVALID')
    expectCode(() => depositTweak(memberPubs[0]!, -1n, alice), 'PEG_CHAIN_ID_INVALID')
    expectCode(() => depositTweak(memberPubs[0]!, 1n << 64n, alice), 'PEG_CHAIN_ID_INVALID')
    expectCode(() => depositTweak(new Uint8Array(33), CHAIN_ID, alice), 'PEG_PUBKEY_INVALID')
    expectCode(() => tweakPrivateKey(new Uint8Array(32), new Uint8Array(32)), 'PEG_PRIVATE_KEY_INVALID')
  })
})
