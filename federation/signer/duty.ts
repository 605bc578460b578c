// A signer duty: the work one main-chain family (Bitcoin now; an EVM peg next) asks of a federation signer, in the
// steps every family shares. The daemon runs a list of duties each round (daemon.ts); a new family is a new duty.
// (Not to be confused with a duty *transaction*, sidechain/exec/duty.ts: a duty's calls to the bridge are those.)
import { isCausewayError } from '../../spv/base/errors.js'

/** The main-chain family a duty serves; it names the duty's metrics (label `family`) and signing-log keys. */
export type DutyFamily = 'bitcoin' | 'evm'

/** Why a duty will not sign an item: a stable code (SIGNER_…) and a message an operator can act on. */
export interface Refusal {
  readonly code: string
  readonly message: string
}

/** The outcome of a review: what to sign, or the refusal. */
export type Verdict<Approved> = { readonly approved: Approved } | { readonly refused: Refusal }

/** What a duty tells /health about itself beyond its last round's outcome (which the daemon tracks). */
export interface DutyHealth {
  /** Shown under `duties.<family>` in /health. */
  readonly details: Readonly<Record<string, unknown>>
}

/**
 * One family's signer work. Each round the daemon calls `watch`, and for every item it yields `review`, then either
 * `sign` and `submit`, or `refuse`; then `deliver` (runDutyRound below). `sign` resolves only once its signatures
 * are in the signing log, and `submit` is never called before it has: nothing signed leaves the process unlogged.
 */
export interface Duty<Item, Approved, Signed> {
  readonly family: DutyFamily
  /**
   * Observes the main chain and the side chain (through this signer's own nodes) and yields each item that wants
   * this signer's signature, with every lookup its review needs already answered. The next item is read only once
   * this one is handled, so an item is judged against the chains as they stood when it came up.
   */
  watch(): AsyncIterable<Item>
  /** The pure re-review of what it would sign: a function of the item alone (no I/O, no clock). */
  review(item: Item): Verdict<Approved>
  /** Signs what the review approved and writes it to the signing log (synced) before returning it. */
  sign(item: Item, approved: Approved): Promise<Signed>
  /** Sends logged signatures to the bridge. */
  submit(signed: Signed): Promise<void>
  /** Records and logs a refusal, and when to review the item again. */
  refuse(item: Item, refusal: Refusal): Promise<void>
  /** The round's outgoing work that is no one item's: relays, resends, broadcasts, requests, reports. */
  deliver(): Promise<void>
  health(): DutyHealth
}

/** A duty of any family, as the daemon holds them. */
export type AnyDuty = Duty<any, any, any>

/** One round of a duty, in the order the interface describes. */
export async function runDutyRound<Item, Approved, Signed>(duty: Duty<Item, Approved, Signed>): Promise<void> {
  for await (const item of duty.watch()) {
    const verdict = duty.review(item)
    if ('refused' in verdict) await duty.refuse(item, verdict.refused)
    else await duty.submit(await duty.sign(item, verdict.approved))
  }
  await duty.deliver()
}

/** A review's thrown error as a refusal (a non-Causeway error is SIGNER_REVIEW_FAILED). */
export function refusalOf(e: unknown): Refusal {
  return { code: isCausewayError(e) ? e.code : 'SIGNER_REVIEW_FAILED', message: (e as Error).message }
}
