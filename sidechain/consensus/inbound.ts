// Reading a peer's proposal or vote into what the consensus core counts, with every signature inside it checked:
// a precommit's commit signature (it goes into certificates) and the prevotes of a re-proposal's polka (each an
// envelope signature of its validator). Pure: the block decoder is passed in. Refusals are coded errors.
import type { Block } from '@ethereumjs/block'
import { verify } from 'tiny-secp256k1'
import { fail } from '../../spv/base/errors.js'
import { bytesToHex } from '../../spv/base/bytes.js'
import { commitDigest, type ValidatorSet } from './certificate.js'
import { parseProposalPayload, verifyMessage, type SignedMessage } from './messages.js'
import type { Value, Vote } from './tendermint.js'

export interface SignedVote {
  readonly vote: Vote
  /** A prevote's envelope signature, or a precommit's commit signature; undefined for nil. */
  readonly signature: Uint8Array | undefined
}

/** A prevote or precommit message as a vote (value null: nil). */
export function readVote(message: SignedMessage, set: ValidatorSet, chainId: bigint): SignedVote {
  const type = message.type
  if (type !== 'prevote' && type !== 'precommit') fail('CONSENSUS_MALFORMED', `${type} is not a vote`)
  const vote = (value: Value | null): Vote => ({ type, height: message.height, round: message.round, from: message.from, value })
  if (message.payload.length === 0) return { vote: vote(null), signature: undefined }
  const [hash, signature] = message.payload
  if (hash === undefined || hash.length !== 32) fail('CONSENSUS_MALFORMED', `${type} payload is not a block hash`)
  if (type === 'prevote') {
    if (message.payload.length !== 1) fail('CONSENSUS_MALFORMED', 'prevote payload is not [blockHash]')
    return { vote: vote(bytesToHex(hash)), signature: message.signature }
  }
  if (message.payload.length !== 2 || signature === undefined || signature.length !== 64) fail('CONSENSUS_MALFORMED', 'precommit payload is not [blockHash, commitSignature]')
  let ok = false
  try {
    ok = verify(commitDigest(chainId, message.height, message.round, hash), set.keys[message.from]!, signature, true)
  } catch {
    ok = false
  }
  if (!ok) fail('CONSENSUS_BAD_SIGNATURE', `precommit signature of validator ${message.from} does not verify`)
  return { vote: vote(bytesToHex(hash)), signature }
}

export interface ReadProposal {
  readonly block: Block
  readonly value: Value
  readonly validRound: number
  /** The polka's prevotes, each checked. */
  readonly polka: readonly SignedVote[]
}

/**
 * A proposal message: from its round's proposer, for this height, its polka (when it re-proposes) signed by the
 * validators it names. Validity of the block itself (re-execution, timestamp) is the caller's.
 */
export function readProposal(
  message: SignedMessage,
  o: { set: ValidatorSet; chainId: bigint; proposer: number; decode: (bytes: Uint8Array) => Block },
): ReadProposal {
  if (message.from !== o.proposer) {
    fail('CONSENSUS_WRONG_PROPOSER', `validator ${message.from} is not the proposer of height ${message.height} round ${message.round} (validator ${o.proposer} is)`)
  }
  const { block: bytes, validRound, polka } = parseProposalPayload(message.payload)
  if (validRound < -1 || validRound >= message.round) fail('CONSENSUS_MALFORMED', `proposal for round ${message.round} names valid round ${validRound}`)
  if (validRound === -1 && polka.length > 0) fail('CONSENSUS_MALFORMED', 'a new proposal carries a polka')
  if (polka.length > o.set.keys.length) fail('CONSENSUS_MALFORMED', 'the polka names more prevotes than there are validators')
  const block = o.decode(bytes)
  if (block.header.number !== message.height) fail('CONSENSUS_WRONG_HEIGHT', `proposal for height ${message.height} carries block ${block.header.number}`)
  const value = bytesToHex(block.hash())
  const votes: SignedVote[] = polka.map((p) => {
    verifyMessage({ type: 'prevote', chainId: o.chainId, height: message.height, round: validRound, from: p.from, payload: [block.hash()], signature: p.signature }, o.set, o.chainId)
    return { vote: { type: 'prevote', height: message.height, round: validRound, from: p.from, value }, signature: p.signature }
  })
  return { block, value, validRound, polka: votes }
}
