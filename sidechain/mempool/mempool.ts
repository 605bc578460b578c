// The mempool: admission checks with a coded, actionable refusal for each (messages as geth words them, so
// wallets recognise them), nonce ordering per sender, fee-bumped replacement, per-sender and total limits, and
// the selection a proposer builds a block from. No I/O: the node passes account state in and journals admitted
// transactions itself.
import type { TypedTransaction } from '@ethereumjs/tx'
import { Capability, TransactionType, getMinimumGasLimit } from '@ethereumjs/tx'
import type { Address } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'
import { bytesToHex } from '../../spv/base/bytes.js'

export interface MempoolLimits {
  /** Pending transactions one sender may have (executable and future together). */
  readonly perSender: number
  readonly total: number
  /** Largest raw transaction accepted, bytes. */
  readonly maxTxBytes: number
  /** A replacement must raise both fee cap and tip by this many percent. */
  readonly replaceBumpPercent: bigint
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = Object.freeze({
  perSender: 256,
  total: 20_000,
  maxTxBytes: 128 * 1024,
  replaceBumpPercent: 10n,
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
}

/** Which pool entries are duties, and how much duty gas one block may take (see select). */
export interface DutyRule {
  readonly isDuty: (tx: TypedTransaction) => boolean
  readonly gasBound: bigint
}

export interface PoolEntry {
  readonly tx: TypedTransaction
  readonly raw: Uint8Array
  readonly hash: Uint8Array
  readonly sender: string // address hex, the per-sender key
  readonly arrival: number
}

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  throw new CausewayError(code, message, details === undefined ? {} : { details })
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

export class Mempool {
  private readonly bySender = new Map<string, Map<bigint, PoolEntry>>()
  private readonly byHash = new Map<string, PoolEntry>()
  private arrivals = 0

  constructor(readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS) {}

  get size(): number {
    return this.byHash.size
  }

  get(hash: Uint8Array): PoolEntry | undefined {
    return this.byHash.get(bytesToHex(hash))
  }

  /**
   * Checks a decoded, signed transaction against the pool's rules and the sender's state; on success adds it and
   * returns the entry it replaced, if any. Throws MEMPOOL_* errors; a refusal changes nothing.
   */
  add(tx: TypedTransaction, raw: Uint8Array, ctx: AdmissionContext): { entry: PoolEntry; replaced: PoolEntry | undefined } {
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
    const cost = tx.gasLimit * maxFee + tx.value
    if (ctx.dutyGasBound !== undefined && tx.gasLimit > ctx.dutyGasBound) {
      reject('MEMPOOL_DUTY_GAS_LIMIT', `a federation duty may ask for at most ${ctx.dutyGasBound} gas (the per-block duty bound), this one asks for ${tx.gasLimit}`)
    }
    if (ctx.dutyGasBound === undefined && ctx.account.balance < cost) {
      reject('MEMPOOL_INSUFFICIENT_FUNDS', `insufficient funds for gas * price + value: balance ${ctx.account.balance}, tx cost ${cost}`)
    }
    const sender = bytesToHex(senderAddress.bytes)
    const queue = this.bySender.get(sender)
    const existing = queue?.get(tx.nonce)
    if (existing !== undefined) {
      const old = feesOf(existing.tx)
      const bump = 100n + this.limits.replaceBumpPercent
      if (maxFee * 100n < old.maxFee * bump || tip * 100n < old.tip * bump) {
        reject('MEMPOOL_REPLACEMENT_UNDERPRICED', `replacement transaction underpriced: raise fee cap and tip by at least ${this.limits.replaceBumpPercent}%`)
      }
    } else {
      if ((queue?.size ?? 0) >= this.limits.perSender) reject('MEMPOOL_SENDER_FULL', `txpool is full for this sender: ${this.limits.perSender} pending transactions`)
      if (tx.nonce >= ctx.account.nonce + BigInt(this.limits.perSender)) {
        reject('MEMPOOL_NONCE_TOO_HIGH', `nonce too high: next nonce ${ctx.account.nonce}, at most ${this.limits.perSender} ahead`)
      }
      if (this.byHash.size >= this.limits.total) reject('MEMPOOL_FULL', 'txpool is full')
    }
    const entry: PoolEntry = { tx, raw, hash, sender, arrival: this.arrivals++ }
    const q = queue ?? new Map<bigint, PoolEntry>()
    q.set(tx.nonce, entry)
    this.bySender.set(sender, q)
    this.byHash.set(hashHex, entry)
    if (existing !== undefined) this.byHash.delete(bytesToHex(existing.hash))
    return { entry, replaced: existing }
  }

  /** The next nonce of `sender` counting its pending transactions that follow on from `stateNonce`. */
  pendingNonce(sender: Uint8Array, stateNonce: bigint): bigint {
    const q = this.bySender.get(bytesToHex(sender))
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
    const runs: PoolEntry[][] = []
    for (const [sender, q] of this.bySender) {
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

  /** Removes a transaction (included, or dropped as invalid) and returns whether it was there. */
  remove(hash: Uint8Array): boolean {
    const hex = bytesToHex(hash)
    const e = this.byHash.get(hex)
    if (e === undefined) return false
    this.byHash.delete(hex)
    const q = this.bySender.get(e.sender)
    if (q?.get(e.tx.nonce) === e) q.delete(e.tx.nonce)
    if (q?.size === 0) this.bySender.delete(e.sender)
    return true
  }

  /** Drops every transaction of `sender` whose nonce is below its new state nonce; returns their hashes. */
  pruneSender(sender: string, stateNonce: bigint): Uint8Array[] {
    const q = this.bySender.get(sender)
    if (q === undefined) return []
    const dropped: Uint8Array[] = []
    for (const [nonce, e] of q) {
      if (nonce < stateNonce) {
        q.delete(nonce)
        this.byHash.delete(bytesToHex(e.hash))
        dropped.push(e.hash)
      }
    }
    if (q.size === 0) this.bySender.delete(sender)
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
