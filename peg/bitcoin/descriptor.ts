// Output-descriptor checksums (BIP380), so the federation's script can be imported into Bitcoin Core
// (`importdescriptors`) or any descriptor wallet as a watch-only wallet to audit the reserves.
//
// No library was taken for this: the one well-kept npm package that has it (@bitcoinerlab/descriptors) brings a
// miniscript compiler and BIP32 with it for forty lines of arithmetic. Written from BIP380's description and
// tested against the checksums in Bitcoin Core's src/test/descriptor_tests.cpp (test/vectors/peg/).
import { pegEnsure, pegFail } from './errors.js'

// The 95 characters a descriptor may use, in the order that gives each its value: the position's low five bits
// feed the BCH code directly, and the high bits (the "group", 0–2) are packed three at a time into one more symbol.
const INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
// The bech32 alphabet for the eight checksum symbols.
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

// Generator of the BCH code over GF(32) of degree 8 that BIP380 specifies, one constant per bit of the top symbol.
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn] as const

function polymod(c: bigint, value: number): bigint {
  const top = c >> 35n
  let next = ((c & 0x7ffffffffn) << 5n) ^ BigInt(value)
  for (let i = 0; i < 5; i++) {
    if ((top >> BigInt(i)) & 1n) next ^= GENERATOR[i]!
  }
  return next
}

/** The 8-character checksum of a descriptor given without one (`wsh(…)` → `abcd1234`). */
export function descriptorChecksum(desc: string): string {
  pegEnsure(typeof desc === 'string', 'PEG_DESCRIPTOR_INVALID', 'descriptor: expected a string')
  let c = 1n
  let group = 0
  let groupCount = 0
  for (const ch of desc) {
    const pos = INPUT_CHARSET.indexOf(ch)
    if (pos < 0) pegFail('PEG_DESCRIPTOR_INVALID', `descriptor: character ${JSON.stringify(ch)} is not allowed`)
    c = polymod(c, pos & 31)
    group = group * 3 + (pos >> 5)
    if (++groupCount === 3) {
      c = polymod(c, group)
      group = 0
      groupCount = 0
    }
  }
  if (groupCount > 0) c = polymod(c, group)
  for (let i = 0; i < 8; i++) c = polymod(c, 0)
  c ^= 1n
  let out = ''
  for (let i = 0; i < 8; i++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - i))) & 31n)]
  return out
}

/** `desc#checksum`. */
export function addDescriptorChecksum(desc: string): string {
  return `${desc}#${descriptorChecksum(desc)}`
}

/** Checks `desc#checksum` and returns the descriptor without it (PEG_DESCRIPTOR_INVALID when it does not match). */
export function checkDescriptorChecksum(descWithChecksum: string): string {
  pegEnsure(typeof descWithChecksum === 'string', 'PEG_DESCRIPTOR_INVALID', 'descriptor: expected a string')
  const at = descWithChecksum.lastIndexOf('#')
  pegEnsure(at >= 0 && descWithChecksum.length - at === 9, 'PEG_DESCRIPTOR_INVALID', 'descriptor: expected an 8-character checksum after #')
  const body = descWithChecksum.slice(0, at)
  const given = descWithChecksum.slice(at + 1)
  const expected = descriptorChecksum(body)
  pegEnsure(given === expected, 'PEG_DESCRIPTOR_INVALID', 'descriptor: checksum does not match', { given, expected })
  return body
}
