// A withdrawal as the members sign it and the vault checks it (PROTOCOL.md "Withdrawals", ARCHITECTURE.md decision
// 10): EIP-712 typed data over the vault's domain, and the 65-byte signatures the vault accepts — low s (EIP-2),
// v 27 or 28, recovering to a member. The bridge, the signers and the tests all compute the digest here.
import { hashTypedData } from 'viem'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToBigIntBE, hexToBytes, toHex } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import { checkAddress, checkAmount, checkChainId } from './ids.js'

export const VAULT_DOMAIN_NAME = 'Causeway Vault'
export const VAULT_DOMAIN_VERSION = '1'

export const WITHDRAWAL_TYPES = {
  Withdrawal: [
    { name: 'sideChainId', type: 'uint256' },
    { name: 'id', type: 'uint256' },
    { name: 'token', type: 'address' },
    { name: 'recipient', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'epoch', type: 'uint256' },
  ],
} as const

/** A withdrawal; `token` is the main token (zero address: ETH). */
export interface Withdrawal {
  readonly mainChainId: bigint
  readonly vault: Uint8Array
  readonly sideChainId: bigint
  readonly id: bigint
  readonly token: Uint8Array
  readonly recipient: Uint8Array
  readonly amount: bigint
  readonly epoch: bigint
}

/** The EIP-712 typed data of `w`, in the form viem's and ethers' signers take. */
export function withdrawalTypedData(w: Withdrawal) {
  return {
    domain: { name: VAULT_DOMAIN_NAME, version: VAULT_DOMAIN_VERSION, chainId: checkChainId(w.mainChainId), verifyingContract: toHex(checkAddress(w.vault, 'vault')) },
    types: WITHDRAWAL_TYPES,
    primaryType: 'Withdrawal' as const,
    message: {
      sideChainId: w.sideChainId,
      id: w.id,
      token: toHex(checkAddress(w.token, 'token', true)),
      recipient: toHex(checkAddress(w.recipient, 'recipient')),
      amount: checkAmount(w.amount),
      epoch: w.epoch,
    },
  }
}

/** The 32-byte digest the members sign: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(Withdrawal)). */
export function withdrawalDigest(w: Withdrawal): Uint8Array {
  return hexToBytes(hashTypedData(withdrawalTypedData(w)), 'digest', 32)
}

const N = secp256k1.Point.CURVE().n
const HALF_N = N >> 1n

/** Signs `digest` with a 32-byte private key: 65 bytes r ‖ s ‖ v, low s, v 27/28 (what the vault takes). */
export function signWithdrawalDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const sig = secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' })
  // noble's 'recovered' format is v ‖ r ‖ s with v in {0, 1}; Ethereum's is r ‖ s ‖ (27 + v).
  const out = new Uint8Array(65)
  out.set(sig.subarray(1, 65), 0)
  out[64] = 27 + sig[0]!
  return out
}

/**
 * The Ethereum address that signed `digest` with `signature` (65 bytes r ‖ s ‖ v). Refuses a malformed signature,
 * a high s and one that recovers no key, each with its code, as the vault does (OpenZeppelin ECDSA.tryRecover).
 */
export function recoverWithdrawalSigner(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== 65) fail('EVM_PEG_SIGNATURE_MALFORMED', `a signature is 65 bytes r‖s‖v, got ${signature?.length}`)
  const v = signature[64]!
  if (v !== 27 && v !== 28) fail('EVM_PEG_SIGNATURE_MALFORMED', `a signature's v must be 27 or 28, got ${v}`)
  const r = bytesToBigIntBE(signature.subarray(0, 32))
  const s = bytesToBigIntBE(signature.subarray(32, 64))
  if (r === 0n || r >= N || s === 0n || s >= N) fail('EVM_PEG_SIGNATURE_MALFORMED', 'a signature\'s r and s must be in [1, n)')
  if (s > HALF_N) fail('EVM_PEG_SIGNATURE_HIGH_S', 'the signature has a high s (EIP-2): sign again with low s')
  const recovered = new Uint8Array(65)
  recovered[0] = v - 27
  recovered.set(signature.subarray(0, 64), 1)
  let pub: Uint8Array
  try {
    pub = secp256k1.recoverPublicKey(recovered, digest, { prehash: false })
  } catch (e) {
    fail('EVM_PEG_SIGNATURE_UNRECOVERABLE', 'no public key recovers from this signature', undefined, e)
  }
  const full = secp256k1.Point.fromBytes(pub).toBytes(false)
  return keccak_256(full.subarray(1)).slice(12)
}
