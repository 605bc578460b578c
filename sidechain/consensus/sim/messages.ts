// What simulated validators send one another, and how a shell turns a message into a state-machine event. A value
// is "valid" (passes re-execution) unless it is marked `bad-`, which is what the invalid-proposal adversary sends.
import type { Event, Proposal, Value, Vote } from '../tendermint.js'

export type Message =
  | { readonly kind: 'proposal'; readonly proposal: Proposal; readonly polka?: readonly Vote[] }
  | { readonly kind: 'vote'; readonly vote: Vote }
  /** A decided height's certificate, handed to a peer that is still working on it. */
  | { readonly kind: 'commit'; readonly proposal: Proposal; readonly precommits: readonly Vote[] }

export const isValid = (value: Value): boolean => !value.startsWith('bad-')
export const msgHeight = (m: Message): bigint => (m.kind === 'vote' ? m.vote.height : m.proposal.height)
export const msgRound = (m: Message): number => (m.kind === 'vote' ? m.vote.round : m.proposal.round)

export const describe = (m: Message): string =>
  m.kind === 'vote'
    ? `${m.vote.type} h${m.vote.height} r${m.vote.round} ${m.vote.value ?? 'nil'}`
    : `${m.kind} h${m.proposal.height} r${m.proposal.round} ${m.proposal.value} vr${m.proposal.validRound}`

export function toEvent(m: Message): Event {
  switch (m.kind) {
    case 'proposal':
      return { kind: 'proposal', proposal: m.proposal, valid: isValid(m.proposal.value), ...(m.polka ? { polka: m.polka } : {}) }
    case 'vote':
      return { kind: 'vote', vote: m.vote }
    case 'commit':
      return { kind: 'commit', proposal: m.proposal, precommits: m.precommits, valid: isValid(m.proposal.value) }
  }
}
