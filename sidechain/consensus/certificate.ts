// Finality certificates (ARCHITECTURE.md decision 2): a block is final once `k` of the `n` validators signed
// its hash. The certificate travels beside the header (the header hash stays Ethereum's keccak of its RLP), and
// any node, validator or not, checks it against the configured validator set.
import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sign, verify, pointFromScalar, isPrivate } from 'tiny-secp256k1'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { concatBytes, equalBytes, toHex } from '../../spv/base/bytes.js'

export interface ValidatorSet {
  /** Compressed secp256k1 public keys (33 bytes), in the configured order; index = validator id. */
  readonly keys: readonly Uint8Array[]
  /** Signatures needed for finality. */
  readonly threshold: number
}

export interface Certificate {
  readonly height: bigint
  readonly round: number
  readonly blockHash: Uint8Array
  /** One per signing validator, by index, ascending. 64-byte compact signatures. */
  readonly signatures: readonly { readonly validator: number; readonly signature: Uint8Array }[]
}

const DOMAIN = new TextEncoder().encode('causeway/commit/v1')

/** What a validator signs to commit to a block: domain, chain id, height, round and block hash. */
export function commitDigest(chainId: bigint, height: bigint, round: number, blockHash: Uint8Array): Uint8Array {
  const nums = new Uint8Array(20)
  const view = new DataView(nums.buffer)
  view.setBigUint64(0, chainId, false)
  view.setBigUint64(8, height, false)
  view.setUint32(16, round, false)
  return keccak_256(concatBytes(DOMAIN, nums, blockHash))
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== 32 || !isPrivate(privateKey)) fail('CONSENSUS_BAD_KEY', 'validator key must be a valid 32-byte secp256k1 private key')
  return pointFromScalar(privateKey, true)!
}

export function signCommit(privateKey: Uint8Array, chainId: bigint, height: bigint, round: number, blockHash: Uint8Array): Uint8Array {
  return sign(commitDigest(chainId, height, round, blockHash), privateKey)
}

/** Checks a certificate against the validator set; throws CONSENSUS_BAD_CERTIFICATE naming what is wrong. */
export function verifyCertificate(set: ValidatorSet, chainId: bigint, cert: Certificate, expectedHash?: Uint8Array): void {
  if (expectedHash !== undefined && !equalBytes(expectedHash, cert.blockHash)) {
    fail('CONSENSUS_BAD_CERTIFICATE', `certificate is for block ${toHex(cert.blockHash)}, not ${toHex(expectedHash)}`)
  }
  const digest = commitDigest(chainId, cert.height, cert.round, cert.blockHash)
  let last = -1
  for (const { validator, signature } of cert.signatures) {
    if (!Number.isInteger(validator) || validator <= last || validator >= set.keys.length) {
      fail('CONSENSUS_BAD_CERTIFICATE', `certificate lists validator ${validator} out of order or unknown`)
    }
    last = validator
    let ok = false
    try {
      ok = signature.length === 64 && verify(digest, set.keys[validator]!, signature, true)
    } catch {
      ok = false
    }
    if (!ok) fail('CONSENSUS_BAD_CERTIFICATE', `signature of validator ${validator} does not verify`, { validator })
  }
  if (cert.signatures.length < set.threshold) {
    fail('CONSENSUS_BAD_CERTIFICATE', `certificate has ${cert.signatures.length} signatures, ${set.threshold} needed`)
  }
}

export function encodeCertificate(c: Certificate): Uint8Array {
  return RLP.encode([
    bigIntToUnpaddedBytes(c.height),
    bigIntToUnpaddedBytes(BigInt(c.round)),
    c.blockHash,
    c.signatures.map((s) => [bigIntToUnpaddedBytes(BigInt(s.validator)), s.signature]),
  ])
}

export function decodeCertificate(bytes: Uint8Array): Certificate {
  try {
    const [height, round, blockHash, sigs] = RLP.decode(bytes) as unknown as [Uint8Array, Uint8Array, Uint8Array, [Uint8Array, Uint8Array][]]
    if (!(blockHash instanceof Uint8Array) || blockHash.length !== 32 || !Array.isArray(sigs)) throw new Error('shape')
    return {
      height: bytesToBigInt(height),
      round: Number(bytesToBigInt(round)),
      blockHash,
      signatures: sigs.map(([v, s]) => ({ validator: Number(bytesToBigInt(v)), signature: s })),
    }
  } catch (e) {
    throw new CausewayError('CONSENSUS_BAD_CERTIFICATE', 'certificate does not decode', { cause: e })
  }
}
