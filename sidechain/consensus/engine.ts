// The consensus shell around the pure Tendermint core (tendermint.ts; ARCHITECTURE.md decision 2): it turns
// signed messages from peers into the core's events, and performs the core's effects — it builds and re-executes
// blocks (a proposal's validity is its re-execution, decided before the proposal changes anything), signs and
// sends votes (each written to the sign log before it leaves the process), arms the timers, and commits a
// decided block with its certificate: the precommits of a quorum in one round.
//
// Safety (no two final blocks at one height) holds with at most f faulty validators of n when the quorum k has
// 3k > 2n (quorum.ts); liveness holds once messages arrive within the timeouts, which grow with the round. A
// validator that is behind or missed a block fetches it, final and certified, from a peer (p2p/sync.ts).
//
// One concept — the shell of one validator's consensus — kept in one file past the usual size: its parts that
// stand alone are beside it (step-clock.ts the timers, height-log.ts what it signed, signature-book.ts the votes'
// signatures, inbound.ts reading peers' messages); what is left shares the height's state at every line.
import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import type { Logger } from 'pino'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { bytesToHex, toHex } from '../../spv/base/bytes.js'
import { timingFields, type Candidate, type Node } from '../node/node.js'
import { serialized } from '../chain/block-bytes.js'
import { keccak256 } from '../exec/crypto.js'
import { MAX_CLOCK_DRIFT_S, latestAllowedTimestamp } from '../chain/block-time.js'
import { decodeCertificate, encodeCertificate, signCommit, verifyCertificate, type Certificate, type ValidatorSet } from './certificate.js'
import { proposalPayload, signMessage, verifyMessage, type MessageType, type SignedMessage } from './messages.js'
import type { SignLog, Slot } from './sign-log.js'
import { HeightLog } from './height-log.js'
import { StepClock } from './step-clock.js'
import { EvidenceLog } from './evidence.js'
import { checkConflict } from './conflict.js'
import { SignatureBook, wouldTake } from './signature-book.js'
import { readProposal, readVote } from './inbound.js'
import { DEFAULT_ROUND_WINDOW, apply, faultsFor, initialState, persisted, resume, type Context, type Effect, type Event, type State, type Step, type Transition, type Value, type Vote } from './tendermint.js'

export interface EngineOptions {
  readonly node: Node
  readonly set: ValidatorSet
  /** This validator's index in the set, and its key. */
  readonly index: number
  readonly key: Uint8Array
  readonly signLog: SignLog
  readonly broadcast: (message: SignedMessage) => void
  /** Asks the syncer to catch up (a message from a later height arrived, or a block is final that we lack). */
  readonly requestSync: () => void
  readonly logger: Logger
  /** The propose timeout of round 0; each later round's is `roundIncrementMs` longer. Prevote and precommit
   * timeouts (which only start once a quorum of votes is in) are a third of these. */
  readonly roundMs?: number
  readonly roundIncrementMs?: number
  /** No timeout is longer than this. */
  readonly maxRoundMs?: number
  /**
   * Sign even when the sign log is missing or behind the chain (see `watching`). An operator override: a
   * validator whose log was lost may sign a second block at a height where it signed one before — a double sign.
   */
  readonly unsafeSignWithoutHistory?: boolean
}

const TRAILING_EMPTY_BLOCKS = 2
/** Messages more than this many rounds ahead of the validator's own are refused. */
const MAX_ROUNDS_AHEAD = DEFAULT_ROUND_WINDOW
/** How often the engine steps (starting a height, gossip) when nothing wakes it sooner. */
const TICK_MS = 100
/** How often a validator sends its current round's messages again (lost ones would otherwise stall the round). */
const GOSSIP_MS = 1_000
/** Messages per sender for the next height kept until this validator gets there (peers finalized a moment sooner). */
const MAX_NEXT_HEIGHT_PER_SENDER = 8

export function proposerOf(height: bigint, round: number, n: number): number {
  return Number((height + BigInt(round)) % BigInt(n))
}

export class Engine {
  private height = 0n
  private core: State = initialState(0n)
  private readonly ctx: Context
  /** Executed valid blocks at this height by value (hash hex), and their executions. */
  private readonly blocks = new Map<Value, Block>()
  private readonly candidates = new Map<Value, Candidate>()
  /** round → the value proposed in it: one proposal per round is looked at (and re-executed). */
  private readonly proposals = new Map<number, Value>()
  /** round → keccak of that proposal's block bytes, to drop a repeat before decoding it. */
  private readonly proposalBytes = new Map<number, string>()
  private readonly signatures = new SignatureBook()
  /** What this validator signed at this height, mirrored in the sign log. */
  private readonly signed: HeightLog
  private readonly nextHeight: SignedMessage[] = []
  /** Validators heard from at this height before it started here. */
  private readonly heightSenders = new Set<number>()
  /** A proposal the core asked for before this height's second began (one block per second at most). */
  private pendingPropose: Extract<Effect, { kind: 'propose' }> | undefined
  private lastGossip = 0
  private queue: Promise<unknown> = Promise.resolve()
  private readonly clock: StepClock
  private stopped = false
  private trailingWanted = 0
  /** Refusals by code, for metrics and tests. */
  readonly refusals = new Map<string, number>()
  /** Equivocations seen (evidence.ts). */
  readonly evidence = new EvidenceLog()
  /**
   * Set (to the start time, unix seconds) while this validator only watches (issue 13 finding 5): its sign log is
   * missing or ends below the chain it sees — a wiped or restored data directory — so it may have signed at the
   * height in progress before and cannot know what. It signs nothing until a block proposed after its start is
   * final; every height above that one began after the log was lost, so nothing it signs there can be a second
   * signature.
   */
  private watchingSince: bigint | undefined

  constructor(private readonly o: EngineOptions) {
    this.signed = new HeightLog(o.signLog)
    this.clock = new StepClock(TICK_MS, (work) => this.serial(work), (e) => this.o.logger.error({ err: e, code: (e as CausewayError).code }, 'consensus step failed'))
    const base = o.roundMs ?? 3_000
    const step = o.roundIncrementMs ?? 1_000
    const vote = Math.max(50, Math.floor(base / 3))
    this.ctx = {
      n: o.set.keys.length,
      self: o.index,
      quorum: o.set.threshold,
      proposer: (h, r) => proposerOf(h, r, o.set.keys.length),
      roundWindow: MAX_ROUNDS_AHEAD,
      timeouts: { proposeBase: base, proposeDelta: step, prevoteBase: vote, prevoteDelta: Math.floor(step / 3), precommitBase: vote, precommitDelta: Math.floor(step / 3) },
    }
  }

  private get node(): Node {
    return this.o.node
  }

  async start(): Promise<void> {
    const head = this.node.blockNumber()
    const latest = await this.o.signLog.latestHeight()
    // A lone validator has nobody to double-sign against (and nobody else to finalize while it watched).
    const alone = this.o.set.keys.length === 1
    if (!alone && head > 0n && (latest === undefined || latest < head) && this.o.unsafeSignWithoutHistory !== true) {
      this.watchingSince = BigInt(Math.floor(Date.now() / 1000))
      this.o.logger.warn(
        { head: Number(head), signLogLatest: latest === undefined ? null : Number(latest) },
        'sign log missing or behind the chain: watching, signing nothing until a block proposed after this start is final (override: consensus.unsafeSignWithoutHistory, which risks a double sign)',
      )
    }
    await this.serial(() => this.resetHeight())
    this.node.subscribe({
      onBlock: (block) => {
        // A block committed by the syncer: move on to the next height.
        if (block.header.number >= this.height) void this.serial(() => this.resetHeight()).catch((e: unknown) => this.o.logger.error({ err: e }, 'consensus reset failed'))
      },
    })
    this.clock.start(() => this.tick())
  }

  /** Runs the next step at once rather than at the next tick (a height was just finalized: start the next). */
  private wake(): void {
    this.clock.wake()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.clock.stop()
    await this.queue.catch(() => undefined)
  }

  /** Every engine step runs alone, in arrival order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }

  status(): { height: bigint; round: number; step: string; locked: string | undefined } {
    return { height: this.height, round: this.core.round, step: this.core.step, locked: this.core.lockedValue === null ? undefined : `0x${this.core.lockedValue}` }
  }

  /** Whether this validator is only watching (see `watchingSince`). */
  get watching(): boolean {
    return this.watchingSince !== undefined
  }

  private async resetHeight(): Promise<void> {
    const next = this.node.blockNumber() + 1n
    if (next === this.height) return
    const head = await this.node.headBlock()
    if (this.watchingSince !== undefined && head.header.timestamp >= this.watchingSince) {
      this.watchingSince = undefined
      this.o.logger.info({ height: Number(next), after: Number(head.header.number) }, 'watched a height pass: signing again')
    }
    const finished = this.height
    const parent = head.header.number > 0n ? await this.node.getBlock(head.header.number - 1n) : undefined
    // After a block with transactions, a few empty blocks follow (clients polling the block number see theirs).
    this.trailingWanted = head.transactions.length > 0 ? TRAILING_EMPTY_BLOCKS : (parent?.transactions.length ?? 0) > 0 ? 1 : 0
    // Queued peg-outs wait for a batch interval counted in blocks: keep making blocks until the batch is made.
    if (this.node.bridgeWaiting && this.trailingWanted === 0) this.trailingWanted = 1
    this.height = next
    this.core = initialState(next)
    this.clock.cancelTimers()
    this.blocks.clear()
    this.candidates.clear()
    this.proposals.clear()
    this.proposalBytes.clear()
    this.signatures.clear()
    const keptBlocks = this.signed.reset()
    this.pendingPropose = undefined
    this.heightSenders.clear()
    this.lastGossip = Date.now()
    if (finished > 0n && keptBlocks.length > 0) await this.o.signLog.forgetBlocks(finished, keptBlocks)

    const saved = await this.o.signLog.load(next)
    if (saved !== undefined) {
      // Signed here before a restart: resume with the lock and valid value, and what was signed counts again.
      for (const [value, bytes] of saved.blocks) this.blocks.set(value, this.decodeBlock(bytes))
      this.signed.restore(saved.record, saved.blocks.keys())
      const lastRound = Math.max(saved.record.persisted.round, ...saved.record.slots.map((s) => s.round))
      this.o.logger.info({ height: Number(next), round: lastRound, locked: saved.record.persisted.lockedValue }, 'resuming a height from the sign log')
      const own: Event[] = []
      for (const slot of saved.record.slots) {
        if (slot.kind === 'proposal') continue
        const vote: Vote = { type: slot.kind, height: next, round: slot.round, from: this.o.index, value: slot.value }
        this.signVote(vote) // to hold its signatures again
        own.push({ kind: 'vote', vote })
      }
      await this.run(resume({ ...saved.record.persisted, round: lastRound }, this.ctx), own)
    }
    // Messages for this height that arrived while we were finishing the last one.
    const early = this.nextHeight.splice(0).filter((m) => m.height === next)
    for (const m of early) await this.dispatch(m).catch(() => undefined)
  }

  /** Whether a block is needed at this height: transactions wait, trailing empty blocks, or the bridge's queue. */
  private wanted(): boolean {
    return this.node.mempool.size > 0 || this.trailingWanted > 0 || this.node.bridgeWaiting
  }

  private async tick(): Promise<void> {
    if (this.node.halted !== undefined) return
    if (this.node.blockNumber() + 1n !== this.height) await this.resetHeight()
    const head = await this.node.headBlock()
    const now = Date.now()
    const early = BigInt(Math.floor(now / 1000)) <= head.header.timestamp
    if (early) {
      // One block per second at most: step again the moment the next second begins.
      this.clock.stepWithin((Number(head.header.timestamp) + 1) * 1000 - now)
    }
    if (!this.core.started) {
      if (this.wanted() && !early) await this.run(apply(this.core, { kind: 'start' }, this.ctx))
      return
    }
    const pending = this.pendingPropose
    if (pending !== undefined && !early) {
      this.pendingPropose = undefined
      if (this.core.round === pending.round && this.core.step === 'propose') await this.propose(pending)
    }
    if (now - this.lastGossip >= GOSSIP_MS && this.core.decision === null) {
      this.lastGossip = now
      this.gossip()
    }
  }

  /** Sends this round's own messages again: a lost vote leaves a round short of its quorum, with no timeout armed. */
  private gossip(): void {
    const round = this.core.round
    const proposal = this.signed.get('proposal', round)
    if (proposal?.value != null) {
      const block = this.blocks.get(proposal.value)
      if (block !== undefined) this.o.broadcast(this.signProposal(block, round, proposal.validRound, this.polkaFor(proposal)))
    }
    for (const kind of ['prevote', 'precommit'] as const) {
      const slot = this.signed.get(kind, round)
      if (slot !== undefined) this.o.broadcast(this.signVote({ type: kind, height: this.height, round, from: this.o.index, value: slot.value }))
    }
  }

  private polkaFor(slot: Slot) {
    if (slot.validRound < 0 || slot.value === null) return []
    const bucket = this.core.rounds.get(slot.validRound)
    const votes = bucket === undefined ? [] : [...bucket.prevotes.values(), ...bucket.conflicting.values()].filter((v) => v.type === 'prevote' && v.value === slot.value)
    return this.signatures.polka(votes)
  }

  /**
   * Applies a transition and everything it causes here: own votes count at once, the sign log is written before
   * anything signed is sent, then messages go out and a decision is committed.
   */
  private async run(first: Transition, work: Event[] = []): Promise<void> {
    const outgoing: SignedMessage[] = []
    let decided: Extract<Effect, { kind: 'decide' }> | undefined
    let propose: Extract<Effect, { kind: 'propose' }> | undefined
    const roundBefore = this.core.round
    let t: Transition | undefined = first
    for (;;) {
      if (t === undefined) {
        const e = work.shift()
        if (e === undefined) break
        t = apply(this.core, e, this.ctx)
      }
      this.core = t.state
      for (const eff of t.effects) {
        switch (eff.kind) {
          case 'scheduleTimeout':
            this.arm(eff.step, eff.height, eff.round, eff.ms)
            break
          case 'evidence':
            this.report(eff.first, eff.second)
            break
          case 'decide':
            decided = eff
            break
          case 'propose':
            propose = eff
            break
          case 'broadcastVote': {
            if (this.watching) break
            const vote = this.ownVote(eff.vote)
            outgoing.push(this.signVote(vote))
            work.push({ kind: 'vote', vote })
            break
          }
        }
      }
      t = undefined
    }
    if (this.core.round !== roundBefore) this.lastGossip = Date.now()
    await this.persist()
    for (const m of outgoing) this.o.broadcast(m)
    if (decided !== undefined) await this.finalize(decided.value, decided.round)
    else if (propose !== undefined && this.core.round === propose.round) await this.propose(propose)
  }

  /** The vote to send for a slot: the one signed before, if any (after a restart), never a second one. */
  private ownVote(vote: Vote): Vote {
    return { ...vote, value: this.signed.claim({ kind: vote.type, round: vote.round, value: vote.value, validRound: -1 }).value }
  }

  /** Signs a vote of this validator and keeps its signatures (for polkas and certificates). */
  private signVote(vote: Vote): SignedMessage {
    const hash = vote.value === null ? undefined : this.hashOf(vote.value)
    let payload: Uint8Array[] = []
    if (hash !== undefined) payload = vote.type === 'prevote' ? [hash] : [hash, signCommit(this.o.key, this.node.chainId, this.height, vote.round, hash)]
    const message = this.sign(vote.type, vote.round, payload)
    if (hash !== undefined) this.signatures.add(vote, vote.type === 'prevote' ? message.signature : payload[1]!)
    return message
  }

  private hashOf(value: Value): Uint8Array {
    return Uint8Array.from(Buffer.from(value, 'hex'))
  }

  /** Writes the sign log if anything signed, the lock or the valid value changed; resolves once it is on disk. */
  private async persist(): Promise<void> {
    if (this.watching) return
    await this.signed.persist(persisted(this.core), (v) => {
      const block = this.blocks.get(v)
      return block === undefined ? undefined : serialized(block)
    })
  }

  private arm(step: Step, height: bigint, round: number, ms: number): void {
    this.clock.after(Math.min(ms, this.o.maxRoundMs ?? 30_000), async () => {
      if (this.stopped || height !== this.height) return
      await this.run(apply(this.core, { kind: 'timeout', step, height, round }, this.ctx))
    })
  }

  /** Records and logs two signatures of one validator where it may give one (the core reports each slot once). */
  private report(first: Vote, second: Vote): void {
    const show = (v: Value | null) => (v === null ? 'nil' : `0x${v}`)
    const e = { type: first.type, height: first.height, round: first.round, validator: first.from, first: show(first.value), second: show(second.value), seenAt: Date.now() }
    this.evidence.add(e)
    this.o.logger.warn({ code: 'CONSENSUS_EQUIVOCATION', ...e, height: Number(e.height) }, `evidence: validator ${first.from} signed two ${first.type}s in round ${first.round}`)
  }

  /** Performs the core's `propose`: the valid value again with its polka, or a block built now. */
  private async propose(eff: Extract<Effect, { kind: 'propose' }>): Promise<void> {
    if (this.watching) return // the round times out and passes to the next proposer
    const head = await this.node.headBlock()
    if (BigInt(Math.floor(Date.now() / 1000)) <= head.header.timestamp) {
      this.pendingPropose = eff
      return
    }
    const before = this.signed.get('proposal', eff.round)
    let value = before?.value ?? eff.value
    let validRound = before !== undefined ? before.validRound : eff.validRound
    let block = value === null ? undefined : this.blocks.get(value)
    if (before !== undefined && block === undefined) return // proposed before a restart, and the block is gone
    if (block === undefined) {
      const candidate = await this.node.exclusive(() => this.node.buildCandidate())
      const built = candidate.executed.block
      // The syncer may have committed blocks meanwhile: a candidate for another height is dropped.
      if (built.header.number !== this.height) {
        await this.node.exclusive(() => this.node.abandon())
        await this.resetHeight()
        return
      }
      block = built
      value = bytesToHex(block.hash())
      validRound = -1
      this.blocks.set(value, block)
      this.candidates.set(value, candidate)
    }
    const v = value!
    this.signed.claim({ kind: 'proposal', round: eff.round, value: v, validRound })
    await this.persist()
    const polka = validRound >= 0 ? this.signatures.polka(eff.value === v ? eff.polka : []) : []
    this.o.logger.info({ height: Number(this.height), round: eff.round, txs: block.transactions.length, hash: `0x${v}`, validRound }, 'proposing')
    this.proposals.set(eff.round, v)
    this.o.broadcast(this.signProposal(block, eff.round, validRound, polka))
    await this.run(apply(this.core, { kind: 'proposal', proposal: { height: this.height, round: eff.round, from: this.o.index, value: v, validRound }, valid: true }, this.ctx))
  }

  private signProposal(block: Block, round: number, validRound: number, polka: ReturnType<SignatureBook['polka']>): SignedMessage {
    return this.sign('proposal', round, proposalPayload(serialized(block), validRound, polka))
  }

  private sign(type: MessageType, round: number, payload: Uint8Array[]): SignedMessage {
    return signMessage({ type, chainId: this.node.chainId, height: this.height, round, from: this.o.index, payload }, this.o.key)
  }

  /** Handles a message from a peer: checks the envelope, then acts; refusals throw coded errors (and are logged). */
  handle(message: SignedMessage): Promise<void> {
    return this.serial(async () => {
      try {
        // A node that saw two certificates for one height follows nothing until its operator looks (conflict.ts).
        if (this.node.halted !== undefined) throw this.node.halted
        verifyMessage(message, this.o.set, this.node.chainId)
        if (message.from === this.o.index) fail('CONSENSUS_FROM_SELF', 'message claims to come from this validator')
        if (this.node.blockNumber() + 1n !== this.height) await this.resetHeight()
        await this.dispatch(message)
      } catch (e) {
        if (e instanceof CausewayError) {
          this.refusals.set(e.code, (this.refusals.get(e.code) ?? 0) + 1)
          this.o.logger.warn({ code: e.code, from: message.from, type: message.type, height: Number(message.height), round: message.round, reason: e.message }, 'refused consensus message')
        }
        throw e
      }
    })
  }

  /** A verified message, by height and type. */
  private async dispatch(message: SignedMessage): Promise<void> {
    if (message.height < this.height) {
      if (message.type === 'commit') await this.onOldCommit(message)
      return // already final here
    }
    if (message.height > this.height) {
      // Kept per sender, so that one member's flood cannot crowd out the others' messages.
      if (message.height === this.height + 1n && this.nextHeight.filter((m) => m.from === message.from).length < MAX_NEXT_HEIGHT_PER_SENDER) this.nextHeight.push(message)
      this.o.requestSync()
      return
    }
    if (message.type === 'commit') return this.onCommit(message)
    // A message far ahead would have counted towards moving this validator to a round the others are not in (one
    // at round 1,000,000 had every moved validator's messages refused by the wire: the chain halted, finding 1).
    if (message.round > this.core.round + MAX_ROUNDS_AHEAD) {
      fail('CONSENSUS_ROUND_TOO_FAR', `${message.type} for round ${message.round}, more than ${MAX_ROUNDS_AHEAD} rounds ahead of this validator's ${this.core.round}`)
    }
    // Others work on this height: take part (an idle validator starts a height only when it wants a block). A
    // proposal, or votes of f + 1 validators (one of them correct), not one member's votes: alone it could make
    // an idle chain produce empty blocks.
    if (!this.core.started) {
      this.heightSenders.add(message.from)
      if (message.type === 'proposal' || this.heightSenders.size > faultsFor(this.ctx.n)) await this.run(apply(this.core, { kind: 'start' }, this.ctx))
    }
    if (message.type === 'proposal') await this.onProposal(message)
    else await this.onVote(message)
  }

  private decodeBlock(bytes: Uint8Array | undefined): Block {
    try {
      if (bytes === undefined) throw new Error('missing')
      return createBlockFromRLP(bytes, { common: this.node.common, setHardfork: false })
    } catch (e) {
      throw new CausewayError('CONSENSUS_MALFORMED', 'the block in the message does not decode', { cause: e })
    }
  }

  /** Re-executes a block unless done already; throws EXEC_INVALID_BLOCK (or another coded error) for a bad one. */
  private async execute(value: Value, block: Block): Promise<void> {
    if (this.candidates.has(value)) return
    const candidate = await this.node.exclusive(() => this.node.replay(block))
    this.candidates.set(value, candidate)
  }

  private async onProposal(message: SignedMessage): Promise<void> {
    // The same proposal again (gossip re-sends it while a round lasts): recognised by its bytes, before decoding
    // a block of a thousand transactions once more.
    const bytes = message.payload[0]
    const digest = bytes === undefined ? undefined : bytesToHex(keccak256(bytes))
    if (digest !== undefined && this.proposalBytes.get(message.round) === digest) return
    // One proposal per round is looked at: a faulty proposer's second block in a round costs a decode and at
    // most n signature checks, never a re-execution.
    const { block, value, validRound, polka } = readProposal(message, {
      set: this.o.set,
      chainId: this.node.chainId,
      proposer: proposerOf(message.height, message.round, this.o.set.keys.length),
      decode: (bytes) => this.decodeBlock(bytes),
    })
    const seen = this.proposals.get(message.round)
    if (seen === value) return // sent again (gossip): looked at already
    if (seen !== undefined) fail('CONSENSUS_DUPLICATE_PROPOSAL', `validator ${message.from} already proposed another block in round ${message.round} of height ${this.height}`)
    if (digest !== undefined) this.proposalBytes.set(message.round, digest)
    for (const p of polka) this.signatures.add(p.vote, p.signature!)
    const votes = polka.map((p) => p.vote)
    this.proposals.set(message.round, value)

    // Valid means: on time, and re-executes to exactly this block (state root, receipts, fees, body rules).
    let refusal: CausewayError | undefined
    const latest = latestAllowedTimestamp((await this.node.headBlock()).header.timestamp, Date.now())
    if (block.header.timestamp > latest) {
      refusal = new CausewayError('CONSENSUS_BAD_TIMESTAMP', `block timestamp ${block.header.timestamp} is ahead of this validator's clock: at most ${latest} (clock + ${MAX_CLOCK_DRIFT_S} s, or parent + 1 s)`)
    } else {
      try {
        await this.execute(value, block)
      } catch (e) {
        if (!(e instanceof CausewayError)) throw e
        refusal = e
      }
    }
    if (refusal === undefined) this.blocks.set(value, block)
    const proposal = { height: this.height, round: message.round, from: message.from, value, validRound }
    await this.run(apply(this.core, { kind: 'proposal', proposal, valid: refusal === undefined, ...(votes.length > 0 ? { polka: votes } : {}) }, this.ctx))
    if (refusal !== undefined) throw refusal // prevoted nil (or will, in its round)
    const { lockedValue, lockedRound } = this.core
    if (lockedValue !== null && lockedValue !== value && validRound < lockedRound) {
      fail('CONSENSUS_ALREADY_SIGNED', `locked on ${toHex(this.hashOf(lockedValue))} since round ${lockedRound} at height ${this.height}: prevoting nil for ${toHex(block.hash())}`)
    }
  }

  private async onVote(message: SignedMessage): Promise<void> {
    const { vote, signature } = readVote(message, this.o.set, this.node.chainId)
    if (!wouldTake(this.core, vote)) return
    if (signature !== undefined) this.signatures.add(vote, signature)
    await this.run(apply(this.core, { kind: 'vote', vote }, this.ctx))
  }

  private async finalize(value: Value, round: number): Promise<void> {
    const certificate = this.signatures.certificate(this.height, round, value)
    const block = this.blocks.get(value)
    if (block === undefined || certificate.signatures.length < this.o.set.threshold) {
      // Cannot happen: the core decides on a proposal it took as valid, by the precommits whose signatures we hold.
      this.o.logger.error({ height: Number(this.height), round, value, signatures: certificate.signatures.length }, 'decided without the block or its signatures: syncing it')
      this.o.requestSync()
      return
    }
    await this.commitFinal(block, certificate)
  }

  private async commitFinal(block: Block, certificate: Certificate): Promise<void> {
    const value = bytesToHex(block.hash())
    const timings = await this.node.exclusive(async () => {
      if (this.node.blockNumber() >= block.header.number) return {}
      const candidate = this.candidates.get(value) ?? (await this.node.replay(block))
      return timingFields(candidate.timings, await this.node.commit(candidate, certificate))
    })
    this.o.logger.info({ height: Number(block.header.number), round: certificate.round, txs: block.transactions.length, signatures: certificate.signatures.length, hash: toHex(block.hash()), ...timings }, 'block final')
    this.o.broadcast(this.sign('commit', certificate.round, [encodeCertificate(certificate)]))
    await this.resetHeight()
    this.wake()
  }

  private async onCommit(message: SignedMessage): Promise<void> {
    const cert = decodeCertificate(message.payload[0] ?? new Uint8Array(0))
    if (cert.height !== this.height) fail('CONSENSUS_WRONG_HEIGHT', 'commit for another height')
    verifyCertificate(this.o.set, this.node.chainId, cert)
    // A quorum's precommits in one round: final. We hold the block only if we re-executed it as valid.
    const block = this.blocks.get(bytesToHex(cert.blockHash))
    if (block === undefined) {
      this.o.requestSync()
      return
    }
    await this.commitFinal(block, cert)
  }

  /** A certificate for a height that is final here already: a different block there means safety is broken. */
  private async onOldCommit(message: SignedMessage): Promise<void> {
    const cert = decodeCertificate(message.payload[0] ?? new Uint8Array(0))
    if (cert.height !== message.height) fail('CONSENSUS_WRONG_HEIGHT', 'commit names another height than its certificate')
    const [ours, ourCert] = await Promise.all([this.node.getBlock(cert.height), this.node.chain.getCertificate(cert.height)])
    if (ours === undefined || ourCert === undefined) return
    const r = checkConflict(this.o.set, this.node.chainId, cert.height, { blockHash: ours.hash(), certificate: ourCert }, { blockHash: cert.blockHash, certificate: cert }, `validator ${message.from}`)
    if (r.kind === 'conflict') this.node.halt(r.error)
    else if (r.kind === 'bad-peer') throw r.error
  }
}
