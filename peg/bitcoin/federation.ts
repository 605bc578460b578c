// The federation's Bitcoin script: a k-of-n P2WSH multisig over its members' keys in BIP67 order, its address on a
// given network, and the output descriptor a watch-only wallet imports to audit the reserves.
import { address as btcAddress } from 'bitcoinjs-lib'
import { sha256 } from '@noble/hashes/sha2.js'
import * as ecc from 'tiny-secp256k1'
import { bytesToHex } from '../../spv/base/bytes.js'
import type { BitcoinNetwork } from '../../spv/bitcoin/networks.js'
import { addDescriptorChecksum } from './descriptor.js'
import { pegEnsure, pegFail, type PegErrorCode } from './errors.js'
import { compareBytes } from './values.js'

/** At most 15 members: OP_1…OP_16 encode n in one byte, and 15 keeps every spend inside standard policy. */
export const MAX_FEDERATION_SIZE = 15

export interface Federation {
  /** 33-byte compressed keys, in member order (the index is the member's index everywhere). */
  readonly pubkeys: readonly Uint8Array[]
  /** Signatures needed to spend: 1 ≤ threshold ≤ pubkeys.length. */
  readonly threshold: number
}

/** The shape of bitcoinjs-lib's `Network` (address prefixes only), as spv's network parameters hold it. */
export type AddressNetwork = BitcoinNetwork['addresses']

/** bcoin 1.0.2's regtest bech32 prefix (Bitcoin Core's is `bcrt`, the default of spv's `regtest`). */
export const BCOIN_REGTEST_BECH32 = 'rb'

const OP_CHECKMULTISIG = 0xae
const OP_0 = 0x00
const OP_1_MINUS_1 = 0x50 // OP_n = 0x50 + n for n in 1…16

/**
 * Address prefixes of `net`; `bech32Override` replaces the bech32 prefix, for nodes that use their own
 * (bcoin's regtest: `rb`, see BCOIN_REGTEST_BECH32).
 */
export function addressNetworkFor(net: BitcoinNetwork, bech32Override?: string): AddressNetwork {
  const bech32 = bech32Override ?? net.addresses.bech32
  // BIP173: the human-readable part is 1–83 characters in US-ASCII 33–126; we keep it lower case so that
  // comparing prefixes is exact.
  pegEnsure(
    typeof bech32 === 'string' && /^[\x21-\x7e]{1,83}$/.test(bech32) && bech32 === bech32.toLowerCase(),
    'PEG_NETWORK_INVALID',
    `bech32 prefix ${JSON.stringify(bech32)} is not a lower-case BIP173 human-readable part`,
  )
  const a = net.addresses
  return Object.freeze({
    messagePrefix: a.messagePrefix,
    bech32,
    bip32: Object.freeze({ public: a.bip32.public, private: a.bip32.private }),
    pubKeyHash: a.pubKeyHash,
    scriptHash: a.scriptHash,
    wif: a.wif,
  })
}

/** Checks one public key: 33 bytes, compressed, on the curve. */
export function checkPublicKey(key: unknown, label = 'pubkey', code: PegErrorCode = 'PEG_PUBKEY_INVALID'): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) pegFail(code, `${label}: expected a Uint8Array`, { label })
  pegEnsure(key.length === 33 && ecc.isPointCompressed(key), code, `${label}: not a 33-byte compressed secp256k1 point`, { label })
}

function checkKeySet(pubkeys: readonly Uint8Array[], threshold: number, code: PegErrorCode): void {
  pegEnsure(Array.isArray(pubkeys), code, 'pubkeys: expected an array')
  const n = pubkeys.length
  pegEnsure(n >= 1 && n <= MAX_FEDERATION_SIZE, code, `a federation has 1 to ${MAX_FEDERATION_SIZE} keys, got ${n}`, { n })
  pegEnsure(Number.isInteger(threshold) && threshold >= 1 && threshold <= n, code, `threshold must be 1…${n}, got ${threshold}`, {
    threshold,
    n,
  })
  pubkeys.forEach((k, i) => checkPublicKey(k, `pubkeys[${i}]`, code))
  const seen = new Map<string, number>()
  pubkeys.forEach((k, i) => {
    const hex = bytesToHex(k)
    const first = seen.get(hex)
    if (first !== undefined) pegFail('PEG_DUPLICATE_MEMBER', `pubkeys[${i}] repeats pubkeys[${first}]`, { index: i, first, pubkey: hex })
    seen.set(hex, i)
  })
}

/**
 * A validated, frozen federation: 1 ≤ k ≤ n ≤ 15, valid compressed keys, none twice (PEG_FEDERATION_INVALID,
 * PEG_DUPLICATE_MEMBER). The keys are copied and kept in the given order, which is the member index.
 */
export function createFederation(pubkeys: readonly Uint8Array[], threshold: number): Federation {
  checkKeySet(pubkeys, threshold, 'PEG_FEDERATION_INVALID')
  return Object.freeze({ pubkeys: Object.freeze(pubkeys.map((k) => k.slice())), threshold })
}

/** The keys sorted as BIP67 orders them: lexicographically by their compressed serialization. */
export function sortKeys(pubkeys: readonly Uint8Array[]): Uint8Array[] {
  return [...pubkeys].sort(compareBytes)
}

/**
 * `OP_k <key>… OP_n OP_CHECKMULTISIG` with the keys in BIP67 order — the script Bitcoin Core's
 * `sortedmulti(k, …)` descriptor makes. Checked like a federation (PEG_FEDERATION_INVALID, PEG_DUPLICATE_MEMBER).
 */
export function sortedMultisigScript(pubkeys: readonly Uint8Array[], k: number): Uint8Array {
  checkKeySet(pubkeys, k, 'PEG_FEDERATION_INVALID')
  const sorted = sortKeys(pubkeys)
  const out = new Uint8Array(multisigScriptLength(sorted.length))
  let at = 0
  out[at++] = OP_1_MINUS_1 + k
  for (const key of sorted) {
    out[at++] = 33 // push of 33 bytes
    out.set(key, at)
    at += 33
  }
  out[at++] = OP_1_MINUS_1 + sorted.length
  out[at++] = OP_CHECKMULTISIG
  return out
}

/** Bytes of a k-of-n multisig script over compressed keys: OP_k, n × (push + 33), OP_n, OP_CHECKMULTISIG. */
export function multisigScriptLength(n: number): number {
  return 3 + 34 * n
}

/** The federation's own (untweaked) witness script. */
export function federationWitnessScript(fed: Federation): Uint8Array {
  return sortedMultisigScript(fed.pubkeys, fed.threshold)
}

/** `OP_0 <sha256(witnessScript)>` (BIP141 P2WSH). */
export function p2wshScriptPubKey(witnessScript: Uint8Array): Uint8Array {
  pegEnsure(witnessScript instanceof Uint8Array, 'PEG_FEDERATION_INVALID', 'witnessScript: expected a Uint8Array')
  const out = new Uint8Array(34)
  out[0] = OP_0
  out[1] = 32
  out.set(sha256(witnessScript), 2)
  return out
}

/** The plain federation scriptPubKey: where change goes and where OP_RETURN peg-ins pay. */
export function federationScriptPubKey(fed: Federation): Uint8Array {
  return p2wshScriptPubKey(federationWitnessScript(fed))
}

/** The bech32 address of a P2WSH scriptPubKey on `addrNet`. */
export function p2wshAddress(scriptPubKey: Uint8Array, addrNet: AddressNetwork): string {
  pegEnsure(scriptPubKey.length === 34 && scriptPubKey[0] === OP_0 && scriptPubKey[1] === 32, 'PEG_FEDERATION_INVALID', 'not a P2WSH script')
  return btcAddress.toBech32(scriptPubKey.subarray(2), 0, addrNet.bech32)
}

/** The plain federation address on `addrNet`. */
export function federationAddress(fed: Federation, addrNet: AddressNetwork): string {
  return p2wshAddress(federationScriptPubKey(fed), addrNet)
}

/**
 * `wsh(sortedmulti(k,<key hex>…))#checksum`, keys in member order (sortedmulti sorts them itself), importable by
 * Bitcoin Core as a watch-only descriptor for the plain federation address.
 */
export function federationDescriptor(fed: Federation): string {
  checkKeySet(fed.pubkeys, fed.threshold, 'PEG_FEDERATION_INVALID')
  return addDescriptorChecksum(`wsh(sortedmulti(${fed.threshold},${fed.pubkeys.map(bytesToHex).join(',')}))`)
}

/** The member index of `pubkey` (PEG_NOT_A_MEMBER when it is not one). */
export function memberIndexOf(fed: Federation, pubkey: Uint8Array): number {
  const hex = bytesToHex(pubkey)
  const i = fed.pubkeys.findIndex((k) => bytesToHex(k) === hex)
  pegEnsure(i >= 0, 'PEG_NOT_A_MEMBER', 'this key is not a federation member', { pubkey: hex })
  return i
}
