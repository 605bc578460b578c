// Evidence of equivocation (issue 13): two signed messages of one validator for different blocks where it may sign
// only one — two prevotes in one round, two precommits at one height. Kept (the newest, bounded) for RPC
// (`causeway_evidence`) and /metrics, and logged: an operator learns which member misbehaved and can prove it
// with the two signed messages.
export interface Evidence {
  readonly type: 'prevote' | 'precommit'
  readonly height: bigint
  readonly round: number
  readonly validator: number
  /** The two block hashes it signed (hex), in the order seen. */
  readonly first: string
  readonly second: string
  /** Unix ms when the second was seen. */
  readonly seenAt: number
}

/** The newest `capacity` pieces of evidence, with a count of all ever seen. */
export class EvidenceLog {
  private readonly items: Evidence[] = []
  total = 0

  constructor(private readonly capacity = 100) {}

  add(e: Evidence): void {
    this.total++
    this.items.push(e)
    if (this.items.length > this.capacity) this.items.shift()
  }

  list(): readonly Evidence[] {
    return this.items
  }
}
