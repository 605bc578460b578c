// Whose turn it is to do work any member may do (relay headers and proofs, ask for a batch, broadcast): member i
// steps in only once the work has waited i × RELAY_STAGGER_MS, so normally member 0 does it alone and no duplicate
// transactions race.
/** How long member i waits (i × this) before relaying work another member has not done. */
export const RELAY_STAGGER_MS = 4_000

export class Turns {
  private relayPendingSince = 0
  private flushPendingSince = 0

  /** `lagging`: whether the bridge's Bitcoin chain is behind this signer's node (the relay work waiting). */
  constructor(
    private readonly member: number,
    private readonly relay: boolean,
    private readonly lagging: () => Promise<boolean>,
  ) {}

  /** Relay turns: once the bridge's Bitcoin chain has lagged its own node's for member × RELAY_STAGGER_MS. */
  async relayDue(): Promise<boolean> {
    if (!this.relay) return false
    if (this.member === 0) return true
    const lagging = await this.lagging()
    const now = Date.now()
    if (!lagging) {
      this.relayPendingSince = 0
      return false
    }
    if (this.relayPendingSince === 0) this.relayPendingSince = now
    return now - this.relayPendingSince >= this.member * RELAY_STAGGER_MS
  }

  /** Batch-request turns, counted from the first round a request waited since the last batch. */
  flushDue(): boolean {
    const now = Date.now()
    if (this.flushPendingSince === 0) this.flushPendingSince = now
    if (now - this.flushPendingSince < this.member * RELAY_STAGGER_MS) return false
    return true
  }

  /** A batch was made: the next request's wait starts afresh. */
  batched(): void {
    this.flushPendingSince = 0
  }
}
