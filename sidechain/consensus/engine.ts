// Federated finality (ARCHITECTURE.md decision 2): n validators, threshold k with 2k > n, in two phases per
// round. The proposer of (height, round) offers a block; each validator re-executes it and prevotes. A validator
// that sees k prevotes for one block in one round (a "polka") precommits it: its finality signature, of which it
// gives at most one per height, recorded on disk with the block before it leaves the process. k precommits make
// the certificate; the block is final and never reverted.
//
// Safety: two final blocks at one height would need 2k > n precommits from validators that precommit once — no
// network behaviour can produce them. Liveness: prevotes are per round and free, so late or competing proposals
// (a slow proposer, a cut link) do not strand validators on different blocks: a validator that precommitted is
// locked — it prevotes and re-proposes only that block — and the others, still free, complete a polka for a
// locked block (or a new one) in a later round. Rounds time out and pass to the next proposer.
import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import type { Logger } from 'pino'
import { verify } from 'tiny-secp256k1'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { bytesToHex, equalBytes, toHex } from '../../spv/base/bytes.js'
import { timingFields, type Candidate, type Node } from '../node/node.js'
import { serialized } from '../chain/block-bytes.js'
import { MAX_CLOCK_DRIFT_S, latestAllowedTimestamp } from '../chain/block-time.js'
import { commitDigest, decodeCertificate, encodeCertificate, signCommit, verifyCertificate, type Certificate, type ValidatorSet } from './certificate.js'
import { signMessage, verifyMessage, type MessageType, type SignedMessage } from './messages.js'
import type { SignLog } from './sign-log.js'
import { EvidenceLog } from './evidence.js'

export interface EngineOptions {
  readonly node: Node
  readonly set: ValidatorSet
  /** This validator's index in the set, and its key. */
  readonly index: number
  readonly key: Uint8Array
  readonly signLog: SignLog
  readonly broadcast: (message: SignedMessage) => void
  /** Asks the syncer to catch up (a message from a later height arrived). */
  readonly requestSync: () => void
  readonly logger: Logger
  /** First round's length; each later round is `roundIncrementMs` longer (bounded by `maxRoundMs`). */
  readonly roundMs?: number
  readonly roundIncrementMs?: number
  readonly maxRoundMs?: number
  /**
   * Sign even when the sign log is missing or behind the chain (see `watching`). An operator override: a
   * validator whose log was lost may sign a second block at a height where it signed one before — a double sign.
   */
  readonly unsafeSignWithoutHistory?: boolean
}

const TRAILING_EMPTY_BLOCKS = 2
/** Proposals more than this many rounds ahead of the validator's own are refused. */
const MAX_ROUNDS_AHEAD = 64
/** How often the engine steps (round timeouts, proposing) when nothing wakes it sooner. */
const TICK_MS = 100

export function proposerOf(height: bigint, round: number, n: number): number {
  return Number((height + BigInt(round)) % BigInt(n))
}

export class Engine {
  private height = 0n
  private round = 0
  private roundStartedAt = Date.now()
  private proposedInRound = -1
  /** Our precommit at this height (the lock), from the sign log. */
  private locked: Uint8Array | undefined
  /** The newest block we saw a polka for, to propose again when we are not locked. */
  private polka: Uint8Array | undefined
  private readonly blocks = new Map<string, Block>()
  private readonly candidates = new Map<string, Candidate>()
  /** round → the block hash proposed in it: one proposal per round is looked at (and re-executed). */
  private readonly proposals = new Map<number, string>()
  /** round → block hash hex → validators that prevoted it. */
  private readonly prevotes = new Map<number, Map<string, Set<number>>>()
  private readonly myPrevotes = new Set<number>()
  /** block hash hex → validator → finality signature. */
  private readonly precommits = new Map<string, Map<number, Uint8Array>>()
  private queue: Promise<unknown> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  /** The step loop (set by start), `armed` while its timer waits. */
  private loop: ((delayMs: number) => void) | undefined
  private armed = false
  /** The next step is wanted sooner than TICK_MS: at once (wake) or when a proposal becomes allowed. */
  private nextStepInMs: number | undefined
  private stopped = false
  private trailingWanted = 0
  /** Refusals by code, for metrics and tests. */
  readonly refusals = new Map<string, number>()
  /** Equivocations seen (evidence.ts). */
  readonly evidence = new EvidenceLog()
  /** Vote slots at this height already reported as equivocation. */
  private readonly accused = new Set<string>()
  /**
   * Set (to the start time, unix seconds) while this validator only watches (issue 13 finding 5): its sign log is
   * missing or ends below the chain it sees — a wiped or restored data directory — so it may have signed at the
   * height in progress before and cannot know what. It signs nothing until a block proposed after its start is
   * final; every height above that one began after the log was lost, so nothing it signs there can be a second
   * signature.
   */
  private watchingSince: bigint | undefined

  constructor(private readonly o: EngineOptions) {}

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
    const loop = (delayMs: number) => {
      if (this.stopped) return
      this.armed = true
      this.timer = setTimeout(() => {
        this.armed = false
        void this.serial(() => this.tick())
          .catch((e: unknown) => this.o.logger.error({ err: e, code: (e as CausewayError).code }, 'consensus step failed'))
          .finally(() => {
            const delay = Math.min(TICK_MS, this.nextStepInMs ?? TICK_MS)
            this.nextStepInMs = undefined
            loop(delay)
          })
      }, delayMs)
    }
    this.loop = loop
    loop(TICK_MS)
  }

  /** Runs the next step at once rather than at the next tick (a height was just finalized: propose the next). */
  private wake(): void {
    if (this.armed && this.loop !== undefined) {
      clearTimeout(this.timer)
      this.loop(0)
    } else this.nextStepInMs = 0
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.queue.catch(() => undefined)
  }

  /** Every engine step runs alone, in arrival order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }

  status(): { height: bigint; round: number; locked: string | undefined } {
    return { height: this.height, round: this.round, locked: this.locked === undefined ? undefined : toHex(this.locked) }
  }

  private async resetHeight(): Promise<void> {
    const next = this.node.blockNumber() + 1n
    if (next === this.height) return
    const head = await this.node.headBlock()
    if (this.watchingSince !== undefined && head.header.timestamp >= this.watchingSince) {
      this.watchingSince = undefined
      this.o.logger.info({ height: Number(next), after: Number(head.header.number) }, 'watched a height pass: signing again')
    }
    const parent = head.header.number > 0n ? await this.node.getBlock(head.header.number - 1n) : undefined
    // After a block with transactions, a few empty blocks follow (clients polling the block number see theirs).
    this.trailingWanted = head.transactions.length > 0 ? TRAILING_EMPTY_BLOCKS : (parent?.transactions.length ?? 0) > 0 ? 1 : 0
    // Queued peg-outs wait for a batch interval counted in blocks: keep making blocks until the batch is made.
    if (this.node.bridgeWaiting && this.trailingWanted === 0) this.trailingWanted = 1
    this.height = next
    this.round = 0
    this.roundStartedAt = Date.now()
    this.proposedInRound = -1
    this.blocks.clear()
    this.candidates.clear()
    this.proposals.clear()
    this.accused.clear()
    this.prevotes.clear()
    this.myPrevotes.clear()
    this.precommits.clear()
    this.polka = undefined
    const signed = await this.o.signLog.signedAt(next)
    this.locked = signed?.hash
    if (signed?.block !== undefined) {
      // Signed before a restart: the block and our signature are still ours to offer.
      const block = this.decodeBlock(signed.block)
      this.blocks.set(bytesToHex(signed.hash), block)
      this.addPrecommit(signed.hash, this.o.index, signCommit(this.o.key, this.node.chainId, next, 0, signed.hash))
    }
  }

  private roundTimeout(round: number): number {
    const base = this.o.roundMs ?? 3_000
    const step = this.o.roundIncrementMs ?? 1_000
    return Math.min(base + step * round, this.o.maxRoundMs ?? 15_000)
  }

  /** Whether a block is needed at this height: transactions wait, a block is already in play, or trailing blocks. */
  private wanted(): boolean {
    return this.node.mempool.size > 0 || this.blocks.size > 0 || this.trailingWanted > 0
  }

  private async tick(): Promise<void> {
    if (this.node.blockNumber() + 1n !== this.height) await this.resetHeight()
    if (!this.wanted()) {
      this.roundStartedAt = Date.now()
      return
    }
    if (Date.now() - this.roundStartedAt > this.roundTimeout(this.round)) {
      this.round++
      this.roundStartedAt = Date.now()
      this.o.logger.info({ height: Number(this.height), round: this.round }, 'round timed out')
      // Repeat our precommit with its block, for validators that missed both while the network was cut.
      if (this.locked !== undefined) this.broadcastPrecommit(this.locked, true)
    }
    if (proposerOf(this.height, this.round, this.o.set.keys.length) === this.o.index && this.proposedInRound !== this.round) {
      const head = await this.node.headBlock()
      const now = Date.now()
      if (BigInt(Math.floor(now / 1000)) <= head.header.timestamp) {
        // One block per second at most: step again the moment the next second begins.
        this.nextStepInMs = Math.min(this.nextStepInMs ?? TICK_MS, Math.max(0, (Number(head.header.timestamp) + 1) * 1000 - now))
        return
      }
      await this.propose()
    }
  }

  /** Records and logs two signatures of `validator` for different blocks where it may give one. */
  private equivocated(type: 'prevote' | 'precommit', round: number, validator: number, first: string, second: string): void {
    // Once per validator and vote slot: a member signing a thousand blocks in one round is one piece of evidence,
    // not a line (and an entry) for every pair of them.
    const slot = type === 'prevote' ? `prevote:${round}:${validator}` : `precommit:${validator}`
    if (this.accused.has(slot)) return
    this.accused.add(slot)
    const e = { type, height: this.height, round, validator, first: `0x${first}`, second: `0x${second}`, seenAt: Date.now() }
    this.evidence.add(e)
    this.o.logger.warn({ code: 'CONSENSUS_EQUIVOCATION', ...e, height: Number(e.height) }, `evidence: validator ${validator} signed two blocks`)
  }

  /** Whether this validator is only watching (see `watchingSince`). */
  get watching(): boolean {
    return this.watchingSince !== undefined
  }

  private async propose(): Promise<void> {
    this.proposedInRound = this.round
    if (this.watching) return // the round times out and passes to the next proposer
    const again = this.locked ?? this.polka
    let block = again === undefined ? undefined : this.blocks.get(bytesToHex(again))
    if (block === undefined && this.locked !== undefined) return // locked on a block we do not have: wait for others
    // Neither locked nor a polka: offer again the block of an earlier round at this height that this validator
    // re-executed (most recent first) rather than building another. Any valid block may be proposed; this one
    // the others have most likely executed already, so they prevote at once — when execution is slow (a busy
    // machine, large blocks), building and re-executing a new block every round can outlast every round.
    if (block === undefined) block = this.newestExecuted()
    if (block === undefined) {
      const candidate = await this.node.exclusive(() => this.node.buildCandidate())
      const built = candidate.executed.block
      // The syncer may have committed blocks meanwhile: a candidate for another height is dropped.
      if (built.header.number !== this.height || (built.transactions.length === 0 && this.trailingWanted === 0)) {
        await this.node.exclusive(() => this.node.abandon())
        if (built.header.number !== this.height) await this.resetHeight()
        return
      }
      block = built
      this.blocks.set(bytesToHex(block.hash()), block)
      this.candidates.set(bytesToHex(block.hash()), candidate)
      // As after re-executing a proposal: the round's time is for the others' execution and votes, not our build.
      this.roundStartedAt = Date.now()
    }
    this.o.logger.info({ height: Number(this.height), round: this.round, txs: block.transactions.length, hash: toHex(block.hash()) }, 'proposing')
    const proposal = this.sign('proposal', this.round, [serialized(block)])
    this.o.broadcast(proposal)
    await this.onProposal(proposal)
  }

  /** The block most recently executed at this height (built here or re-executed from a proposal), if any. */
  private newestExecuted(): Block | undefined {
    const keys = [...this.candidates.keys()]
    for (let i = keys.length - 1; i >= 0; i--) {
      const block = this.blocks.get(keys[i]!)
      if (block !== undefined && block.header.number === this.height) return block
    }
    return undefined
  }

  private sign(type: MessageType, round: number, payload: Uint8Array[]): SignedMessage {
    return signMessage({ type, chainId: this.node.chainId, height: this.height, round, from: this.o.index, payload }, this.o.key)
  }

  /** Handles a message from a peer: checks the envelope, then acts; refusals throw coded errors (and are logged). */
  handle(message: SignedMessage): Promise<void> {
    return this.serial(async () => {
      try {
        verifyMessage(message, this.o.set, this.node.chainId)
        if (message.from === this.o.index) fail('CONSENSUS_FROM_SELF', 'message claims to come from this validator')
        if (this.node.blockNumber() + 1n !== this.height) await this.resetHeight()
        if (message.height < this.height) return // already final here
        if (message.height > this.height) {
          this.o.requestSync()
          return
        }
        if (message.type === 'proposal') await this.onProposal(message)
        else if (message.type === 'prevote') await this.onPrevote(message)
        else if (message.type === 'precommit') await this.onPrecommit(message)
        else await this.onCommit(message)
      } catch (e) {
        if (e instanceof CausewayError) {
          this.refusals.set(e.code, (this.refusals.get(e.code) ?? 0) + 1)
          this.o.logger.warn({ code: e.code, from: message.from, type: message.type, height: Number(message.height), round: message.round, reason: e.message }, 'refused consensus message')
        }
        throw e
      }
    })
  }

  private decodeBlock(bytes: Uint8Array | undefined): Block {
    try {
      if (bytes === undefined) throw new Error('missing')
      return createBlockFromRLP(bytes, { common: this.node.common, setHardfork: false })
    } catch (e) {
      throw new CausewayError('CONSENSUS_MALFORMED', 'the block in the message does not decode', { cause: e })
    }
  }

  /** Re-executes a block unless done already (then false); throws EXEC_INVALID_BLOCK for a bad one. */
  private async execute(block: Block): Promise<boolean> {
    const key = bytesToHex(block.hash())
    if (this.candidates.has(key)) return false
    const candidate = await this.node.exclusive(() => this.node.replay(block))
    this.candidates.set(key, candidate)
    return true
  }

  private async onProposal(message: SignedMessage): Promise<void> {
    const expected = proposerOf(message.height, message.round, this.o.set.keys.length)
    if (message.from !== expected) {
      fail('CONSENSUS_WRONG_PROPOSER', `validator ${message.from} is not the proposer of height ${message.height} round ${message.round} (validator ${expected} is)`)
    }
    // A proposal far ahead would move this validator to a round the others are not in (one at round 1,000,000 had
    // every moved validator's messages refused by the wire: the chain halted, issue 13 finding 1).
    if (message.round > this.round + MAX_ROUNDS_AHEAD) {
      fail('CONSENSUS_ROUND_TOO_FAR', `proposal for round ${message.round}, more than ${MAX_ROUNDS_AHEAD} rounds ahead of this validator's ${this.round}`)
    }
    const block = this.decodeBlock(message.payload[0])
    const hash = block.hash()
    if (block.header.number !== this.height) fail('CONSENSUS_WRONG_HEIGHT', `proposal for height ${message.height} carries block ${block.header.number}`)
    const seen = this.proposals.get(message.round)
    if (seen !== undefined && seen !== bytesToHex(hash)) {
      fail('CONSENSUS_DUPLICATE_PROPOSAL', `validator ${message.from} already proposed another block in round ${message.round} of height ${this.height}`)
    }
    // Checked before the proposal changes anything (the round included).
    const latest = latestAllowedTimestamp((await this.node.headBlock()).header.timestamp, Date.now())
    if (block.header.timestamp > latest) {
      fail('CONSENSUS_BAD_TIMESTAMP', `block timestamp ${block.header.timestamp} is ahead of this validator's clock: at most ${latest} (clock + ${MAX_CLOCK_DRIFT_S} s, or parent + 1 s)`)
    }
    this.proposals.set(message.round, bytesToHex(hash))
    if (message.round > this.round) {
      this.round = message.round
      this.roundStartedAt = Date.now()
    }
    if (this.locked !== undefined && !equalBytes(this.locked, hash)) {
      // Locked: support our block in this round instead, and refuse the other.
      this.prevote(message.round, this.locked)
      fail('CONSENSUS_ALREADY_SIGNED', `already signed ${toHex(this.locked)} at height ${this.height}; refusing ${toHex(hash)}`)
    }
    // Re-execute: a bad state root, receipts root, fee handling or transaction makes this throw EXEC_INVALID_BLOCK.
    // The round's clock restarts after a fresh execution, so a large block's re-execution on a busy machine does
    // not use up the time the votes need to arrive (which would only bring a new round proposing the same block).
    if (await this.execute(block)) {
      if (message.round === this.round) this.roundStartedAt = Date.now()
    }
    this.blocks.set(bytesToHex(hash), block)
    this.prevote(message.round, hash)
    await this.checkPolka(message.round, hash)
  }

  /** Our prevote for `hash` in `round`, once per round. */
  private prevote(round: number, hash: Uint8Array): void {
    if (this.watching || this.myPrevotes.has(round)) return
    this.myPrevotes.add(round)
    this.addPrevote(round, hash, this.o.index)
    this.o.broadcast(this.sign('prevote', round, [hash]))
  }

  private addPrevote(round: number, hash: Uint8Array, validator: number): number {
    const byHash = this.prevotes.get(round) ?? new Map<string, Set<number>>()
    this.prevotes.set(round, byHash)
    const key = bytesToHex(hash)
    for (const [other, voters] of byHash) if (other !== key && voters.has(validator)) this.equivocated('prevote', round, validator, other, key)
    const voters = byHash.get(key) ?? new Set<number>()
    voters.add(validator)
    byHash.set(key, voters)
    return voters.size
  }

  private async onPrevote(message: SignedMessage): Promise<void> {
    const hash = message.payload[0]
    if (hash === undefined || hash.length !== 32) fail('CONSENSUS_MALFORMED', 'prevote payload is not a block hash')
    this.addPrevote(message.round, hash, message.from)
    await this.checkPolka(message.round, hash)
  }

  /** k prevotes for one block in one round: precommit it, unless we already precommitted at this height. */
  private async checkPolka(round: number, hash: Uint8Array): Promise<void> {
    const count = this.prevotes.get(round)?.get(bytesToHex(hash))?.size ?? 0
    if (count < this.o.set.threshold) return
    this.polka = hash
    if (this.locked !== undefined) return
    const block = this.blocks.get(bytesToHex(hash))
    if (block === undefined) return // we never saw this block; a later proposal of it will carry it
    if (this.watching) return
    await this.execute(block)
    await this.o.signLog.record(this.height, hash, serialized(block)) // on disk before the signature exists elsewhere
    this.locked = hash
    this.addPrecommit(hash, this.o.index, signCommit(this.o.key, this.node.chainId, this.height, 0, hash))
    this.broadcastPrecommit(hash, false)
    await this.checkFinal(hash)
  }

  /** Our precommit for `hash`; with its block when repeated (the others prevoted it, so they hold it already). */
  private broadcastPrecommit(hash: Uint8Array, withBlock: boolean): void {
    const block = this.blocks.get(bytesToHex(hash))
    const signature = this.precommits.get(bytesToHex(hash))?.get(this.o.index)
    if (block === undefined || signature === undefined) return
    this.o.broadcast(this.sign('precommit', this.round, withBlock ? [hash, signature, serialized(block)] : [hash, signature]))
  }

  private addPrecommit(hash: Uint8Array, validator: number, signature: Uint8Array): void {
    const key = bytesToHex(hash)
    for (const [other, signers] of this.precommits) if (other !== key && signers.has(validator)) this.equivocated('precommit', this.round, validator, other, key)
    const signers = this.precommits.get(key) ?? new Map<number, Uint8Array>()
    signers.set(validator, signature)
    this.precommits.set(key, signers)
  }

  private async onPrecommit(message: SignedMessage): Promise<void> {
    const [hash, signature, blockBytes] = message.payload
    if (hash === undefined || hash.length !== 32 || signature === undefined || signature.length !== 64) fail('CONSENSUS_MALFORMED', 'precommit payload is malformed')
    let ok = false
    try {
      ok = verify(commitDigest(this.node.chainId, this.height, 0, hash), this.o.set.keys[message.from]!, signature, true)
    } catch {
      ok = false
    }
    if (!ok) fail('CONSENSUS_BAD_SIGNATURE', `precommit signature of validator ${message.from} does not verify`)
    // A repeated precommit carries the block; one we hold already is not decoded again.
    if (!this.blocks.has(bytesToHex(hash)) && blockBytes !== undefined) this.holdBlock(this.decodeBlock(blockBytes), hash)
    this.addPrecommit(hash, message.from, signature)
    await this.checkFinal(hash)
  }

  /** Keeps a block that arrived beside a hash naming it, for this height. */
  private holdBlock(block: Block, hash: Uint8Array): void {
    if (!equalBytes(block.hash(), hash)) fail('CONSENSUS_MALFORMED', 'the message names one block and carries another')
    if (block.header.number !== this.height) fail('CONSENSUS_WRONG_HEIGHT', 'a block of another height')
    this.blocks.set(bytesToHex(hash), block)
  }

  private async checkFinal(hash: Uint8Array): Promise<void> {
    const signers = this.precommits.get(bytesToHex(hash))
    if (signers === undefined || signers.size < this.o.set.threshold) return
    if (!this.blocks.has(bytesToHex(hash))) {
      // Final, but we missed its proposal: the validators that signed it hold it, and serve it once committed.
      this.o.requestSync()
      return
    }
    const signatures = [...signers.entries()].sort((a, b) => a[0] - b[0]).map(([validator, signature]) => ({ validator, signature }))
    const certificate: Certificate = { height: this.height, round: 0, blockHash: hash, signatures }
    await this.finalize(this.blocks.get(bytesToHex(hash))!, certificate)
  }

  private async finalize(block: Block, certificate: Certificate): Promise<void> {
    const key = bytesToHex(block.hash())
    const timings = await this.node.exclusive(async () => {
      if (this.node.blockNumber() >= block.header.number) return {}
      const candidate = this.candidates.get(key) ?? (await this.node.replay(block))
      return timingFields(candidate.timings, await this.node.commit(candidate, certificate))
    })
    this.o.logger.info({ height: Number(block.header.number), txs: block.transactions.length, signatures: certificate.signatures.length, hash: toHex(block.hash()), ...timings }, 'block final')
    this.o.broadcast(this.sign('commit', this.round, [encodeCertificate(certificate)]))
    await this.resetHeight()
    this.wake()
  }

  private async onCommit(message: SignedMessage): Promise<void> {
    const cert = decodeCertificate(message.payload[0] ?? new Uint8Array(0))
    if (cert.height !== this.height) fail('CONSENSUS_WRONG_HEIGHT', 'commit for another height')
    verifyCertificate(this.o.set, this.node.chainId, cert, cert.blockHash)
    const block = this.blocks.get(bytesToHex(cert.blockHash))
    if (block === undefined) {
      // Certified final, but we never saw the block: fetch it, with its certificate, from a peer.
      this.o.requestSync()
      return
    }
    await this.finalize(block, cert)
  }
}
