// What the pool keeps per transaction and per sender, and the fee arithmetic every pool rule is stated in:
// shared by the pool's bookkeeping (mempool.ts), its eviction policy (eviction.ts) and block selection.
import type { TypedTransaction } from '@ethereumjs/tx'

export interface PoolEntry {
  readonly tx: TypedTransaction
  readonly raw: Uint8Array
  readonly hash: Uint8Array
  readonly sender: string // address hex, the per-sender key
  readonly arrival: number
  /** Admission time (ms), for the lifetime. */
  readonly admittedAt: number
  /** A federation duty: fee-free, never evicted for price. */
  readonly duty: boolean
  /** Behind a nonce gap at the sender's last known state nonce: not executable yet. */
  queued: boolean
}

/**
 * One sender's pending transactions by nonce, with what admission asks of them kept up to date as they come and
 * go (not summed again on every admission): their total cost, how many are queued, and the first nonce missing
 * from the run that starts at the state nonce they were last looked at with.
 */
export interface SenderPool {
  readonly txs: Map<bigint, PoolEntry>
  cost: bigint
  queued: number
  /** The state nonce `next` was computed from, or undefined when it must be computed again. */
  base: bigint | undefined
  next: bigint
}

/** The fee cap and tip a transaction offers, whatever its type. */
export function feesOf(tx: TypedTransaction): { maxFee: bigint; tip: bigint } {
  if ('maxFeePerGas' in tx && typeof (tx as { maxFeePerGas?: unknown }).maxFeePerGas === 'bigint') {
    const t = tx as unknown as { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    return { maxFee: t.maxFeePerGas, tip: t.maxPriorityFeePerGas }
  }
  const gasPrice = (tx as unknown as { gasPrice: bigint }).gasPrice
  return { maxFee: gasPrice, tip: gasPrice }
}

/** What a transaction may cost its sender: gas limit × fee cap + value. */
export function costOf(tx: TypedTransaction): bigint {
  return tx.gasLimit * feesOf(tx).maxFee + tx.value
}

/** Whether fees (fee cap, tip) outbid an entry's: strictly more on the fee cap, and no less tip. */
export function pays(maxFee: bigint, tip: bigint, than: PoolEntry): boolean {
  const o = feesOf(than.tx)
  return maxFee > o.maxFee && tip >= o.tip
}
