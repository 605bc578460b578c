// Consensus messages between validators and their signed envelope: every message carries its sender's validator
// index and a secp256k1 signature over the whole message, checked against the configured validator set before
// anything in it is looked at.
import { RLP } from '@ethereumjs/rlp'
import { keccak256 } from '../exec/crypto.js'
import { sign, verify } from 'tiny-secp256k1'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import type { ValidatorSet } from './certificate.js'

export type MessageType = 'proposal' | 'prevote' | 'precommit' | 'commit'
const TYPES: readonly MessageType[] = ['proposal', 'prevote', 'precommit', 'commit']

/**
 * Tendermint's messages (tendermint.ts), for (height, round) in the envelope:
 * proposal:  payload [blockRLP, validRound + 1, polkaRLP] — the round's proposer offers a block; one it re-proposes
 *            (validRound ≥ 0) carries the polka that justifies it: [[validator, prevoteSignature], …] of the prevotes
 *            for it in validRound (each an envelope signature over that prevote, checked like any message)
 * prevote:   payload [blockHash] or [] (nil)
 * precommit: payload [blockHash, commitSignature] or [] (nil) — commitSignature (certificate.ts) goes into the
 *            block's finality certificate
 * commit:    payload [certificateRLP]                — a block that is final, for validators that missed the votes
 *
 * A block travels in proposals only. A validator that learns a block is final without holding it fetches it,
 * final and certified, from a peer (p2p/sync.ts).
 */
export interface Message {
  readonly type: MessageType
  readonly chainId: bigint
  readonly height: bigint
  readonly round: number
  /** Sender's validator index. */
  readonly from: number
  readonly payload: readonly Uint8Array[]
}

export interface SignedMessage extends Message {
  readonly signature: Uint8Array
}

const DOMAIN = new TextEncoder().encode('causeway/p2p/v1')

function digest(m: Message): Uint8Array {
  // The native Keccak: a proposal or precommit carries a whole block (~100 kB for 1000 transactions).
  return keccak256(
    RLP.encode([
      DOMAIN,
      new TextEncoder().encode(m.type),
      bigIntToUnpaddedBytes(m.chainId),
      bigIntToUnpaddedBytes(m.height),
      bigIntToUnpaddedBytes(BigInt(m.round)),
      bigIntToUnpaddedBytes(BigInt(m.from)),
      m.payload as Uint8Array[],
    ]),
  )
}

export function signMessage(m: Message, privateKey: Uint8Array): SignedMessage {
  return { ...m, signature: sign(digest(m), privateKey) }
}

/** Throws CONSENSUS_BAD_SIGNATURE unless `m` is signed by validator `m.from` of `set`, for `chainId`. */
export function verifyMessage(m: SignedMessage, set: ValidatorSet, chainId: bigint): void {
  if (m.chainId !== chainId) fail('CONSENSUS_WRONG_CHAIN', `message for chain ${m.chainId}, this is ${chainId}`)
  const key = set.keys[m.from]
  if (key === undefined) fail('CONSENSUS_UNKNOWN_SENDER', `message from unknown validator index ${m.from}`)
  let ok = false
  try {
    ok = m.signature.length === 64 && verify(digest(m), key, m.signature, true)
  } catch {
    ok = false
  }
  if (!ok) fail('CONSENSUS_BAD_SIGNATURE', `message signature does not verify for validator ${m.from}`, { from: m.from })
}

export interface WireMessage {
  type: string
  chainId: string
  height: string
  round: number
  from: number
  payload: string[]
  signature: string
}

export function toWire(m: SignedMessage): WireMessage {
  return {
    type: m.type,
    chainId: `0x${m.chainId.toString(16)}`,
    height: `0x${m.height.toString(16)}`,
    round: m.round,
    from: m.from,
    payload: m.payload.map((p) => toHex(p)),
    signature: toHex(m.signature),
  }
}

/** Parses a message from the wire; every malformed field is a CONSENSUS_MALFORMED error naming it. */
export function fromWire(w: unknown): SignedMessage {
  try {
    const o = w as WireMessage
    if (typeof o !== 'object' || o === null) throw new Error('not an object')
    if (!TYPES.includes(o.type as MessageType)) throw new Error(`type: unknown "${String(o.type)}"`)
    if (typeof o.chainId !== 'string' || !/^0x[0-9a-f]+$/.test(o.chainId)) throw new Error('chainId: not a hex quantity')
    if (typeof o.height !== 'string' || !/^0x[0-9a-f]+$/.test(o.height)) throw new Error('height: not a hex quantity')
    if (!Number.isSafeInteger(o.round) || o.round < 0 || o.round > 1_000_000) throw new Error('round: not a small integer')
    if (!Number.isSafeInteger(o.from) || o.from < 0 || o.from > 1000) throw new Error('from: not a validator index')
    if (!Array.isArray(o.payload) || o.payload.length > 4) throw new Error('payload: not a short list')
    return {
      type: o.type as MessageType,
      chainId: BigInt(o.chainId),
      height: BigInt(o.height),
      round: o.round,
      from: o.from,
      payload: o.payload.map((p, i) => hexToBytes(p, `payload[${i}]`)),
      signature: hexToBytes(o.signature, 'signature', 64),
    }
  } catch (e) {
    throw new CausewayError('CONSENSUS_MALFORMED', `malformed consensus message: ${(e as Error).message}`, { cause: e })
  }
}

export interface PolkaVote {
  readonly from: number
  /** The envelope signature of that validator's prevote for the block in validRound. */
  readonly signature: Uint8Array
}

export function proposalPayload(block: Uint8Array, validRound: number, polka: readonly PolkaVote[]): Uint8Array[] {
  return [block, bigIntToUnpaddedBytes(BigInt(validRound + 1)), RLP.encode(polka.map((p) => [bigIntToUnpaddedBytes(BigInt(p.from)), p.signature]))]
}

/** Throws CONSENSUS_MALFORMED naming the bad part. */
export function parseProposalPayload(payload: readonly Uint8Array[]): { block: Uint8Array; validRound: number; polka: PolkaVote[] } {
  const [block, vr, polka] = payload
  if (block === undefined || vr === undefined || vr.length > 4 || polka === undefined || payload.length !== 3) fail('CONSENSUS_MALFORMED', 'proposal payload is not [block, validRound, polka]')
  let votes: PolkaVote[]
  try {
    const list = RLP.decode(polka) as unknown as Uint8Array[][]
    if (!Array.isArray(list)) throw new Error('not a list')
    votes = list.map((item) => {
      if (!Array.isArray(item) || item.length !== 2 || !(item[0] instanceof Uint8Array) || item[0].length > 2 || !(item[1] instanceof Uint8Array) || item[1].length !== 64) throw new Error('not [validator, signature]')
      return { from: Number(bytesToBigInt(item[0])), signature: item[1] }
    })
  } catch (e) {
    throw new CausewayError('CONSENSUS_MALFORMED', `proposal polka does not decode: ${(e as Error).message}`, { cause: e })
  }
  return { block, validRound: Number(bytesToBigInt(vr)) - 1, polka: votes }
}
