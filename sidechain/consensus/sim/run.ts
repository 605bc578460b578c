// One seeded run of the consensus simulator: n validators, each the pure Tendermint state machine behind a small
// shell (turns effects into messages and timers, keeps a sign log across crashes, buffers the next height's
// messages, re-gossips its own messages and hands a lagging peer the commit it missed), over a network that loses,
// duplicates, delays, reorders and partitions messages until GST. Up to f validators are Byzantine.
//
// Checked on every run: safety (no two honest validators decide different values at one height, no decided value
// is invalid, no honest validator is ever accused of equivocation) and liveness (after GST every honest validator
// decides every height within `livenessBoundMs`).
import {
  apply,
  commitMessages,
  initialState,
  persisted,
  resume,
  type Context,
  type Effect,
  type Event,
  type Persisted,
  type State,
  type Step,
  type Value,
  type Vote,
} from '../tendermint.js'
import { EventQueue } from './event-queue.js'
import { describe, isValid, msgHeight, msgRound, toEvent, type Message } from './messages.js'
import { deliveryDelays } from './network.js'
import { mulberry32, type Prng } from './prng.js'
import { drawScenario, type Byzantine, type Scenario, type ScenarioOptions } from './scenario.js'

type SimEvent =
  | { readonly kind: 'deliver'; readonly to: number; readonly from: number; readonly msg: Message }
  | { readonly kind: 'timeout'; readonly node: number; readonly epoch: number; readonly step: Step; readonly height: bigint; readonly round: number }
  | { readonly kind: 'gossip'; readonly node: number; readonly epoch: number }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }

export interface RunOptions extends ScenarioOptions {
  /** Heights to finalize (1..heights). */
  readonly heights?: number
  /** Quorum override for honest validators (a wrong one must make the checker fail). */
  readonly quorum?: number
  /** Honest validators skip the lock check (a broken rule the checker must catch). */
  readonly unsafeIgnoreLock?: boolean
  /** Simulated time after GST within which every honest validator must have decided every height (30 s). */
  readonly livenessBoundMs?: number
  /** A height begun after GST must be decided by every honest validator within this (15 s; see runSeed). */
  readonly heightBoundMs?: number
  readonly gossipMs?: number
  readonly trace?: boolean
}

export interface RunResult {
  readonly seed: number
  readonly safe: boolean
  readonly live: boolean
  /** Per height: rounds used (decision round + 1, the highest among honest validators); 0 if undecided. */
  readonly rounds: number[]
  /** Per height: simulated ms from the previous height's last honest decision to this one's. */
  readonly simMs: number[]
  readonly violations: string[]
  /** Validators that some honest validator caught signing two values in one (type, height, round). */
  readonly accused: number[]
  readonly scenario: Scenario
  readonly trace?: string[]
}

interface Decided {
  readonly value: Value
  readonly round: number
  readonly atMs: number
}

interface Shell {
  readonly index: number
  readonly byz: Byzantine | undefined
  readonly ctx: Context
  up: boolean
  epoch: number
  height: bigint
  state: State
  saved: Persisted
  /** What this validator signed, by `${kind}:${height}:${round}`; survives crashes (it is on disk). */
  readonly signLog: Map<string, Message>
  /** Its own messages at the current height, re-sent on every gossip tick. */
  own: Message[]
  /** Messages for the next height, replayed when it starts. */
  future: Message[]
  readonly decided: Map<bigint, Decided>
  readonly commits: Map<bigint, Message>
  readonly lastCatchUp: Map<number, number>
}

/**
 * Runs one seed. The liveness bounds are generous on purpose: over seeds 1..12000 the slowest height begun after
 * GST took 6.9 s and 8 rounds (seed 5108: a validator back from a partition locks on a round-0 value that the
 * others hold only as a past polka, which does not move their validValue, so with quorum 5 of 6 nothing passes
 * until it is the proposer itself — the paper's rules, not a simulator artefact).
 */
export function runSeed(seed: number, options: RunOptions = {}): RunResult {
  return new Simulation(seed, options).run()
}

class Simulation {
  private readonly rng: Prng
  private readonly net: Prng
  private readonly adversary: Prng
  private readonly scenario: Scenario
  private readonly q = new EventQueue<SimEvent>()
  private readonly nodes: Shell[] = []
  private readonly heights: number
  private readonly gossipMs: number
  private readonly boundMs: number
  private readonly violations: string[] = []
  private readonly evidence = new Set<number>()
  private readonly trace: string[] | undefined

  constructor(
    private readonly seed: number,
    private readonly o: RunOptions,
  ) {
    this.rng = mulberry32(seed)
    this.scenario = drawScenario(this.rng.fork(), o)
    this.net = this.rng.fork()
    this.adversary = this.rng.fork()
    this.heights = o.heights ?? 5
    this.gossipMs = o.gossipMs ?? 150
    this.boundMs = o.livenessBoundMs ?? 30_000
    this.trace = o.trace === true ? [] : undefined
    const n = this.scenario.n
    for (let i = 0; i < n; i++) {
      const byz = this.scenario.byzantine.get(i)
      const ctx: Context = {
        n,
        self: i,
        proposer: (h, r) => (Number(h % BigInt(n)) + r) % n,
        quorum: byz === undefined ? o.quorum : undefined,
        unsafeIgnoreLock: byz === undefined ? o.unsafeIgnoreLock : undefined,
      }
      const state = initialState(1n)
      this.nodes.push({
        index: i,
        byz,
        ctx,
        up: true,
        epoch: 0,
        height: 1n,
        state,
        saved: persisted(state),
        signLog: new Map(),
        own: [],
        future: [],
        decided: new Map(),
        commits: new Map(),
        lastCatchUp: new Map(),
      })
    }
  }

  private log(line: string): void {
    this.trace?.push(`${this.q.now} ${line}`)
  }

  private honest(): Shell[] {
    return this.nodes.filter((s) => s.byz === undefined)
  }

  private done(): boolean {
    return this.honest().every((s) => s.decided.size >= this.heights)
  }

  run(): RunResult {
    const { gstMs, crashes } = this.scenario
    for (const c of crashes) {
      this.q.schedule(c.atMs, { kind: 'crash', node: c.node })
      this.q.schedule(c.restartMs, { kind: 'restart', node: c.node })
    }
    for (const s of this.nodes) {
      this.feed(s, { kind: 'start' })
      this.q.schedule(this.net.int(1, this.gossipMs), { kind: 'gossip', node: s.index, epoch: s.epoch })
    }
    const deadline = gstMs + this.boundMs
    while (!this.done()) {
      const e = this.q.pop()
      if (e === undefined || this.q.now > deadline) break
      this.handle(e)
    }
    return this.result()
  }

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case 'deliver': {
        const s = this.nodes[e.to] as Shell
        if (s.up) this.receive(s, e.from, e.msg)
        return
      }
      case 'timeout': {
        const s = this.nodes[e.node] as Shell
        if (s.up && s.epoch === e.epoch) this.feed(s, { kind: 'timeout', step: e.step, height: e.height, round: e.round })
        return
      }
      case 'gossip': {
        const s = this.nodes[e.node] as Shell
        if (!s.up || s.epoch !== e.epoch) return
        this.gossip(s)
        this.q.schedule(this.gossipMs, e)
        return
      }
      case 'crash': {
        const s = this.nodes[e.node] as Shell
        this.log(`crash ${s.index}`)
        s.up = false
        s.epoch++
        return
      }
      case 'restart': {
        const s = this.nodes[e.node] as Shell
        this.log(`restart ${s.index} at h${s.height} r${s.saved.round} locked ${s.saved.lockedValue ?? '-'}@${s.saved.lockedRound}`)
        s.up = true
        s.epoch++
        s.future = []
        if (s.decided.size < this.heights) {
          // The in-memory messages are gone; the lock, valid value and sign log are not.
          const t = resume(s.saved, s.ctx)
          s.state = t.state
          // What it signed at this height is on disk too, and counts towards its own quorums again.
          const work: Event[] = s.own.filter((m) => msgHeight(m) === s.height).map((m) => toEvent(m))
          this.perform(s, t.effects, work)
          for (const e of work) this.feed(s, e)
        }
        this.q.schedule(this.net.int(1, this.gossipMs), { kind: 'gossip', node: s.index, epoch: s.epoch })
        return
      }
    }
  }

  /** Applies an event and everything it causes locally (own messages are delivered to oneself at once). */
  private feed(s: Shell, first: Event): void {
    const work: Event[] = [first]
    for (let e = work.shift(); e !== undefined; e = work.shift()) {
      const t = apply(s.state, e, s.ctx)
      s.state = t.state
      this.perform(s, t.effects, work)
    }
    s.saved = persisted(s.state)
  }

  private perform(s: Shell, effects: readonly Effect[], work: Event[]): void {
    for (const eff of effects) {
      switch (eff.kind) {
        case 'propose':
          this.propose(s, eff.height, eff.round, eff.value, eff.validRound, eff.polka, work)
          break
        case 'broadcastVote':
          this.castVote(s, eff.vote, work)
          break
        case 'scheduleTimeout':
          this.q.schedule(eff.ms, { kind: 'timeout', node: s.index, epoch: s.epoch, step: eff.step, height: eff.height, round: eff.round })
          break
        case 'decide':
          this.decide(s, eff.height, eff.value, eff.round, work)
          break
        case 'evidence':
          this.evidence.add(eff.first.from)
          if (this.nodes[eff.first.from]?.byz === undefined) {
            this.violations.push(`honest validator ${eff.first.from} accused by ${s.index}: ${eff.first.value} / ${eff.second.value}`)
          }
          break
      }
    }
  }

  /** The sign log: a (kind, height, round) already signed is re-sent as it was, never signed anew. */
  private signed(s: Shell, key: string, msg: Message): Message {
    const logged = s.signLog.get(key)
    if (logged !== undefined) return logged
    s.signLog.set(key, msg)
    s.own.push(msg)
    return msg
  }

  private propose(s: Shell, height: bigint, round: number, validValue: Value | null, validRound: number, polka: readonly Vote[], work: Event[]): void {
    const fresh = `h${height}-r${round}-p${s.index}`
    const value = s.byz === 'invalid' ? `bad-${fresh}` : (validValue ?? fresh)
    const make = (v: Value): Message =>
      v === validValue
        ? { kind: 'proposal', proposal: { height, round, from: s.index, value: v, validRound }, polka }
        : { kind: 'proposal', proposal: { height, round, from: s.index, value: v, validRound: -1 } }
    const msg = this.signed(s, `proposal:${height}:${round}`, make(value))
    if (msg.kind === 'proposal') work.push({ kind: 'proposal', proposal: msg.proposal, valid: isValid(msg.proposal.value) })
    if (s.byz === 'equivocate') {
      const other = make(`${fresh}-twin`)
      this.peers(s).forEach((to, k) => this.send(s.index, to, k % 2 === 0 ? msg : other))
      return
    }
    this.broadcast(s, msg)
  }

  private castVote(s: Shell, vote: Vote, work: Event[]): void {
    const msg = this.signed(s, `${vote.type}:${vote.height}:${vote.round}`, { kind: 'vote', vote })
    if (msg.kind === 'vote') work.push({ kind: 'vote', vote: msg.vote })
    if (s.byz === 'doubleVote') {
      const other: Message = { kind: 'vote', vote: { ...vote, value: vote.value === null ? `h${vote.height}-r${vote.round}-evil` : null } }
      this.peers(s).forEach((to, k) => this.send(s.index, to, k % 2 === 0 ? msg : other))
      return
    }
    this.broadcast(s, msg)
  }

  private decide(s: Shell, height: bigint, value: Value, round: number, work: Event[]): void {
    this.log(`${s.index} decides h${height} ${value} r${round}`)
    s.decided.set(height, { value, round, atMs: this.q.now })
    const commit = commitMessages(s.state)
    if (commit !== undefined) {
      s.commits.set(height, { kind: 'commit', proposal: commit.proposal, precommits: commit.precommits })
    }
    s.height = height + 1n
    s.state = initialState(s.height)
    s.own = []
    const buffered = s.future
    s.future = []
    if (s.decided.size >= this.heights) return
    work.push({ kind: 'start' })
    for (const m of buffered) work.push(toEvent(m))
  }

  private receive(s: Shell, from: number, m: Message): void {
    const h = msgHeight(m)
    if (h === s.height) {
      if (s.decided.size < this.heights) this.feed(s, toEvent(m))
    } else if (h === s.height + 1n) {
      if (s.future.length < 1000) s.future.push(m)
    } else if (h < s.height) {
      // The sender is behind: hand it the commit of that height (at most once per gossip period).
      const commit = s.commits.get(h)
      const last = s.lastCatchUp.get(from) ?? -Infinity
      if (commit !== undefined && s.byz !== 'withhold' && this.q.now - last >= this.gossipMs) {
        s.lastCatchUp.set(from, this.q.now)
        this.send(s.index, from, commit)
      }
    }
  }

  private gossip(s: Shell): void {
    if (s.byz === 'withhold') return
    const round = s.state.round
    // The current and previous rounds in full; older rounds only their votes for a value, which a peer may still
    // need for a polka behind a re-proposal (line 28) or a quorum of precommits (line 49). Nil votes of old rounds
    // can no longer matter.
    for (const m of s.own) {
      if (msgRound(m) >= round - 1 || (m.kind === 'vote' && m.vote.value !== null)) this.broadcast(s, m)
    }
    if (s.byz === 'roundSpam' && s.decided.size < this.heights) {
      const rng = this.adversary
      for (const r of [1_000_000, round + 1, round + 2, round + 3]) {
        const vote: Vote = { type: rng.chance(0.5) ? 'prevote' : 'precommit', height: s.height, round: r, from: s.index, value: rng.chance(0.5) ? null : `spam-${rng.int(0, 9)}` }
        this.broadcast(s, { kind: 'vote', vote })
      }
    }
  }

  private peers(s: Shell): number[] {
    return this.nodes.filter((p) => p.index !== s.index).map((p) => p.index)
  }

  private broadcast(s: Shell, m: Message): void {
    if (s.byz === 'withhold') return
    for (const to of this.peers(s)) this.send(s.index, to, m)
  }

  private send(from: number, to: number, m: Message): void {
    for (const delay of deliveryDelays(this.net, this.scenario, this.q.now, from, to)) this.q.schedule(delay, { kind: 'deliver', to, from, msg: m })
    if (this.trace !== undefined && this.trace.length < 3_000_000) this.log(`${from}->${to} ${describe(m)}`)
  }


  private result(): RunResult {
    for (const s of this.nodes) {
      const st = s.state
      const props = [...(st.rounds.get(st.round)?.proposals.values() ?? [])].map((p) => `${p.proposal.value}/vr${p.proposal.validRound}/${p.valid}`)
      this.log(
        `final ${s.index}${s.byz ? ` (${s.byz})` : ''}: h${st.height} r${st.round} ${st.step} locked ${st.lockedValue ?? '-'}@${st.lockedRound} ` +
          `valid ${st.validValue ?? '-'}@${st.validRound} proposals [${props.join(' ')}] decided ${s.decided.size}`,
      )
    }
    const honest = this.honest()
    const rounds: number[] = []
    const simMs: number[] = []
    let previous = 0
    for (let h = 1; h <= this.heights; h++) {
      const height = BigInt(h)
      const decisions = honest.map((s) => s.decided.get(height))
      const values = new Set(decisions.flatMap((d) => (d === undefined ? [] : [d.value])))
      if (values.size > 1) this.violations.push(`height ${h}: honest validators decided ${[...values].join(', ')}`)
      for (const v of values) if (!isValid(v)) this.violations.push(`height ${h}: invalid value ${v} decided`)
      const all = decisions.every((d) => d !== undefined)
      rounds.push(all ? Math.max(...decisions.map((d) => (d as Decided).round)) + 1 : 0)
      const last = all ? Math.max(...decisions.map((d) => (d as Decided).atMs)) : previous
      simMs.push(last - previous)
      const bound = this.o.heightBoundMs ?? 15_000
      if (all && previous >= this.scenario.gstMs && last - previous > bound) {
        this.violations.push(`not live: height ${h}, begun after GST, took ${last - previous} ms (> ${bound})`)
      }
      previous = last
    }
    if (!this.done() || previous > this.scenario.gstMs + this.boundMs) {
      this.violations.push(`not live: not every honest validator decided ${this.heights} heights by GST + ${this.boundMs} ms`)
    }
    const live = !this.violations.some((v) => v.startsWith('not live'))
    const safe = !this.violations.some((v) => !v.startsWith('not live'))
    return { seed: this.seed, safe, live, rounds, simMs, violations: this.violations, accused: [...this.evidence].sort((a, b) => a - b), scenario: this.scenario, ...(this.trace ? { trace: this.trace } : {}) }
  }
}
