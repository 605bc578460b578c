// The Tendermint state machine rule by rule (Algorithm 1 of Buchman, Kwon, Milosevic 2018), driven by hand.
import { describe, expect, it } from 'vitest'
import { isCausewayError } from '../../../../spv/base/errors.js'
import {
  DEFAULT_TIMEOUTS,
  apply,
  checkThreshold,
  initialState,
  persisted,
  resume,
  quorumFor,
  type Context,
  type Effect,
  type Event,
  type State,
  type Vote,
  type VoteType,
} from '../../../../sidechain/consensus/tendermint.js'

const H = 1n
const ctxFor = (self: number, n = 4): Context => ({ n, self, proposer: (_h, r) => r % n })

/** Applies events in order, collecting every effect. */
function run(state: State, ctx: Context, events: Event[]): { state: State; effects: Effect[] } {
  const effects: Effect[] = []
  for (const e of events) {
    const t = apply(state, e, ctx)
    state = t.state
    effects.push(...t.effects)
  }
  return { state, effects }
}

const vote = (type: VoteType, round: number, from: number, value: string | null): Event => ({ kind: 'vote', vote: { type, height: H, round, from, value } })
const votes = (type: VoteType, round: number, froms: number[], value: string | null): Event[] => froms.map((f) => vote(type, round, f, value))
const proposal = (round: number, value: string, validRound = -1, valid = true): Event => ({
  kind: 'proposal',
  proposal: { height: H, round, from: round % 4, value, validRound },
  valid,
})
const sent = (effects: readonly Effect[]): Vote[] => effects.flatMap((e) => (e.kind === 'broadcastVote' ? [e.vote] : []))
const start: Event = { kind: 'start' }

describe('tendermint: happy path', () => {
  it('decides in round 0 with n = 4', () => {
    const ctx = ctxFor(1)
    let r = run(initialState(H), ctx, [start])
    expect(r.effects).toEqual([{ kind: 'scheduleTimeout', step: 'propose', height: H, round: 0, ms: DEFAULT_TIMEOUTS.proposeBase }])
    r = run(r.state, ctx, [proposal(0, 'A')])
    expect(sent(r.effects)).toEqual([{ type: 'prevote', height: H, round: 0, from: 1, value: 'A' }])
    r = run(r.state, ctx, votes('prevote', 0, [0, 1, 2], 'A'))
    expect(sent(r.effects)).toEqual([{ type: 'precommit', height: H, round: 0, from: 1, value: 'A' }])
    expect(r.effects.some((e) => e.kind === 'scheduleTimeout' && e.step === 'prevote')).toBe(true)
    expect([r.state.lockedValue, r.state.lockedRound, r.state.validValue, r.state.validRound]).toEqual(['A', 0, 'A', 0])
    r = run(r.state, ctx, votes('precommit', 0, [0, 1, 2], 'A'))
    expect(r.effects.filter((e) => e.kind === 'decide')).toEqual([{ kind: 'decide', height: H, value: 'A', round: 0 }])
    expect(r.state.decision).toEqual({ value: 'A', round: 0 })
  })

  it('the proposer asks the shell for a new block when it has no valid value', () => {
    const r = run(initialState(H), ctxFor(0), [start])
    expect(r.effects).toEqual([{ kind: 'propose', height: H, round: 0, value: null, validRound: -1, polka: [] }])
  })

  it('does not mutate the state it is given', () => {
    const ctx = ctxFor(1)
    const s0 = run(initialState(H), ctx, [start, proposal(0, 'A')]).state
    const before = s0.rounds.get(0)?.prevotes.size
    run(s0, ctx, votes('prevote', 0, [0, 2, 3], 'A'))
    expect(s0.rounds.get(0)?.prevotes.size).toBe(before)
    expect(s0.step).toBe('prevote')
  })

  it('an invalid proposal gets a nil prevote and no lock', () => {
    const ctx = ctxFor(1)
    const r = run(initialState(H), ctx, [start, proposal(0, 'BAD', -1, false), ...votes('prevote', 0, [0, 2, 3], 'BAD')])
    expect(sent(r.effects)[0]?.value).toBeNull()
    expect(r.state.lockedRound).toBe(-1)
    expect(sent(r.effects).some((v) => v.type === 'precommit' && v.value === 'BAD')).toBe(false)
  })
})

describe('tendermint: rounds', () => {
  it('a silent proposer times out into round 1 with a longer timeout', () => {
    const ctx = ctxFor(2)
    let r = run(initialState(H), ctx, [start, { kind: 'timeout', step: 'propose', height: H, round: 0 }])
    expect(sent(r.effects)).toEqual([{ type: 'prevote', height: H, round: 0, from: 2, value: null }])
    r = run(r.state, ctx, votes('prevote', 0, [0, 1, 3], null))
    expect(sent(r.effects)).toEqual([{ type: 'precommit', height: H, round: 0, from: 2, value: null }])
    r = run(r.state, ctx, votes('precommit', 0, [0, 1, 3], null))
    expect(r.effects).toContainEqual({ kind: 'scheduleTimeout', step: 'precommit', height: H, round: 0, ms: DEFAULT_TIMEOUTS.precommitBase })
    r = run(r.state, ctx, [{ kind: 'timeout', step: 'precommit', height: H, round: 0 }])
    expect(r.state.round).toBe(1)
    expect(r.state.step).toBe('propose')
    expect(r.effects).toEqual([
      { kind: 'scheduleTimeout', step: 'propose', height: H, round: 1, ms: DEFAULT_TIMEOUTS.proposeBase + DEFAULT_TIMEOUTS.proposeDelta },
    ])
  })

  it('a stale timeout does nothing', () => {
    const ctx = ctxFor(2)
    const s = run(initialState(H), ctx, [start, ...votes('precommit', 3, [0, 1], null)]).state
    expect(s.round).toBe(3)
    expect(apply(s, { kind: 'timeout', step: 'propose', height: H, round: 0 }, ctx).effects).toEqual([])
  })

  it('f + 1 messages from a higher round move the round; f do not', () => {
    const ctx = ctxFor(1)
    let r = run(initialState(H), ctx, [start, vote('prevote', 5, 2, 'X')])
    expect(r.state.round).toBe(0)
    r = run(r.state, ctx, [vote('precommit', 5, 2, 'X')]) // the same sender again: still f
    expect(r.state.round).toBe(0)
    r = run(r.state, ctx, [vote('precommit', 5, 3, null)])
    expect(r.state.round).toBe(5)
    expect(r.state.step).toBe('propose')
  })

  it('ignores rounds beyond the window (and keeps nothing of them)', () => {
    const ctx = { ...ctxFor(1), roundWindow: 64 }
    let r = run(initialState(H), ctx, [start, ...votes('prevote', 1_000_000, [0, 2, 3], 'X'), ...votes('prevote', 65, [2, 3], 'X')])
    expect(r.state.round).toBe(0)
    expect([...r.state.rounds.keys()]).toEqual([])
    r = run(r.state, ctx, votes('prevote', 64, [2, 3], 'X'))
    expect(r.state.round).toBe(64)
  })
})

describe('tendermint: locks', () => {
  /** Validator 3 locks on A in round 0, then round 1 sees a polka for B it cannot act on and ends in nil. */
  function lockedOnA(): { state: State; ctx: Context } {
    const ctx = ctxFor(3)
    const r = run(initialState(H), ctx, [
      start,
      proposal(0, 'A'),
      ...votes('prevote', 0, [0, 1, 3], 'A'),
      ...votes('precommit', 0, [0, 1, 2], null),
      { kind: 'timeout', step: 'precommit', height: H, round: 0 },
      { kind: 'timeout', step: 'propose', height: H, round: 1 },
      ...votes('prevote', 1, [0, 1, 2], 'B'),
      { kind: 'timeout', step: 'prevote', height: H, round: 1 },
      ...votes('precommit', 1, [0, 1, 2], null),
      { kind: 'timeout', step: 'precommit', height: H, round: 1 },
    ])
    expect([r.state.round, r.state.lockedValue, r.state.lockedRound]).toEqual([2, 'A', 0])
    return { state: r.state, ctx }
  }

  it('a locked validator prevotes nil for another value without a newer polka', () => {
    const { state, ctx } = lockedOnA()
    expect(sent(apply(state, proposal(2, 'B'), ctx).effects)).toEqual([{ type: 'prevote', height: H, round: 2, from: 3, value: null }])
  })

  it('a locked validator prevotes B given validRound 1 and a polka for B at round 1', () => {
    const { state, ctx } = lockedOnA()
    expect(sent(apply(state, proposal(2, 'B', 1), ctx).effects)).toEqual([{ type: 'prevote', height: H, round: 2, from: 3, value: 'B' }])
  })

  it('a validRound without its polka is not enough', () => {
    const { state, ctx } = lockedOnA()
    expect(sent(apply(state, proposal(2, 'C', 1), ctx).effects)).toEqual([])
  })

  it("a proposal's attached polka stands in for prevotes we never got (or got spam in place of)", () => {
    const { state, ctx } = lockedOnA()
    // Validator 3 holds B-prevotes at round 1 from 0, 1, 2; pretend 2's slot held spam instead.
    const spammed = run(initialState(H), ctx, [start, vote('prevote', 1, 2, 'SPAM'), vote('prevote', 1, 0, 'B'), vote('prevote', 1, 1, 'B')]).state
    const polka = [0, 1, 2].map((from): Vote => ({ type: 'prevote', height: H, round: 1, from, value: 'B' }))
    const s2 = { ...state, rounds: new Map([...state.rounds, [1, spammed.rounds.get(1)!]]) }
    expect(sent(apply(s2, proposal(2, 'B', 1), ctx).effects)).toEqual([])
    const t = apply(s2, { ...(proposal(2, 'B', 1) as Extract<Event, { kind: 'proposal' }>), polka }, ctx)
    expect(sent(t.effects)).toEqual([{ type: 'prevote', height: H, round: 2, from: 3, value: 'B' }])
  })

  it('a re-proposing proposer attaches its polka', () => {
    const ctx = ctxFor(1)
    const r = run(initialState(H), ctx, [
      start,
      proposal(0, 'A'),
      ...votes('prevote', 0, [0, 1, 2], 'A'),
      ...votes('precommit', 0, [0, 2, 3], null),
      { kind: 'timeout', step: 'precommit', height: H, round: 0 },
    ])
    const propose = r.effects.find((e) => e.kind === 'propose')
    expect(propose).toMatchObject({ round: 1, value: 'A', validRound: 0 })
    expect(propose?.kind === 'propose' && propose.polka.map((v) => v.from)).toEqual([0, 1, 2])
  })

  it('the locked value still gets a prevote', () => {
    const { state, ctx } = lockedOnA()
    expect(sent(apply(state, proposal(2, 'A'), ctx).effects)[0]?.value).toBe('A')
  })
})

describe('tendermint: votes', () => {
  it('duplicate votes count once', () => {
    const ctx = ctxFor(1)
    let r = run(initialState(H), ctx, [start, proposal(0, 'A'), vote('prevote', 0, 2, 'A'), vote('prevote', 0, 2, 'A'), vote('prevote', 0, 0, 'A')])
    expect(r.state.rounds.get(0)?.prevotes.size).toBe(2)
    expect(sent(r.effects).filter((v) => v.type === 'precommit')).toEqual([])
    r = run(r.state, ctx, [vote('prevote', 0, 1, 'A')])
    expect(sent(r.effects)).toEqual([{ type: 'precommit', height: H, round: 0, from: 1, value: 'A' }])
  })

  it('two different votes from one validator yield evidence once; a third value is dropped', () => {
    const ctx = ctxFor(1)
    const r = run(initialState(H), ctx, [start, vote('prevote', 0, 2, 'A'), vote('prevote', 0, 2, 'B'), vote('prevote', 0, 2, 'B')])
    expect(r.effects.filter((e) => e.kind === 'evidence')).toEqual([
      { kind: 'evidence', first: { type: 'prevote', height: H, round: 0, from: 2, value: 'A' }, second: { type: 'prevote', height: H, round: 0, from: 2, value: 'B' } },
    ])
    expect(r.state.rounds.get(0)?.prevotes.get(2)?.value).toBe('A')
    expect(r.state.rounds.get(0)?.conflicting.get('prevote:2')?.value).toBe('B')
    const third = apply(r.state, vote('prevote', 0, 2, 'C'), ctxFor(1))
    expect(third.effects).toEqual([])
    expect(third.state).toBe(r.state)
  })

  it("an equivocator's second vote counts for its value (a peer's commit may rest on it)", () => {
    const ctx = ctxFor(1)
    const r = run(initialState(H), ctx, [start, proposal(0, 'A'), vote('precommit', 0, 2, null), ...votes('precommit', 0, [2, 0, 3], 'A')])
    expect(r.state.decision).toEqual({ value: 'A', round: 0 })
  })

  it('a proposal from someone other than the proposer is ignored', () => {
    const ctx = ctxFor(1)
    const s = run(initialState(H), ctx, [start]).state
    const t = apply(s, { kind: 'proposal', proposal: { height: H, round: 0, from: 2, value: 'A', validRound: -1 }, valid: true }, ctx)
    expect(t.effects).toEqual([])
  })
})

describe('quorum thresholds', () => {
  it('quorumFor is the least k with 3k > 2n', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(quorumFor)).toEqual([1, 2, 3, 3, 4, 5, 5, 7])
  })

  it('checkThreshold accepts 3 of 4 and refuses 2 of 3 unless told no validator is Byzantine', () => {
    expect(() => checkThreshold(4, 3)).not.toThrow()
    expect(() => checkThreshold(7, 5)).not.toThrow()
    for (const [n, k] of [[3, 2], [4, 2], [5, 3], [0, 0], [4, 5]] as const) {
      try {
        checkThreshold(n, k)
        expect.unreachable(`${k} of ${n}`)
      } catch (e) {
        expect(isCausewayError(e, 'CONSENSUS_BAD_THRESHOLD')).toBe(true)
      }
    }
    expect(() => checkThreshold(3, 2, { tolerateNoByzantine: true })).not.toThrow()
  })
})

describe('tendermint: catch-up and restart', () => {
  const A = { height: H, round: 2, from: 2, value: 'A', validRound: -1 }
  const precommitsA = [0, 2, 3].map((from): Vote => ({ type: 'precommit', height: H, round: 2, from, value: 'A' }))

  it('a commit (proposal + quorum of precommits) decides at any round', () => {
    const ctx = ctxFor(1)
    const s = run(initialState(H), ctx, [start]).state
    const t = apply(s, { kind: 'commit', proposal: A, precommits: precommitsA, valid: true }, ctx)
    expect(t.effects).toEqual([{ kind: 'decide', height: H, value: 'A', round: 2 }])
  })

  it('a commit short of a quorum, from the wrong proposer, with duplicates or for an invalid value decides nothing', () => {
    const ctx = ctxFor(1)
    const s = run(initialState(H), ctx, [start]).state
    const cases = [
      { proposal: A, precommits: precommitsA.slice(0, 2), valid: true },
      { proposal: A, precommits: [...precommitsA.slice(0, 2), precommitsA[0] as Vote], valid: true },
      { proposal: { ...A, from: 3 }, precommits: precommitsA, valid: true },
      { proposal: A, precommits: precommitsA, valid: false },
      { proposal: A, precommits: precommitsA.map((v) => ({ ...v, value: 'B' })), valid: true },
    ]
    for (const c of cases) expect(apply(s, { kind: 'commit', ...c }, ctx).effects).toEqual([])
  })

  it('a restarted validator keeps its lock and prevotes nil for another value', () => {
    const ctx = ctxFor(1)
    const locked = run(initialState(H), ctx, [start, proposal(0, 'A'), ...votes('prevote', 0, [0, 1, 2], 'A')]).state
    expect(locked.lockedValue).toBe('A')
    const saved = persisted({ ...locked, round: 2 })
    const back = resume(saved, ctx)
    expect(back.state.rounds.size).toBe(0)
    expect(back.effects).toEqual([{ kind: 'scheduleTimeout', step: 'propose', height: H, round: 2, ms: DEFAULT_TIMEOUTS.proposeBase + 2 * DEFAULT_TIMEOUTS.proposeDelta }])
    expect(sent(apply(back.state, proposal(2, 'B'), ctx).effects)[0]?.value).toBeNull()
  })

  it('a proposal counts as a message of its round for the f + 1 skip', () => {
    const ctx = ctxFor(1)
    const r = run(initialState(H), ctx, [start, proposal(3, 'X'), vote('prevote', 3, 0, 'X')])
    expect(r.state.round).toBe(3)
  })
})
