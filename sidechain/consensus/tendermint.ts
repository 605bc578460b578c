// Tendermint consensus for one height as a pure state machine: Algorithm 1 of "The latest gossip on BFT
// consensus" (Buchman, Kwon, Milosevic 2018), lines 11–65. No clock, no I/O, no randomness: the shell feeds in
// proposals (with their validity, decided outside by re-execution), votes and fired timeouts, and performs the
// effects this returns (broadcast, arm a timer, commit a decision, report evidence).
//
// `apply(state, event, ctx)` never mutates `state`; the per-round message buckets are copied on write, so the
// cost of an event is that of the round it touches, not of everything received at the height. Quorum sizes:
// quorum.ts (re-exported here).
//
// One concept in one file past the usual size: the algorithm's upon-rules read against each other (a rule's
// effect enables the next), and the paper's line numbers are kept beside them.
import { faultsFor, quorumFor } from './quorum.js'

export { checkThreshold, faultsFor, quorumFor } from './quorum.js'

export type Value = string
export type Step = 'propose' | 'prevote' | 'precommit'
export type VoteType = 'prevote' | 'precommit'

export interface Vote {
  readonly type: VoteType
  readonly height: bigint
  readonly round: number
  readonly from: number
  /** null is nil. */
  readonly value: Value | null
}

export interface Proposal {
  readonly height: bigint
  readonly round: number
  readonly from: number
  readonly value: Value
  /** The round of the polka that justifies re-proposing `value`, or -1. */
  readonly validRound: number
}

export interface TimeoutParams {
  readonly proposeBase: number
  readonly proposeDelta: number
  readonly prevoteBase: number
  readonly prevoteDelta: number
  readonly precommitBase: number
  readonly precommitDelta: number
}

export const DEFAULT_TIMEOUTS: TimeoutParams = Object.freeze({
  proposeBase: 300,
  proposeDelta: 100,
  prevoteBase: 200,
  prevoteDelta: 100,
  precommitBase: 200,
  precommitDelta: 100,
})

/** How far above the current round a message may be and still be kept (and count towards a round skip). */
export const DEFAULT_ROUND_WINDOW = 64
/** Distinct proposals kept per round: a faulty proposer could otherwise send unboundedly many. */
const MAX_PROPOSALS_PER_ROUND = 4

export interface Context {
  readonly n: number
  /** This validator's index in 0..n-1. */
  readonly self: number
  readonly proposer: (height: bigint, round: number) => number
  /**
   * Votes for a quorum; defaults to quorumFor(n). Check a configured one with checkThreshold where it is parsed;
   * it is not checked here, so that tests can run a deliberately unsafe quorum.
   */
  readonly quorum?: number
  readonly roundWindow?: number
  readonly timeouts?: TimeoutParams
  /**
   * Deliberately broken rule for testing the simulator's checker: prevote any valid proposal regardless of the
   * lock (lines 22 and 28 without their lock conditions). Never set outside tests.
   */
  readonly unsafeIgnoreLock?: boolean
}

export interface ReceivedProposal {
  readonly proposal: Proposal
  readonly valid: boolean
}

export interface RoundMessages {
  /** By value, in order of arrival; only from the round's proposer. */
  readonly proposals: ReadonlyMap<Value, ReceivedProposal>
  readonly prevotes: ReadonlyMap<number, Vote>
  readonly precommits: ReadonlyMap<number, Vote>
  /**
   * The second, different vote of an equivocator, by `${type}:${from}` (reported once; later ones dropped). It
   * counts for its value as the first counts for its own: with 3·quorum > 2n, two quorums for different values
   * in one round would still need an honest validator in both, so counting a faulty one twice is safe — and
   * needed, since an honest peer's commit may rest on the vote we saw second.
   */
  readonly conflicting: ReadonlyMap<string, Vote>
}

export interface Decision {
  readonly value: Value
  readonly round: number
}

export interface State {
  readonly height: bigint
  readonly started: boolean
  readonly round: number
  readonly step: Step
  readonly lockedValue: Value | null
  readonly lockedRound: number
  readonly validValue: Value | null
  readonly validRound: number
  readonly rounds: ReadonlyMap<number, RoundMessages>
  /** The round in which line 34 (prevote timeout), 36 (polka for a value) and 47 (precommit timeout) fired. */
  readonly prevoteTimeoutRound: number
  readonly polkaRound: number
  readonly precommitTimeoutRound: number
  readonly decision: Decision | null
}

export type Event =
  | { readonly kind: 'start' }
  /**
   * `polka`, optional: the prevotes for the value at its validRound that the proposer saw (Tendermint's "POL").
   * They are taken as received even where a faulty validator's earlier spam took their sender's slot in that
   * round, so that a re-proposal of a locked value can always be followed (line 28).
   */
  | { readonly kind: 'proposal'; readonly proposal: Proposal; readonly valid: boolean; readonly polka?: readonly Vote[] }
  | { readonly kind: 'vote'; readonly vote: Vote }
  | { readonly kind: 'timeout'; readonly step: Step; readonly height: bigint; readonly round: number }
  /**
   * A peer's certificate for the height (catch-up): its proposal and a quorum of precommits for it at its round.
   * Line 49 read literally — "upon a proposal and 2f + 1 precommits for it" — without going through our own
   * buckets, where a faulty validator's earlier spam in that round may have taken its precommit's place.
   */
  | { readonly kind: 'commit'; readonly proposal: Proposal; readonly precommits: readonly Vote[]; readonly valid: boolean }

export type Effect =
  /** Broadcast a proposal for `round`: `value` is validValue, or null for "build a new block". */
  | {
      readonly kind: 'propose'
      readonly height: bigint
      readonly round: number
      readonly value: Value | null
      readonly validRound: number
      /** The polka at validRound for value, to send along (empty for a new block). */
      readonly polka: readonly Vote[]
    }
  | { readonly kind: 'broadcastVote'; readonly vote: Vote }
  | { readonly kind: 'scheduleTimeout'; readonly step: Step; readonly height: bigint; readonly round: number; readonly ms: number }
  | { readonly kind: 'decide'; readonly height: bigint; readonly value: Value; readonly round: number }
  | { readonly kind: 'evidence'; readonly first: Vote; readonly second: Vote }

export interface Transition {
  readonly state: State
  readonly effects: readonly Effect[]
}

export function timeoutMs(t: TimeoutParams, step: Step, round: number): number {
  switch (step) {
    case 'propose':
      return t.proposeBase + round * t.proposeDelta
    case 'prevote':
      return t.prevoteBase + round * t.prevoteDelta
    case 'precommit':
      return t.precommitBase + round * t.precommitDelta
  }
}

const EMPTY_ROUND: RoundMessages = Object.freeze({ proposals: new Map(), prevotes: new Map(), precommits: new Map(), conflicting: new Map<string, Vote>() })

/** A fresh height, not yet started (nothing happens until `{kind: 'start'}`). */
export function initialState(height: bigint): State {
  return {
    height,
    started: false,
    round: 0,
    step: 'propose',
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    rounds: new Map(),
    prevoteTimeoutRound: -1,
    polkaRound: -1,
    precommitTimeoutRound: -1,
    decision: null,
  }
}

/** What a restarted validator kept on disk (its sign log) to resume the height without contradicting itself. */
export interface Persisted {
  readonly height: bigint
  readonly round: number
  readonly lockedValue: Value | null
  readonly lockedRound: number
  readonly validValue: Value | null
  readonly validRound: number
}

export function persisted(s: State): Persisted {
  return { height: s.height, round: s.round, lockedValue: s.lockedValue, lockedRound: s.lockedRound, validValue: s.validValue, validRound: s.validRound }
}

/**
 * Resumes a height after a restart: the lock and valid value are kept (that is what makes a restart safe), the
 * received messages are gone, and the round the validator was in starts over. The shell's sign log must still
 * refuse to sign a second, different vote in a (type, round) it already voted in.
 */
export function resume(p: Persisted, ctx: Context): Transition {
  const d = new Draft({ ...initialState(p.height), started: true, lockedValue: p.lockedValue, lockedRound: p.lockedRound, validValue: p.validValue, validRound: p.validRound }, ctx)
  d.startRound(p.round)
  d.progress()
  return d.result()
}

/** The proposal and quorum of precommits that justify the decision, for catching up a lagging peer. */
export function commitMessages(s: State): { proposal: Proposal; precommits: Vote[] } | undefined {
  if (s.decision === null) return undefined
  const { value, round } = s.decision
  const bucket = s.rounds.get(round)
  const received = bucket?.proposals.get(value)
  if (bucket === undefined || received === undefined) return undefined
  const precommits = [...bucket.precommits.values(), ...bucket.conflicting.values()].filter((v) => v.type === 'precommit' && v.value === value)
  return { proposal: received.proposal, precommits }
}

export function apply(state: State, event: Event, ctx: Context): Transition {
  // A decided height is finished: the shell moves to the next one; late messages change nothing.
  if (state.decision !== null) return { state, effects: [] }
  const d = new Draft(state, ctx)
  switch (event.kind) {
    case 'start':
      if (state.started) return { state, effects: [] }
      d.s.started = true
      d.startRound(0)
      break
    case 'proposal':
      if (!d.addProposal(event.proposal, event.valid)) return { state, effects: [] }
      if (event.polka !== undefined) d.addPolka(event.proposal, event.polka)
      break
    case 'vote':
      if (!d.addVote(event.vote)) return { state, effects: [] }
      break
    case 'commit': {
      const value = certified(state, event.proposal, event.precommits, event.valid, ctx)
      if (value === undefined) return { state, effects: [] }
      const decision = { value, round: event.proposal.round }
      // Kept in the round's bucket too, so commitMessages can hand the same certificate on.
      d.bucketForCommit(event.proposal, event.precommits)
      d.s.decision = decision
      d.effects.push({ kind: 'decide', height: state.height, value, round: decision.round })
      return d.result()
    }
    case 'timeout':
      if (!state.started || event.height !== state.height || event.round !== state.round) return { state, effects: [] }
      d.onTimeout(event.step)
      break
  }
  if (d.s.started) d.progress()
  return d.result()
}

/** The value a commit certifies, or undefined when it does not: wrong height or proposer, or under a quorum. */
function certified(state: State, p: Proposal, precommits: readonly Vote[], valid: boolean, ctx: Context): Value | undefined {
  if (!valid || p.height !== state.height || !Number.isSafeInteger(p.round) || p.round < 0) return undefined
  if (p.from !== ctx.proposer(p.height, p.round)) return undefined
  const senders = new Set<number>()
  for (const v of precommits) {
    if (v.type === 'precommit' && v.height === p.height && v.round === p.round && v.value === p.value && Number.isInteger(v.from) && v.from >= 0 && v.from < ctx.n) {
      senders.add(v.from)
    }
  }
  return senders.size >= (ctx.quorum ?? quorumFor(ctx.n)) ? p.value : undefined
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type MutableRound = {
  proposals: Map<Value, ReceivedProposal>
  prevotes: Map<number, Vote>
  precommits: Map<number, Vote>
  conflicting: Map<string, Vote>
}

/** One transition in progress: a shallow copy of the state whose touched round buckets are copied on write. */
class Draft {
  readonly s: Mutable<State>
  readonly effects: Effect[] = []
  private readonly copied = new Set<number>()
  private roundsCopied = false
  private readonly quorum: number
  private readonly skip: number
  private readonly window: number
  private readonly timeouts: TimeoutParams

  constructor(state: State, private readonly ctx: Context) {
    this.s = { ...state }
    this.quorum = ctx.quorum ?? quorumFor(ctx.n)
    this.skip = faultsFor(ctx.n) + 1
    this.window = ctx.roundWindow ?? DEFAULT_ROUND_WINDOW
    this.timeouts = ctx.timeouts ?? DEFAULT_TIMEOUTS
  }

  result(): Transition {
    return { state: this.s, effects: this.effects }
  }

  private read(round: number): RoundMessages {
    return this.s.rounds.get(round) ?? EMPTY_ROUND
  }

  private write(round: number): MutableRound {
    if (!this.roundsCopied) {
      this.s.rounds = new Map(this.s.rounds)
      this.roundsCopied = true
    }
    if (!this.copied.has(round)) {
      const old = this.read(round)
      const fresh: MutableRound = { proposals: new Map(old.proposals), prevotes: new Map(old.prevotes), precommits: new Map(old.precommits), conflicting: new Map(old.conflicting) }
      ;(this.s.rounds as Map<number, RoundMessages>).set(round, fresh)
      this.copied.add(round)
      return fresh
    }
    return this.s.rounds.get(round) as MutableRound
  }

  /** Stores a certificate's proposal and precommits (overriding what we held for those senders in that round). */
  bucketForCommit(p: Proposal, precommits: readonly Vote[]): void {
    const w = this.write(p.round)
    w.proposals.set(p.value, { proposal: p, valid: true })
    for (const v of precommits) if (v.value === p.value) w.precommits.set(v.from, v)
  }

  /** Height, round range and sender checks shared by proposals and votes. */
  private admissible(height: bigint, round: number, from: number): boolean {
    return (
      height === this.s.height &&
      Number.isSafeInteger(round) &&
      round >= 0 &&
      round <= this.s.round + this.window &&
      Number.isInteger(from) &&
      from >= 0 &&
      from < this.ctx.n
    )
  }

  addProposal(p: Proposal, valid: boolean): boolean {
    if (!this.admissible(p.height, p.round, p.from)) return false
    if (p.from !== this.ctx.proposer(p.height, p.round)) return false
    if (!Number.isInteger(p.validRound) || p.validRound < -1 || p.validRound >= p.round) return false
    const existing = this.read(p.round).proposals
    if (existing.has(p.value) || existing.size >= MAX_PROPOSALS_PER_ROUND) return false
    this.write(p.round).proposals.set(p.value, { proposal: p, valid })
    return true
  }

  /** Records the prevotes of a proposal's polka at its validRound (see Event 'proposal'); no evidence from these. */
  addPolka(p: Proposal, polka: readonly Vote[]): void {
    if (p.validRound < 0) return
    const held = this.read(p.validRound).prevotes
    for (const v of polka) {
      const ok = v.type === 'prevote' && v.height === p.height && v.round === p.validRound && v.value === p.value
      if (!ok || !Number.isInteger(v.from) || v.from < 0 || v.from >= this.ctx.n || held.get(v.from)?.value === p.value) continue
      this.write(p.validRound).prevotes.set(v.from, v)
    }
  }

  /** Records a vote; false when it changes nothing (inadmissible, a duplicate, an equivocator's third value). */
  addVote(v: Vote): boolean {
    if (!this.admissible(v.height, v.round, v.from)) return false
    if (v.type !== 'prevote' && v.type !== 'precommit') return false
    const bucket = this.read(v.round)
    const votes = v.type === 'prevote' ? bucket.prevotes : bucket.precommits
    const previous = votes.get(v.from)
    if (previous !== undefined) {
      if (previous.value === v.value) return false
      const key = `${v.type}:${v.from}`
      // Both votes count (see RoundMessages.conflicting); a third value from the same sender is dropped, which
      // bounds what an equivocator can make us store.
      if (!bucket.conflicting.has(key)) {
        this.write(v.round).conflicting.set(key, v)
        this.effects.push({ kind: 'evidence', first: previous, second: v })
        return true
      }
      return false
    }
    const w = this.write(v.round)
    ;(v.type === 'prevote' ? w.prevotes : w.precommits).set(v.from, v)
    return true
  }

  /** Lines 11–21. */
  startRound(round: number): void {
    const s = this.s
    s.round = round
    s.step = 'propose'
    if (this.ctx.proposer(s.height, round) === this.ctx.self) {
      const v = s.validValue
      const polka = v === null ? [] : this.votesFor(this.read(s.validRound), 'prevote', v)
      this.effects.push({ kind: 'propose', height: s.height, round, value: v, validRound: v === null ? -1 : s.validRound, polka })
    } else {
      this.schedule('propose', round)
    }
  }

  private schedule(step: Step, round: number): void {
    this.effects.push({ kind: 'scheduleTimeout', step, height: this.s.height, round, ms: timeoutMs(this.timeouts, step, round) })
  }

  private vote(type: VoteType, value: Value | null): void {
    this.effects.push({ kind: 'broadcastVote', vote: { type, height: this.s.height, round: this.s.round, from: this.ctx.self, value } })
  }

  /** Lines 57–65. */
  onTimeout(step: Step): void {
    const s = this.s
    if (step === 'propose' && s.step === 'propose') {
      this.vote('prevote', null)
      s.step = 'prevote'
    } else if (step === 'prevote' && s.step === 'prevote') {
      this.vote('precommit', null)
      s.step = 'precommit'
    } else if (step === 'precommit') {
      this.startRound(s.round + 1)
    }
  }

  private votesFor(bucket: RoundMessages, type: VoteType, value: Value): Vote[] {
    const all = [...(type === 'prevote' ? bucket.prevotes : bucket.precommits).values(), ...bucket.conflicting.values()]
    return all.filter((v) => v.type === type && v.value === value)
  }

  /** Distinct senders of a `type` vote for `value` in a round (an equivocator's second vote included). */
  private count(bucket: RoundMessages, type: VoteType, value: Value | null): number {
    let k = 0
    for (const v of (type === 'prevote' ? bucket.prevotes : bucket.precommits).values()) if (v.value === value) k++
    for (const v of bucket.conflicting.values()) if (v.type === type && v.value === value) k++
    return k
  }

  /** Runs the upon-rules until none fires: a rule's effect (a new round, a step) can enable another. */
  progress(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.s.decision !== null) return
      if (!this.fireOne()) return
    }
  }

  private fireOne(): boolean {
    const s = this.s
    const q = this.quorum
    const current = this.read(s.round)

    // Line 49: a decision can come from any round, so look at every round that holds a quorum of precommits.
    for (const [round, bucket] of s.rounds) {
      if (bucket.precommits.size < q) continue
      for (const [value, received] of bucket.proposals) {
        if (received.valid && this.count(bucket, 'precommit', value) >= q) {
          s.decision = { value, round }
          this.effects.push({ kind: 'decide', height: s.height, value, round })
          return true
        }
      }
    }

    // Line 55: f + 1 distinct senders in a higher round (within the window) mean at least one correct validator
    // is there; follow the highest such round.
    let skipTo = -1
    for (const [round, bucket] of s.rounds) {
      if (round <= s.round || round <= skipTo) continue
      const senders = new Set<number>()
      for (const from of bucket.prevotes.keys()) senders.add(from)
      for (const from of bucket.precommits.keys()) senders.add(from)
      for (const r of bucket.proposals.values()) senders.add(r.proposal.from)
      if (senders.size >= this.skip) skipTo = round
    }
    if (skipTo > s.round) {
      this.startRound(skipTo)
      return true
    }

    if (s.step === 'propose') {
      for (const { proposal, valid } of current.proposals.values()) {
        const v = proposal.value
        const vr = proposal.validRound
        if (vr === -1) {
          // Line 22.
          const free = this.ctx.unsafeIgnoreLock === true || s.lockedRound === -1 || s.lockedValue === v
          this.vote('prevote', valid && free ? v : null)
          s.step = 'prevote'
          return true
        }
        if (vr >= 0 && vr < s.round && this.count(this.read(vr), 'prevote', v) >= q) {
          // Line 28: a polka at vr ≥ lockedRound lets a locked validator move on.
          const free = this.ctx.unsafeIgnoreLock === true || s.lockedRound <= vr || s.lockedValue === v
          this.vote('prevote', valid && free ? v : null)
          s.step = 'prevote'
          return true
        }
      }
    }

    // Line 34.
    if (s.step === 'prevote' && s.prevoteTimeoutRound !== s.round && current.prevotes.size >= q) {
      s.prevoteTimeoutRound = s.round
      this.schedule('prevote', s.round)
      return true
    }

    // Line 36.
    if (s.step !== 'propose' && s.polkaRound !== s.round) {
      for (const [value, received] of current.proposals) {
        if (received.valid && this.count(current, 'prevote', value) >= q) {
          s.polkaRound = s.round
          if (s.step === 'prevote') {
            s.lockedValue = value
            s.lockedRound = s.round
            this.vote('precommit', value)
            s.step = 'precommit'
          }
          s.validValue = value
          s.validRound = s.round
          return true
        }
      }
    }

    // Line 44.
    if (s.step === 'prevote' && this.count(current, 'prevote', null) >= q) {
      this.vote('precommit', null)
      s.step = 'precommit'
      return true
    }

    // Line 47.
    if (s.precommitTimeoutRound !== s.round && current.precommits.size >= q) {
      s.precommitTimeoutRound = s.round
      this.schedule('precommit', s.round)
      return true
    }
    return false
  }
}
