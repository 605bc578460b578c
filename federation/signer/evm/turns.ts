// Whose turn it is to do EVM work any member may do (relay a deposit or a payout proof, send a complete withdrawal
// to the vault): member i steps in once the work has waited i × RELAY_STAGGER_MS (as bitcoin/turns.ts), so normally
// member 0 does it alone and the others only when it does not; and once sent, the same work is not sent again for
// RESEND_MS, so a relay still waiting for its block is not duplicated every round.
import { RELAY_STAGGER_MS } from '../bitcoin/turns.js'

/** Work sent this long ago and still not done is sent again. */
export const RESEND_MS = 15_000

export class WorkTurns {
  private readonly since = new Map<string, number>()
  private readonly sentAt = new Map<string, number>()

  constructor(
    private readonly member: number,
    private readonly relay: boolean,
  ) {}

  /** Whether this member should do the work named `key` now (first asked: the wait starts). */
  due(key: string, now: number): boolean {
    if (!this.relay) return false
    let first = this.since.get(key)
    if (first === undefined) this.since.set(key, (first = now))
    const sent = this.sentAt.get(key)
    if (sent !== undefined && now - sent < RESEND_MS) return false
    return now - first >= this.member * RELAY_STAGGER_MS
  }

  /** This member sent the work (its transaction is on its way). */
  sent(key: string, now: number): void {
    this.sentAt.set(key, now)
  }

  /** The work is done (by anyone): forget it. */
  done(key: string): void {
    this.since.delete(key)
    this.sentAt.delete(key)
  }
}
