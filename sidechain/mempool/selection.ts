// Choosing a block's transactions from the pool: each sender's run of consecutive nonces, interleaved by
// effective tip, within the block's gas, its transaction count and the duties' share of gas.
import type { TypedTransaction } from '@ethereumjs/tx'
import { feesOf, type PoolEntry, type SenderPool } from './entry.js'

/** Which pool entries are duties, and how much duty gas one block may take (see select). */
export interface DutyRule {
  readonly isDuty: (tx: TypedTransaction) => boolean
  readonly gasBound: bigint
}

/**
 * Transactions for the next block, at most `maxGas` in total gas limits: each sender's run of consecutive nonces
 * from its state nonce, interleaved by tip (highest first, then arrival), at most `maxCount` of them.
 * `nonceOf` gives state nonces. With `duty`, duties take at most `duty.gasBound` of it; a sender whose duty does
 * not fit waits (with its later nonces) for a later block.
 */
export function selectForBlock(
  bySender: ReadonlyMap<string, SenderPool>,
  maxGas: bigint,
  baseFee: bigint,
  nonceOf: (sender: string) => bigint,
  maxCount: number,
  duty: DutyRule | undefined,
): TypedTransaction[] {
  const runs: PoolEntry[][] = []
  for (const [sender, { txs: q }] of bySender) {
    const run: PoolEntry[] = []
    for (let n = nonceOf(sender); q.has(n); n++) {
      const e = q.get(n)!
      if (feesOf(e.tx).maxFee < baseFee) break // cannot pay this block's base fee; neither can what follows
      run.push(e)
    }
    if (run.length > 0) runs.push(run)
  }
  const effectiveTip = (e: PoolEntry) => {
    const { maxFee, tip } = feesOf(e.tx)
    return maxFee - baseFee < tip ? maxFee - baseFee : tip
  }
  const out: TypedTransaction[] = []
  let gas = 0n
  let dutyGas = 0n
  const cursor = runs.map(() => 0)
  while (out.length < maxCount) {
    let best = -1
    for (let i = 0; i < runs.length; i++) {
      const e = runs[i]![cursor[i]!]
      if (e === undefined) continue
      if (best < 0) best = i
      else {
        const b = runs[best]![cursor[best]!]!
        const d = effectiveTip(e) - effectiveTip(b)
        if (d > 0n || (d === 0n && e.arrival < b.arrival)) best = i
      }
    }
    if (best < 0) break
    const e = runs[best]![cursor[best]!]!
    if (gas + e.tx.gasLimit > maxGas) {
      runs[best] = [] // this sender's later nonces cannot go before it
      continue
    }
    const isDuty = duty?.isDuty(e.tx) === true
    if (isDuty && dutyGas + e.tx.gasLimit > duty!.gasBound) {
      runs[best] = []
      continue
    }
    if (isDuty) dutyGas += e.tx.gasLimit
    gas += e.tx.gasLimit
    out.push(e.tx)
    cursor[best]!++
  }
  return out
}
