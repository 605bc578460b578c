// Peg-out request rules: every supported address type on every network, the wrong-network cases a user can
// really paste (mainnet on regtest, testnet on regtest, Core's bcrt where bcoin's rb is expected), invalid
// encodings, and the satoshi rules for the value.
import { address as btcAddress } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { mainnet, regtest, signet, testnet3 } from '../../../../spv/bitcoin/networks.js'
import { addressNetworkFor, classifyOutputScript, pegOutSats, parsePegOutAddress, WEI_PER_SAT, type AddressNetwork } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'
import { bcrtNet, pubOf, rbNet, sha256, testKey } from './fixtures.js'

const mainNet = addressNetworkFor(mainnet)
const testNet = addressNetworkFor(testnet3)
const signetNet = addressNetworkFor(signet)
const h20 = new Uint8Array(20).fill(0x11)
const h32 = new Uint8Array(32).fill(0x22)
const xonly = pubOf(testKey('taproot output')).subarray(1)

/** One address of each type on `net`, with the scriptPubKey it must give. */
function addressesOf(net: AddressNetwork): [string, string, string][] {
  return [
    ['p2pkh', btcAddress.toBase58Check(h20, net.pubKeyHash), `76a914${bytesToHex(h20)}88ac`],
    ['p2sh', btcAddress.toBase58Check(h20, net.scriptHash), `a914${bytesToHex(h20)}87`],
    ['p2wpkh', btcAddress.toBech32(h20, 0, net.bech32), `0014${bytesToHex(h20)}`],
    ['p2wsh', btcAddress.toBech32(h32, 0, net.bech32), `0020${bytesToHex(h32)}`],
    ['p2tr', btcAddress.toBech32(xonly, 1, net.bech32), `5120${bytesToHex(xonly)}`],
  ]
}

describe('parsePegOutAddress', () => {
  const nets: [string, AddressNetwork][] = [
    ['mainnet', mainNet],
    ['testnet', testNet],
    ['regtest (Core)', bcrtNet],
    ['regtest (bcoin)', rbNet],
  ]
  for (const [name, net] of nets) {
    it.each(addressesOf(net))(`accepts %s on ${name}`, (type, addr, spk) => {
      const script = parsePegOutAddress(addr, net)
      expect(bytesToHex(script)).toBe(spk)
      expect(classifyOutputScript(script)).toBe(type)
    })
  }

  it('accepts the BIP173 and BIP350 example addresses, in upper case too', () => {
    expect(bytesToHex(parsePegOutAddress('BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', mainNet))).toBe('0014751e76e8199196d454941c45d1b3a323f1433bd6')
    expect(bytesToHex(parsePegOutAddress('tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', testNet))).toBe(
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
    )
    expect(bytesToHex(parsePegOutAddress('bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', mainNet))).toBe(
      '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
    )
  })

  it('PEG_ADDRESS_UNSUPPORTED for taproot when turned off (bcoin 1.0.2 will not relay P2TR outputs); others unaffected', () => {
    const [p2tr, ...rest] = [...addressesOf(rbNet)].reverse()
    expectCode(() => parsePegOutAddress(p2tr![1], rbNet, { allowTaproot: false }), 'PEG_ADDRESS_UNSUPPORTED')
    for (const [, addr] of rest) expect(parsePegOutAddress(addr, rbNet, { allowTaproot: false })).toBeInstanceOf(Uint8Array)
    // the network is checked first
    expectCode(() => parsePegOutAddress(addressesOf(mainNet)[4]![1], rbNet, { allowTaproot: false }), 'PEG_ADDRESS_WRONG_NETWORK')
  })

  it('test networks share base58 versions (as in Core), but not bech32 prefixes', () => {
    const [, p2pkh] = addressesOf(testNet)[0]!
    expect(parsePegOutAddress(p2pkh, bcrtNet)).toBeInstanceOf(Uint8Array)
    expect(parsePegOutAddress(p2pkh, rbNet)).toBeInstanceOf(Uint8Array)
    expect(parsePegOutAddress(addressesOf(testNet)[2]![1], signetNet)).toBeInstanceOf(Uint8Array) // signet uses tb
  })

  const wrong: [string, AddressNetwork, string][] = [
    ...addressesOf(mainNet).map(([t, a]): [string, AddressNetwork, string] => [`mainnet ${t} on bcoin regtest`, rbNet, a]),
    ...addressesOf(mainNet).map(([t, a]): [string, AddressNetwork, string] => [`mainnet ${t} on testnet`, testNet, a]),
    ...addressesOf(testNet).map(([t, a]): [string, AddressNetwork, string] => [`testnet ${t} on mainnet`, mainNet, a]),
    ...addressesOf(testNet).slice(2).map(([t, a]): [string, AddressNetwork, string] => [`testnet (tb) ${t} on regtest`, bcrtNet, a]),
    ...addressesOf(bcrtNet).slice(2).map(([t, a]): [string, AddressNetwork, string] => [`Core regtest (bcrt) ${t} on bcoin regtest (rb)`, rbNet, a]),
    ...addressesOf(rbNet).slice(2).map(([t, a]): [string, AddressNetwork, string] => [`bcoin regtest (rb) ${t} on Core regtest (bcrt)`, bcrtNet, a]),
    ['a Litecoin-style base58 version', mainNet, btcAddress.toBase58Check(h20, 0x30)],
    ['another chain’s bech32 prefix', mainNet, btcAddress.toBech32(h20, 0, 'ltc')],
  ]
  it.each(wrong)('PEG_ADDRESS_WRONG_NETWORK: %s', (_, net, addr) => {
    expectCode(() => parsePegOutAddress(addr, net), 'PEG_ADDRESS_WRONG_NETWORK')
  })

  const good = addressesOf(bcrtNet)
  const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'q' ? 'p' : 'q') + s.slice(i + 1)
  const invalid: [string, unknown][] = [
    ['an empty string', ''],
    ['spaces around', ` ${good[2]![1]} `],
    ['a bech32 checksum error', flip(good[2]![1], good[2]![1].length - 3)],
    ['a base58 checksum error', good[0]![1].slice(0, -1) + (good[0]![1].endsWith('1') ? '2' : '1')],
    ['mixed case bech32', good[2]![1].slice(0, 6).toUpperCase() + good[2]![1].slice(6)],
    ['version 0 in bech32m (BIP350)', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh'],
    ['version 1 in bech32 (BIP350)', btcBech32Legacy(1, xonly)],
    ['a v0 program of 21 bytes', btcAddress.toBech32(new Uint8Array(21), 0, 'bcrt')],
    ['a v1 program of 20 bytes', btcAddress.toBech32(h20, 1, 'bcrt')],
    ['witness version 2 (future segwit)', btcAddress.toBech32(h20, 2, 'bcrt')],
    ['witness version 16', btcAddress.toBech32(Uint8Array.of(1, 2), 16, 'bcrt')],
    ['a taproot output key that is not a point', btcAddress.toBech32(new Uint8Array(32).fill(0xff), 1, 'bcrt')],
    ['a base58check payload of 22 bytes', base58check(Uint8Array.of(0x6f, ...new Uint8Array(21)))],
    ['a base58check payload of 20 bytes', base58check(Uint8Array.of(0x6f, ...new Uint8Array(19)))],
    ['hex of a script', '0014751e76e8199196d454941c45d1b3a323f1433bd6'],
    ['an Ethereum address', '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'],
    ['a very long string', 'bcrt1q' + 'q'.repeat(100)],
    ['not a string', 42],
  ]
  it.each(invalid)('PEG_ADDRESS_INVALID: %s', (_, addr) => {
    expectCode(() => parsePegOutAddress(addr as string, bcrtNet), 'PEG_ADDRESS_INVALID')
  })
})

// A version-1 program under the original bech32 checksum, which BIP350 forbids (bitcoinjs-lib writes only bech32m
// for v1, so the checksum is computed here, from BIP173's definition).
function btcBech32Legacy(version: number, program: Uint8Array): string {
  // bech32 (not bech32m) checksum over [version, ...5-bit program]
  const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
  const hrp = 'bcrt'
  const words = [version, ...toWords(program)]
  const polymod = (values: number[]): number => {
    const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    let chk = 1
    for (const v of values) {
      const b = chk >>> 25
      chk = ((chk & 0x1ffffff) << 5) ^ v
      for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= GEN[i]!
    }
    return chk
  }
  const expand = [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31))
  const mod = polymod([...expand, ...words, 0, 0, 0, 0, 0, 0]) ^ 1
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31)
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`
}
/** Base58check of any payload (bitcoinjs-lib only encodes 21-byte ones). */
function base58check(payload: Uint8Array): string {
  const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  const check = sha256(sha256(payload)).subarray(0, 4)
  const bytes = Uint8Array.of(...payload, ...check)
  let n = BigInt(`0x${bytesToHex(bytes)}`)
  let out = ''
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)]! + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = '1' + out
  }
  return out
}
function toWords(bytes: Uint8Array): number[] {
  let acc = 0
  let bits = 0
  const out: number[] = []
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out.push((acc >>> bits) & 31)
    }
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31)
  return out
}

describe('pegOutSats', () => {
  it('converts whole satoshis', () => {
    expect(WEI_PER_SAT).toBe(10_000_000_000n)
    expect(pegOutSats(123_456n * WEI_PER_SAT, 1_000n)).toBe(123_456n)
    expect(pegOutSats(1_000n * WEI_PER_SAT, 1_000n)).toBe(1_000n)
    expect(pegOutSats(0n, 0n)).toBe(0n)
  })

  it('refuses a fraction of a satoshi, even one wei', () => {
    expectCode(() => pegOutSats(123_456n * WEI_PER_SAT + 1n, 1_000n), 'PEG_NOT_WHOLE_SATOSHI')
    expectCode(() => pegOutSats(WEI_PER_SAT - 1n, 0n), 'PEG_NOT_WHOLE_SATOSHI')
    expectCode(() => pegOutSats(10n ** 18n + 5n * 10n ** 9n, 0n), 'PEG_NOT_WHOLE_SATOSHI')
  })

  it('refuses below the minimum', () => {
    const e = expectCode(() => pegOutSats(999n * WEI_PER_SAT, 1_000n), 'PEG_BELOW_MINIMUM')
    expect(e.details).toMatchObject({ sats: '999', minSats: '1000' })
    expectCode(() => pegOutSats(0n, 1n), 'PEG_BELOW_MINIMUM')
  })

  it('refuses negative values and more than 21 million BTC', () => {
    expectCode(() => pegOutSats(-WEI_PER_SAT, 0n), 'PEG_AMOUNT_INVALID')
    expectCode(() => pegOutSats((21_000_000n * 100_000_000n + 1n) * WEI_PER_SAT, 0n), 'PEG_AMOUNT_INVALID')
    expectCode(() => pegOutSats(5 as unknown as bigint, 0n), 'PEG_AMOUNT_INVALID')
  })
})
