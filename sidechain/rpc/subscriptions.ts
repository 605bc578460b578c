// eth_subscribe over one WebSocket connection: newHeads, logs (address/topic filter) and newPendingTransactions,
// fed by the node's events while the connection has any subscription, and all dropped when the socket closes.
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import { toHex } from '../../spv/base/bytes.js'
import type { Block } from '@ethereumjs/block'
import type { NodeApi, StoredReceipt } from '../node/api.js'
import { formatHeader, formatLog, formatTransaction } from './format.js'
import { newId } from './filters.js'
import { matchesLog, type LogCriteria } from './log-query.js'
import { bool, invalidParam, logCriteria, positional } from './params.js'

export type SubscriptionSpec =
  | { readonly kind: 'newHeads' }
  | { readonly kind: 'logs'; readonly criteria: LogCriteria }
  | { readonly kind: 'newPendingTransactions'; readonly fullTransactions: boolean }

/** eth_subscribe params: ["newHeads"], ["logs", { address?, topics? }], ["newPendingTransactions", full?]. */
export function parseSubscription(params: readonly unknown[]): SubscriptionSpec {
  const [kind, options] = positional(params, ['subscription type', 'options'], 1)
  switch (kind) {
    case 'newHeads':
      if (options !== undefined && options !== null) invalidParam('options', 'newHeads takes no options')
      return { kind }
    case 'logs': {
      const criteria = logCriteria(options, 'filter')
      if (criteria.blockHash !== undefined) invalidParam('filter.blockHash', 'a logs subscription follows new blocks only')
      return { kind, criteria: { addresses: criteria.addresses, topics: criteria.topics } }
    }
    case 'newPendingTransactions':
      return { kind, fullTransactions: options === undefined || options === null ? false : bool(options, 'options') }
    default:
      return invalidParam(
        'subscription type',
        `unsupported subscription type ${JSON.stringify(kind)}; use newHeads, logs or newPendingTransactions`,
      )
  }
}

interface Subscription {
  readonly spec: SubscriptionSpec
  /** Notifications wait until the eth_subscribe answer carrying the id has been sent. */
  queue: string[] | undefined
}

/** Notifications held for a subscription whose id has not reached the client yet. */
const MAX_HELD = 1000

export class SubscriptionSet {
  private readonly subs = new Map<string, Subscription>()
  private unsubscribe: (() => void) | undefined
  private closed = false

  constructor(
    private readonly api: NodeApi,
    /** Sends one text frame to the client. */
    private readonly send: (text: string) => void,
    private readonly maxSubscriptions: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.subs.size
  }

  /** Adds a subscription; its notifications are held until `activate` (after the reply is sent). */
  add(spec: SubscriptionSpec): string {
    if (this.closed) throw new CausewayError('RPC_INTERNAL', 'connection closed')
    if (this.subs.size >= this.maxSubscriptions) {
      throw new CausewayError('RPC_LIMIT_EXCEEDED', `too many subscriptions on this connection (limit ${this.maxSubscriptions})`)
    }
    const id = newId()
    this.subs.set(id, { spec, queue: [] })
    this.unsubscribe ??= this.api.subscribe({
      onBlock: (block, receipts) => this.guard(() => this.onBlock(block, receipts)),
      onPendingTransaction: (hash) => this.guard(() => this.onPending(hash)),
    })
    return id
  }

  /** Releases held notifications of every subscription added so far; called once its reply is on the wire. */
  activate(): void {
    for (const [id, sub] of this.subs) {
      const held = sub.queue
      if (held === undefined) continue
      sub.queue = undefined
      for (const result of held) this.send(notification(id, result))
    }
  }

  remove(id: string): boolean {
    const removed = this.subs.delete(id.toLowerCase())
    if (this.subs.size === 0) this.stopListening()
    return removed
  }

  /** Drops every subscription and stops listening to the node (the socket closed). */
  close(): void {
    this.closed = true
    this.subs.clear()
    this.stopListening()
  }

  private stopListening(): void {
    const unsubscribe = this.unsubscribe
    this.unsubscribe = undefined
    unsubscribe?.()
  }

  private onBlock(block: Block, receipts: readonly StoredReceipt[]): void {
    let header: string | undefined
    for (const [id, sub] of this.subs) {
      if (sub.spec.kind === 'newHeads') {
        header ??= JSON.stringify(formatHeader(block.header))
        this.emit(id, sub, header)
      } else if (sub.spec.kind === 'logs') {
        for (const receipt of receipts) {
          for (const log of receipt.logs) {
            if (matchesLog(sub.spec.criteria, log)) this.emit(id, sub, JSON.stringify(formatLog(log)))
          }
        }
      }
    }
  }

  private onPending(hash: Uint8Array): void {
    for (const [id, sub] of this.subs) {
      if (sub.spec.kind !== 'newPendingTransactions') continue
      if (!sub.spec.fullTransactions) {
        this.emit(id, sub, JSON.stringify(toHex(hash)))
        continue
      }
      this.api.getTransaction(hash).then(
        (lookup) => {
          if (lookup !== undefined && this.subs.get(id) === sub) {
            this.emit(id, sub, JSON.stringify(formatTransaction(lookup.tx, undefined)))
          }
        },
        (e: unknown) => this.logger.warn({ err: e }, 'pending transaction lookup failed'),
      )
    }
  }

  /** `result` is already JSON text, so one header is serialized once for every subscriber. */
  private emit(id: string, sub: Subscription, result: string): void {
    if (sub.queue === undefined) {
      this.send(notification(id, result))
    } else if (sub.queue.length < MAX_HELD) {
      sub.queue.push(result)
    }
  }

  /** Node events must never throw back into the node. */
  private guard(f: () => void): void {
    try {
      f()
    } catch (e) {
      this.logger.error({ err: e }, 'subscription notification failed')
    }
  }
}

function notification(id: string, resultJson: string): string {
  return `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${resultJson}}}`
}
