// Per-recipient deposit addresses (ARCHITECTURE.md decision 6): every member key P is tweaked by pay-to-contract,
// P' = P + t·G with t = H_tag(P || chainId || recipient), and the deposit script is sortedmulti(k, P'…). A payment to
// it names its side-chain recipient with no OP_RETURN, from any wallet; only the federation can spend it, each
// member signing with d' = d + t.
import { sha256 } from '@noble/hashes/sha2.js'
import * as ecc from 'tiny-secp256k1'
import { bytesToBigIntBE, concatBytes } from '../../spv/base/bytes.js'
import { pegEnsure, pegFail } from './errors.js'
import {
  checkPublicKey,
  p2wshAddress,
  p2wshScriptPubKey,
  sortedMultisigScript,
  type AddressNetwork,
  type Federation,
} from './federation.js'
import { chainIdBytes, checkBytes, checkRecipient } from './values.js'

/** The BIP340 tag of the deposit tweak. */
export const DEPOSIT_TAG = 'Causeway/deposit'

/** The order n of secp256k1's group. */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

const TAG_HASH = sha256(new TextEncoder().encode(DEPOSIT_TAG))

/** BIP340 tagged hash with the deposit tag: sha256(sha256(tag) || sha256(tag) || msg). */
function depositTaggedHash(msg: Uint8Array): Uint8Array {
  return sha256(concatBytes(TAG_HASH, TAG_HASH, msg))
}

/**
 * Checks that a 32-byte value read as a big-endian integer is below the curve order, as BIP341 requires of its
 * tweak: a hash ≥ n (probability about 2^-128) would not be a scalar, so the key cannot be tweaked by it.
 */
export function checkTweak(t: Uint8Array): void {
  checkBytes(t, 32, 'PEG_TWEAK_INVALID', 'tweak')
  pegEnsure(bytesToBigIntBE(t) < SECP256K1_ORDER, 'PEG_TWEAK_INVALID', 'tweak is not below the curve order')
}

/**
 * t = sha256(sha256("Causeway/deposit") × 2 || P || chainId (8 bytes, big-endian) || recipient (20 bytes)),
 * the pay-to-contract tweak of member key P for one side-chain recipient on one side chain.
 */
export function depositTweak(pubkey33: Uint8Array, chainId: bigint, recipient20: Uint8Array): Uint8Array {
  checkPublicKey(pubkey33, 'pubkey')
  checkRecipient(recipient20)
  const t = depositTaggedHash(concatBytes(pubkey33, chainIdBytes(chainId), recipient20))
  checkTweak(t)
  return t
}

/** P + t·G, compressed (PEG_TWEAK_INVALID for t ≥ n or a result at infinity). */
export function tweakPublicKey(pubkey33: Uint8Array, tweak32: Uint8Array): Uint8Array {
  checkPublicKey(pubkey33, 'pubkey')
  checkTweak(tweak32)
  const out = ecc.pointAddScalar(pubkey33, tweak32, true)
  if (out === null) pegFail('PEG_TWEAK_INVALID', 'the tweaked key is the point at infinity')
  return out
}

/** d + t mod n: the private key of the tweaked public key (PEG_TWEAK_INVALID when the sum is zero). */
export function tweakPrivateKey(privateKey32: Uint8Array, tweak32: Uint8Array): Uint8Array {
  checkPrivateKey(privateKey32)
  checkTweak(tweak32)
  const out = ecc.privateAdd(privateKey32, tweak32)
  if (out === null) pegFail('PEG_TWEAK_INVALID', 'the tweaked private key is zero')
  return out
}

/** Checks a private key: 32 bytes, in [1, n). */
export function checkPrivateKey(privateKey32: unknown): asserts privateKey32 is Uint8Array {
  checkBytes(privateKey32, 32, 'PEG_PRIVATE_KEY_INVALID', 'privateKey')
  pegEnsure(ecc.isPrivate(privateKey32), 'PEG_PRIVATE_KEY_INVALID', 'privateKey: not in [1, n)')
}

/** The tweaked keys of one recipient's deposit script, in member order (not sorted). */
export function depositPublicKeys(fed: Federation, chainId: bigint, recipient: Uint8Array): Uint8Array[] {
  return fed.pubkeys.map((p) => tweakPublicKey(p, depositTweak(p, chainId, recipient)))
}

/** sortedmulti(k, P'_1 … P'_n): the witness script of `recipient`'s deposit address. */
export function depositWitnessScript(fed: Federation, chainId: bigint, recipient: Uint8Array): Uint8Array {
  return sortedMultisigScript(depositPublicKeys(fed, chainId, recipient), fed.threshold)
}

/** The P2WSH scriptPubKey of `recipient`'s deposit address. */
export function depositScriptPubKey(fed: Federation, chainId: bigint, recipient: Uint8Array): Uint8Array {
  return p2wshScriptPubKey(depositWitnessScript(fed, chainId, recipient))
}

/** `recipient`'s deposit address on `addrNet` (bech32 P2WSH). */
export function depositAddress(fed: Federation, chainId: bigint, recipient: Uint8Array, addrNet: AddressNetwork): string {
  return p2wshAddress(depositScriptPubKey(fed, chainId, recipient), addrNet)
}
