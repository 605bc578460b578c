// The signatures behind the votes the consensus core counts, for one height: a prevote's envelope signature (sent
// along when its polka justifies a re-proposal) and a precommit's commit signature (gathered into the block's
// finality certificate). The core (tendermint.ts) counts votes as plain values; this keeps what proves them,
// bounded as the core is: only votes the core takes are kept.
import { hexToBytes } from '../../spv/base/bytes.js'
import type { Certificate } from './certificate.js'
import type { PolkaVote } from './messages.js'
import type { State, Value, Vote } from './tendermint.js'

const key = (round: number, value: Value, from: number) => `${round}:${value}:${from}`

export class SignatureBook {
  private readonly prevotes = new Map<string, Uint8Array>()
  /** `${round}:${value}` → validator → commit signature. */
  private readonly precommits = new Map<string, Map<number, Uint8Array>>()

  clear(): void {
    this.prevotes.clear()
    this.precommits.clear()
  }

  add(vote: Vote, signature: Uint8Array): void {
    if (vote.value === null) return
    if (vote.type === 'prevote') this.prevotes.set(key(vote.round, vote.value, vote.from), signature)
    else {
      const k = `${vote.round}:${vote.value}`
      const signers = this.precommits.get(k) ?? new Map<number, Uint8Array>()
      signers.set(vote.from, signature)
      this.precommits.set(k, signers)
    }
  }

  /** The signed prevotes of a polka the core names (those whose signatures are held). */
  polka(votes: readonly Vote[]): PolkaVote[] {
    const out: PolkaVote[] = []
    for (const v of votes) {
      const signature = v.value === null ? undefined : this.prevotes.get(key(v.round, v.value, v.from))
      if (signature !== undefined) out.push({ from: v.from, signature })
    }
    return out
  }

  /** The certificate for `value` decided in `round`, from the commit signatures held (validators ascending). */
  certificate(height: bigint, round: number, value: Value): Certificate {
    const signers = this.precommits.get(`${round}:${value}`) ?? new Map<number, Uint8Array>()
    const signatures = [...signers.entries()].sort((a, b) => a[0] - b[0]).map(([validator, signature]) => ({ validator, signature }))
    return { height, round, blockHash: hexToBytes(`0x${value}`, 'value', 32), signatures }
  }
}

/**
 * Whether the core would take `vote` (so its signature is worth keeping): a new sender in its (type, round) slot,
 * or an equivocator's first conflicting value. Mirrors tendermint.ts addVote; the core's window check is the
 * caller's (the round was checked on arrival).
 */
export function wouldTake(state: State, vote: Vote): boolean {
  const bucket = state.rounds.get(vote.round)
  if (bucket === undefined) return true
  const previous = (vote.type === 'prevote' ? bucket.prevotes : bucket.precommits).get(vote.from)
  if (previous === undefined) return true
  return previous.value !== vote.value && !bucket.conflicting.has(`${vote.type}:${vote.from}`)
}
