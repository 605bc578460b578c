// Conflicting finality certificates (issue 13): two certificates that verify against the validator set for
// different blocks at one height prove that more than the tolerated number of validators signed twice — the
// federation's safety assumption (2k > n, each member signs once per height) is broken, and no block after it
// can be trusted by a node that saw both. This is the pure decision; the node halts on it (Node.halt).
import { CausewayError } from '../../spv/base/errors.js'
import { equalBytes, toHex } from '../../spv/base/bytes.js'
import { encodeCertificate, verifyCertificate, type Certificate, type ValidatorSet } from './certificate.js'

export const CONFLICTING_CERTIFICATES = 'CONSENSUS_CONFLICTING_CERTIFICATES'

/** A final block as one side holds it: its hash and the certificate that made it final. */
export interface FinalAt {
  readonly blockHash: Uint8Array
  readonly certificate: Certificate
}

/** The proof an operator is shown: both blocks and both certificates (RLP, hex) at one height. */
export interface CertificateConflict {
  readonly height: bigint
  readonly ours: { readonly blockHash: string; readonly certificate: string }
  readonly theirs: { readonly blockHash: string; readonly certificate: string }
  /** Where the second certificate came from (a peer URL, or 'consensus'). */
  readonly source: string
}

export type ConflictCheck =
  /** The peer holds our block: nothing to see. */
  | { readonly kind: 'same' }
  /** The peer's block differs but its certificate does not verify (or is not for that block): a bad peer. */
  | { readonly kind: 'bad-peer'; readonly error: CausewayError }
  /** Two valid certificates for different blocks at one height: halt. */
  | { readonly kind: 'conflict'; readonly error: CausewayError; readonly conflict: CertificateConflict }

/**
 * Compares the final block we hold at `height` with the one a peer (or the consensus engine) shows for it.
 * Our own certificate is not re-verified: it was verified when the block was synced, or assembled by the engine
 * from verified votes, before the block was committed. Only a peer certificate that verifies — for the peer's
 * block, at this height, with k valid signatures of the set — makes a conflict; anything less is a bad peer.
 */
export function checkConflict(set: ValidatorSet, chainId: bigint, height: bigint, ours: FinalAt, theirs: FinalAt, source: string): ConflictCheck {
  if (equalBytes(ours.blockHash, theirs.blockHash)) return { kind: 'same' }
  try {
    if (theirs.certificate.height !== height) {
      throw new CausewayError('CONSENSUS_BAD_CERTIFICATE', `certificate is for height ${theirs.certificate.height}, not ${height}`)
    }
    verifyCertificate(set, chainId, theirs.certificate, theirs.blockHash)
  } catch (e) {
    if (e instanceof CausewayError) return { kind: 'bad-peer', error: e }
    throw e
  }
  const conflict: CertificateConflict = {
    height,
    ours: { blockHash: toHex(ours.blockHash), certificate: toHex(encodeCertificate(ours.certificate)) },
    theirs: { blockHash: toHex(theirs.blockHash), certificate: toHex(encodeCertificate(theirs.certificate)) },
    source,
  }
  const error = new CausewayError(
    CONFLICTING_CERTIFICATES,
    `two valid finality certificates at height ${height}: ours for ${conflict.ours.blockHash}, ${source}'s for ${conflict.theirs.blockHash}; more than the tolerated validators signed twice — this node stops following the chain`,
    { details: { ...conflict, height: Number(height) } },
  )
  return { kind: 'conflict', error, conflict }
}
