// The mempool: admission checks with a coded, actionable refusal for each (messages as geth words them, so
// wallets recognise them), nonce ordering per sender, fee-bumped replacement, per-sender and total limits, and
// the selection a proposer builds a block from. No I/O and no clock: the node passes account state and the time
// in, and journals admitted transactions (and forgets evicted and expired ones) itself.
//
// Flood rules, as geth's transaction pool has them (issue 12 item 1): a sender's transactions together must be
// affordable (balance ≥ Σ gas × fee cap + value over all of them), not each alone; transactions behind a nonce
// gap ("queued": not executable yet) are bounded per sender and in all; every transaction not included within
// the lifetime is dropped; and a full pool makes room — a queued transaction gives way to an executable one, and
// otherwise the cheapest gives way to one that pays more — so a well-paying transaction always gets in.
//
// This file is the pool's bookkeeping and its admission checks; the eviction policy is in eviction.ts, block
// selection in selection.ts, and the entry types and fee arithmetic in entry.ts.
import type { TypedTransaction } from '@ethereumjs/tx'
import { Capability, TransactionType, getMinimumGasLimit } from '@ethereumjs/tx'
import type { Address } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'
import { bytesToHex } from '../../spv/base/bytes.js'
import { costOf, feesOf, type PoolEntry, type SenderPool } from './entry.js'
import { makeRoom } from './eviction.js'
import { selectForBlock, type DutyRule } from './selection.js'
export { feesOf, type PoolEntry } from './entry.js'
export type { DutyRule } from './selection.js'

export interface MempoolLimits {
  /** Pending transactions one sender may have (executable and future together). */
  readonly perSender: number
  readonly total: number
  /** Largest raw transaction accepted, bytes. */
  readonly maxTxBytes: number
  /** A replacement must raise both fee cap and tip by this many percent. */
  readonly replaceBumpPercent: bigint
  /** Queued transactions (behind a nonce gap) one sender may have, and the pool in all. */
  readonly queuedPerSender: number
  readonly queuedTotal: number
  /** A transaction not included within this many milliseconds of its admission is dropped. */
  readonly lifetimeMs: number
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = Object.freeze({
  perSender: 256,
  total: 20_000,
  maxTxBytes: 128 * 1024,
  replaceBumpPercent: 10n,
  queuedPerSender: 64,
  queuedTotal: 5_000,
  lifetimeMs: 3 * 60 * 60 * 1000,
})

export interface AdmissionContext {
  readonly chainId: bigint
  readonly blockGasLimit: bigint
  /** Fee floor: no transaction may offer less per gas (chain params' minBaseFee). */
  readonly minGasPrice: bigint
  /** The sender's nonce and balance at the head. */
  readonly account: { readonly nonce: bigint; readonly balance: bigint }
  /**
   * Set when the transaction is a federation duty (sidechain/exec/duty.ts): it pays no fee, so the balance check is
   * skipped, and its gas limit may be at most this per-block duty bound.
   */
  readonly dutyGasBound?: bigint
  /** Milliseconds (the node's clock): admission time, for the lifetime. */
  readonly now?: number
}

/** What an admission did: the entry, the one it replaced (same sender and nonce) and any evicted to make room. */
export interface Admission {
  readonly entry: PoolEntry
  readonly replaced: PoolEntry | undefined
  readonly evicted: readonly PoolEntry[]
}

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  throw new CausewayError(code, message, details === undefined ? {} : { details })
}

export class Mempool {
  private readonly bySender = new Map<string, SenderPool>()
  /** In admission order (a Map keeps insertion order), so the oldest are first for the lifetime. */
  private readonly byHash = new Map<string, PoolEntry>()
  private arrivals = 0
  private queuedCount = 0

  constructor(readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS) {}

  get size(): number {
    return this.byHash.size
  }

  /** Transactions behind a nonce gap. */
  get queued(): number {
    return this.queuedCount
  }

  get(hash: Uint8Array): PoolEntry | undefined {
    return this.byHash.get(bytesToHex(hash))
  }

  /**
   * Checks a decoded, signed transaction against the pool's rules and the sender's state; on success adds it and
   * returns the entry it replaced, if any. Throws MEMPOOL_* errors; a refusal changes nothing.
   */
  add(tx: TypedTransaction, raw: Uint8Array, ctx: AdmissionContext): Admission {
    const hash = tx.hash()
    const hashHex = bytesToHex(hash)
    if (this.byHash.has(hashHex)) reject('MEMPOOL_ALREADY_KNOWN', 'already known')
    if (raw.length > this.limits.maxTxBytes) reject('MEMPOOL_OVERSIZED', `oversized data: ${raw.length} bytes, at most ${this.limits.maxTxBytes}`)
    if (tx.type === TransactionType.BlobEIP4844) reject('MEMPOOL_UNSUPPORTED_TYPE', 'blob transactions are not supported on this chain')
    if (tx.type === TransactionType.Legacy && !tx.supports(Capability.EIP155ReplayProtection)) {
      reject('MEMPOOL_UNPROTECTED', 'only replay-protected (EIP-155) transactions allowed over RPC')
    }
    if (tx.common.chainId() !== ctx.chainId) reject('MEMPOOL_WRONG_CHAIN', `invalid chain id: expected ${ctx.chainId}`)
    let senderAddress: Address
    try {
      senderAddress = tx.getSenderAddress()
    } catch (e) {
      throw new CausewayError('MEMPOOL_BAD_SIGNATURE', 'invalid sender: the signature does not recover', { cause: e })
    }
    if (tx.gasLimit > ctx.blockGasLimit) reject('MEMPOOL_GAS_LIMIT', `exceeds block gas limit: ${tx.gasLimit} > ${ctx.blockGasLimit}`)
    // Intrinsic gas, or Prague's EIP-7623 calldata floor when higher: runTx refuses a gas limit below either, so
    // admitting one would only have the block builder drop it silently later.
    const intrinsic = getMinimumGasLimit(tx, senderAddress)
    if (tx.gasLimit < intrinsic) reject('MEMPOOL_INTRINSIC_GAS', `intrinsic gas too low: have ${tx.gasLimit}, want ${intrinsic}`)
    const { maxFee, tip } = feesOf(tx)
    if (maxFee < ctx.minGasPrice) {
      reject('MEMPOOL_UNDERPRICED', `transaction underpriced: fee cap ${maxFee} wei per gas is below the minimum ${ctx.minGasPrice}`)
    }
    if (tx.nonce < ctx.account.nonce) reject('MEMPOOL_NONCE_TOO_LOW', `nonce too low: next nonce ${ctx.account.nonce}, tx nonce ${tx.nonce}`)
    const cost = costOf(tx)
    if (ctx.dutyGasBound !== undefined && tx.gasLimit > ctx.dutyGasBound) {
      reject('MEMPOOL_DUTY_GAS_LIMIT', `a federation duty may ask for at most ${ctx.dutyGasBound} gas (the per-block duty bound), this one asks for ${tx.gasLimit}`)
    }
    if (ctx.dutyGasBound === undefined && ctx.account.balance < cost) {
      reject('MEMPOOL_INSUFFICIENT_FUNDS', `insufficient funds for gas * price + value: balance ${ctx.account.balance}, tx cost ${cost}`)
    }
    const sender = bytesToHex(senderAddress.bytes)
    const own = this.bySender.get(sender)
    const existing = own?.txs.get(tx.nonce)
    const duty = ctx.dutyGasBound !== undefined
    if (!duty) {
      // Everything the sender has in the pool must be affordable together, or a balance of one transaction's cost
      // would hold any number of them.
      const committed = (own?.cost ?? 0n) - (existing === undefined ? 0n : costOf(existing.tx))
      if (committed > 0n && ctx.account.balance < committed + cost) {
        reject('MEMPOOL_INSUFFICIENT_FUNDS', `insufficient funds for gas * price + value of all pending transactions: balance ${ctx.account.balance}, pending cost ${committed}, tx cost ${cost}`)
      }
    }
    if (existing !== undefined) {
      const old = feesOf(existing.tx)
      const bump = 100n + this.limits.replaceBumpPercent
      if (maxFee * 100n < old.maxFee * bump || tip * 100n < old.tip * bump) {
        reject('MEMPOOL_REPLACEMENT_UNDERPRICED', `replacement transaction underpriced: raise fee cap and tip by at least ${this.limits.replaceBumpPercent}%`)
      }
    }
    // Executable now (follows on from the state nonce through the sender's pool), or behind a gap.
    const next = own === undefined ? ctx.account.nonce : this.nextNonce(own, ctx.account.nonce)
    const queued = tx.nonce > next
    let evicted: PoolEntry[] = []
    if (existing === undefined) {
      if ((own?.txs.size ?? 0) >= this.limits.perSender) reject('MEMPOOL_SENDER_FULL', `txpool is full for this sender: ${this.limits.perSender} pending transactions`)
      if (tx.nonce >= ctx.account.nonce + BigInt(this.limits.perSender)) {
        reject('MEMPOOL_NONCE_TOO_HIGH', `nonce too high: next nonce ${ctx.account.nonce}, at most ${this.limits.perSender} ahead`)
      }
      if (queued && (own?.queued ?? 0) >= this.limits.queuedPerSender) {
        reject('MEMPOOL_QUEUE_FULL', `too many queued transactions for this sender: at most ${this.limits.queuedPerSender} behind a nonce gap (next executable nonce ${next})`)
      }
      // Only a full queue or a full pool asks the eviction policy (no allocation on the common path).
      if ((queued && this.queuedCount >= this.limits.queuedTotal) || this.byHash.size >= this.limits.total) {
        const counts = { bySender: this.bySender, size: this.byHash.size, queued: this.queuedCount, queuedTotal: this.limits.queuedTotal, total: this.limits.total }
        evicted = makeRoom(counts, { maxFee, tip, queued, sender })
      }
    }
    for (const v of evicted) this.remove(v.hash)
    const entry: PoolEntry = { tx, raw, hash, sender, arrival: this.arrivals++, admittedAt: ctx.now ?? 0, duty, queued: false }
    if (existing !== undefined) this.remove(existing.hash)
    let pool = this.bySender.get(sender)
    if (pool === undefined) {
      pool = { txs: new Map(), cost: 0n, queued: 0, base: ctx.account.nonce, next: ctx.account.nonce }
      this.bySender.set(sender, pool)
    }
    pool.txs.set(tx.nonce, entry)
    pool.cost += cost
    this.byHash.set(hashHex, entry)
    if (queued) {
      entry.queued = true
      pool.queued++
      this.queuedCount++
    } else if (pool.base === ctx.account.nonce && tx.nonce === pool.next) {
      // It extends the run: the run may now reach queued ones behind it, which become executable.
      while (pool.txs.has(pool.next)) pool.next++
      if (pool.queued > 0) this.restate(sender, ctx.account.nonce)
    } else {
      this.restate(sender, ctx.account.nonce)
    }
    return { entry, replaced: existing, evicted }
  }

  /** The first nonce missing from the sender's run from `stateNonce` (kept while the state nonce stays the same). */
  private nextNonce(pool: SenderPool, stateNonce: bigint): bigint {
    if (pool.base !== stateNonce) {
      pool.base = stateNonce
      pool.next = stateNonce
      while (pool.txs.has(pool.next)) pool.next++
    }
    return pool.next
  }

  /** Marks which of a sender's transactions are queued, given its state nonce, and keeps the counts. */
  private restate(sender: string, stateNonce: bigint): void {
    const pool = this.bySender.get(sender)
    if (pool === undefined) return
    pool.base = undefined
    const next = this.nextNonce(pool, stateNonce)
    for (const e of pool.txs.values()) {
      const queued = e.tx.nonce > next
      if (queued !== e.queued) {
        this.queuedCount += queued ? 1 : -1
        pool.queued += queued ? 1 : -1
      }
      e.queued = queued
    }
  }

  /** Drops every transaction admitted before `now − lifetime` (duties too: a duty is sent again); returns them. */
  expire(now: number): PoolEntry[] {
    const cutoff = now - this.limits.lifetimeMs
    const out: PoolEntry[] = []
    for (const e of this.byHash.values()) {
      if (e.admittedAt >= cutoff) break
      out.push(e)
    }
    for (const e of out) this.remove(e.hash)
    return out
  }

  /** The next nonce of `sender` counting its pending transactions that follow on from `stateNonce`. */
  pendingNonce(sender: Uint8Array, stateNonce: bigint): bigint {
    const q = this.bySender.get(bytesToHex(sender))?.txs
    let n = stateNonce
    while (q?.has(n)) n++
    return n
  }

  /**
   * Transactions for the next block, at most `maxGas` in total gas limits: each sender's run of consecutive nonces
   * from its state nonce, interleaved by tip (highest first, then arrival), at most `maxCount` of them.
   * `nonceOf` gives state nonces. With `duty`, duties take at most `duty.gasBound` of it; a sender whose duty does
   * not fit waits (with its later nonces) for a later block.
   */
  select(maxGas: bigint, baseFee: bigint, nonceOf: (sender: string) => bigint, maxCount = Number.MAX_SAFE_INTEGER, duty?: DutyRule): TypedTransaction[] {
    return selectForBlock(this.bySender, maxGas, baseFee, nonceOf, maxCount, duty)
  }

  /** Removes a transaction (included, or dropped as invalid) and returns whether it was there. */
  remove(hash: Uint8Array): boolean {
    const hex = bytesToHex(hash)
    const e = this.byHash.get(hex)
    if (e === undefined) return false
    this.byHash.delete(hex)
    const pool = this.bySender.get(e.sender)
    if (e.queued) {
      this.queuedCount--
      if (pool !== undefined) pool.queued--
      e.queued = false
    }
    if (pool?.txs.get(e.tx.nonce) === e) {
      pool.txs.delete(e.tx.nonce)
      pool.cost -= costOf(e.tx)
      // The run from the state nonce may have lost a member: computed again when next asked.
      pool.base = undefined
      if (pool.txs.size === 0) this.bySender.delete(e.sender)
    }
    return true
  }

  /** Drops every transaction of `sender` whose nonce is below its new state nonce; returns their hashes. */
  pruneSender(sender: string, stateNonce: bigint): Uint8Array[] {
    const pool = this.bySender.get(sender)
    if (pool === undefined) return []
    const dropped: Uint8Array[] = []
    for (const [nonce, e] of pool.txs) {
      if (nonce < stateNonce) {
        pool.txs.delete(nonce)
        pool.cost -= costOf(e.tx)
        this.byHash.delete(bytesToHex(e.hash))
        if (e.queued) {
          this.queuedCount--
          pool.queued--
        }
        dropped.push(e.hash)
      }
    }
    if (pool.txs.size === 0) this.bySender.delete(sender)
    else this.restate(sender, stateNonce)
    return dropped
  }

  senders(): string[] {
    return [...this.bySender.keys()]
  }

  /** Every pending entry (for the journal check and metrics). */
  entries(): IterableIterator<PoolEntry> {
    return this.byHash.values()
  }
}
