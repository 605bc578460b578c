// The pool's eviction policy when it is full (geth's rules, issue 12 item 1): a queued transaction gives way to
// an executable one, otherwise the cheapest gives way to one that pays more; only a sender's last nonce is taken.
import { CausewayError } from '../../spv/base/errors.js'
import { feesOf, pays, type PoolEntry, type SenderPool } from './entry.js'

/** What the policy looks at: the pool's senders and counts, and its bounds. */
export interface PoolCounts {
  readonly bySender: ReadonlyMap<string, SenderPool>
  readonly size: number
  readonly queued: number
  readonly queuedTotal: number
  readonly total: number
}

/** A newcomer asking for room: its fees, whether it is queued (behind a nonce gap), and its sender. */
export interface Newcomer {
  readonly maxFee: bigint
  readonly tip: bigint
  readonly queued: boolean
  readonly sender: string
}

/**
 * The entries to evict so that a new (not replacing) transaction fits under the queued bound and the total bound;
 * none when it fits already. Throws MEMPOOL_QUEUE_FULL or MEMPOOL_FULL (with the price that would get in) when
 * nothing may give way to it. Chooses only: the caller removes them.
 */
export function makeRoom(pool: PoolCounts, n: Newcomer): PoolEntry[] {
  const evicted: PoolEntry[] = []
  if (n.queued && pool.queued >= pool.queuedTotal) {
    const victim = cheapestTail(pool.bySender, true, n.sender)
    if (victim === undefined || !pays(n.maxFee, n.tip, victim)) {
      reject('MEMPOOL_QUEUE_FULL', `the pool's queue is full: at most ${pool.queuedTotal} transactions behind nonce gaps; send the missing nonce first`)
    }
    evicted.push(victim)
  }
  if (pool.size - evicted.length >= pool.total) {
    // Room is made: an unexecutable transaction gives way to an executable one at any price; otherwise the
    // cheapest gives way to one that pays more. Only the last transaction of a sender is taken, so no gap opens.
    let victim: PoolEntry | undefined
    const unexecutable = cheapestTail(pool.bySender, true, n.sender)
    if (unexecutable !== undefined && (!n.queued || pays(n.maxFee, n.tip, unexecutable))) victim = unexecutable
    const cheapest = cheapestTail(pool.bySender, false, n.sender)
    if (victim === undefined && !n.queued && cheapest !== undefined && pays(n.maxFee, n.tip, cheapest)) victim = cheapest
    if (victim === undefined) {
      const floor = cheapest === undefined ? undefined : feesOf(cheapest.tx)
      reject('MEMPOOL_FULL', `txpool is full${floor === undefined || n.queued ? '' : `: pay more than ${floor.maxFee} wei per gas (fee cap) and at least ${floor.tip} tip to get in`}`)
    }
    evicted.push(victim)
  }
  return evicted
}

/**
 * The last transaction of the sender that, among such tails, offers the lowest fee cap (then tip, then the most
 * recent); only queued ones with `queued`; never a duty, nor one of `except` (the sender making room, whose own
 * tail may be what its new transaction follows). Removing a tail leaves no nonce gap.
 */
function cheapestTail(bySender: ReadonlyMap<string, SenderPool>, queued: boolean, except: string): PoolEntry | undefined {
  let best: PoolEntry | undefined
  for (const [sender, pool] of bySender) {
    if (sender === except) continue
    let tail: PoolEntry | undefined
    for (const e of pool.txs.values()) if (tail === undefined || e.tx.nonce > tail.tx.nonce) tail = e
    if (tail === undefined || tail.duty || (queued && !tail.queued)) continue
    if (best === undefined) best = tail
    else {
      const a = feesOf(tail.tx)
      const b = feesOf(best.tx)
      if (a.maxFee < b.maxFee || (a.maxFee === b.maxFee && (a.tip < b.tip || (a.tip === b.tip && tail.arrival > best.arrival)))) best = tail
    }
  }
  return best
}

function reject(code: string, message: string): never {
  throw new CausewayError(code, message, {})
}
