// A valid input of the EIP-4844 point-evaluation precompile (0x0a): a blob of small field elements, its
// commitment, and a proof at z, as 192 bytes (versioned hash, z, y, commitment, proof).
import { createHash } from 'node:crypto'
import { bytesToHex, hexToBytes } from '../../spv/base/bytes.js'
import { lazyKzg, computeKzgProof } from '../../sidechain/exec/kzg.js'

export function be32(n: bigint): string {
  return n.toString(16).padStart(64, '0')
}

/** A blob of small field elements, its commitment, and a proof at z: the 192-byte precompile input. */
export function validPointEvaluationInput(): Uint8Array {
  let blob = '0x'
  for (let i = 0; i < 4096; i++) blob += be32(BigInt(i * 7 + 1))
  const commitment = lazyKzg.blobToKzgCommitment(blob)
  const z = '0x' + be32(12345n)
  const [proof, y] = computeKzgProof(blob, z)
  const versioned = createHash('sha256').update(hexToBytes(commitment as `0x${string}`)).digest()
  versioned[0] = 0x01 // VERSIONED_HASH_VERSION_KZG
  return hexToBytes(
    ('0x' + bytesToHex(versioned).replace(/^0x/, '') + z.slice(2) + y.replace(/^0x/, '').padStart(64, '0') + commitment.slice(2) + proof.slice(2)) as `0x${string}`,
  )
}

