// Whose turn it is to do EVM work any member may do (relay a deposit or a payout proof, send a complete withdrawal
// to the vault): member i steps in once the work has waited i × RELAY_STAGGER_MS (as bitcoin/turns.ts), so normally
// member 0 does it alone and the others only when it does not.
import { RELAY_STAGGER_MS } from '../bitcoin/turns.js'

export class WorkTurns {
  private readonly since = new Map<string, number>()

  constructor(
    private readonly member: number,
    private readonly relay: boolean,
  ) {}

  /** Whether this member should do the work named `key` now (first asked: the wait starts). */
  due(key: string, now: number): boolean {
    if (!this.relay) return false
    let first = this.since.get(key)
    if (first === undefined) this.since.set(key, (first = now))
    return now - first >= this.member * RELAY_STAGGER_MS
  }

  /** The work is done (by anyone): forget it. */
  done(key: string): void {
    this.since.delete(key)
  }
}
