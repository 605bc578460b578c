// Poll filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter, eth_getFilterChanges): each
// remembers what it has reported, expires after an idle time as in geth (5 minutes), and their number is bounded
// per client (remote address) and over all clients, so one client cannot take every slot (issue 12 item 4).
import { randomBytes } from 'node:crypto'
import { CausewayError } from '../../spv/base/errors.js'
import { toHex, type Hex } from '../../spv/base/bytes.js'
import type { NodeApi } from '../node/api.js'
import { formatLog, type RpcLog } from './format.js'
import { queryLogs, toLogFilter, type LogCriteria } from './log-query.js'

export interface FilterLimits {
  /** Filters installed at once, over all connections. */
  readonly maxFilters: number
  /** Filters one client (remote address) may have installed at once. */
  readonly maxFiltersPerClient: number
  /** A filter not polled for this long is removed. */
  readonly idleMs: number
  /** Blocks covered by one eth_getFilterChanges at most; later blocks come with the next poll. */
  readonly maxPollBlocks: number
  /** Pending transaction hashes kept per filter between polls (the oldest are dropped). */
  readonly maxPendingHashes: number
}

type FilterState =
  | { readonly kind: 'logs'; readonly criteria: LogCriteria; next: bigint; lastPoll: number }
  | { readonly kind: 'blocks'; next: bigint; lastPoll: number }
  | { readonly kind: 'pending'; hashes: Uint8Array[]; lastPoll: number }

/** A filter and the client that installed it, whose bound it counts against. */
type Filter = FilterState & { readonly client: string }

/** geth's subscription/filter id form: 16 random bytes as 0x-hex. */
export function newId(): string {
  return toHex(randomBytes(16))
}

export class FilterManager {
  private readonly filters = new Map<string, Filter>()
  /** Installed filters by client; a client with none has no entry. */
  private readonly perClient = new Map<string, number>()
  private unsubscribe: (() => void) | undefined
  private lastSweep = 0

  constructor(
    private readonly api: NodeApi,
    private readonly limits: FilterLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.filters.size
  }

  /** Filters `client` has installed now. */
  countFor(client: string): number {
    return this.perClient.get(client) ?? 0
  }

  /** Logs matching `criteria` in blocks after the current head, installed for `client`. */
  newLogFilter(criteria: LogCriteria, client: string): string {
    if (criteria.blockHash !== undefined) {
      throw new CausewayError('RPC_INVALID_PARAMS', 'invalid filter: blockHash is for eth_getLogs; a filter follows new blocks')
    }
    return this.install(client, { kind: 'logs', criteria, next: this.api.blockNumber() + 1n, lastPoll: this.now() })
  }

  /** Hashes of blocks after the current head. */
  newBlockFilter(client: string): string {
    return this.install(client, { kind: 'blocks', next: this.api.blockNumber() + 1n, lastPoll: this.now() })
  }

  /** Hashes of transactions entering the mempool from now on. */
  newPendingTransactionFilter(client: string): string {
    const id = this.install(client, { kind: 'pending', hashes: [], lastPoll: this.now() })
    this.unsubscribe ??= this.api.subscribe({ onPendingTransaction: (hash) => this.onPending(hash) })
    return id
  }

  /** What happened since the last poll: block hashes, transaction hashes or logs, by the filter's kind. */
  async changes(id: string): Promise<readonly (Hex | RpcLog)[]> {
    const filter = this.get(id)
    if (filter.kind === 'pending') {
      const hashes = filter.hashes
      filter.hashes = []
      return hashes.map(toHex)
    }
    const head = this.api.blockNumber()
    if (filter.next > head) return []
    const last = filter.next + BigInt(this.limits.maxPollBlocks) - 1n
    const to = last < head ? last : head
    if (filter.kind === 'logs') {
      // As in geth, only numbers bound a poll filter; tags (latest, …) leave it open, following new blocks.
      const { fromBlock, toBlock } = filter.criteria
      const lo = typeof fromBlock === 'bigint' && fromBlock > filter.next ? fromBlock : filter.next
      const hi = typeof toBlock === 'bigint' && toBlock < to ? toBlock : to
      const logs = lo > hi ? [] : await this.api.getLogs(toLogFilter(filter.criteria, { from: lo, to: hi }))
      filter.next = to + 1n
      return logs.map(formatLog)
    }
    const hashes: Hex[] = []
    for (let n = filter.next; n <= to; n++) {
      const block = await this.api.getBlock(n)
      if (block !== undefined) hashes.push(toHex(block.hash()))
    }
    filter.next = to + 1n
    return hashes
  }

  /** eth_getFilterLogs: every log the filter's criteria match now, not only the new ones. */
  async logs(id: string): Promise<readonly RpcLog[]> {
    const filter = this.get(id)
    if (filter.kind !== 'logs') throw new CausewayError('RPC_FILTER_NOT_FOUND', 'filter not found')
    const logs = await queryLogs(this.api, filter.criteria)
    return logs.map(formatLog)
  }

  /** As in geth, any client holding the id may uninstall it (ids are 128 random bits); the owner's count drops. */
  uninstall(id: string): boolean {
    const removed = this.remove(id.toLowerCase())
    this.releaseSubscription()
    return removed
  }

  /** Removes every filter and stops listening to the node. */
  close(): void {
    this.filters.clear()
    this.perClient.clear()
    this.releaseSubscription()
  }

  private install(client: string, state: FilterState): string {
    this.sweep(true)
    const own = this.countFor(client)
    // The per-client bound first: a client at its own bound learns that, whatever the others hold.
    if (own >= this.limits.maxFiltersPerClient) {
      throw new CausewayError(
        'RPC_LIMIT_EXCEEDED',
        `too many filters installed by this client (limit ${this.limits.maxFiltersPerClient} per client); ` +
          'remove unused ones with eth_uninstallFilter or let them expire',
      )
    }
    if (this.filters.size >= this.limits.maxFilters) {
      throw new CausewayError(
        'RPC_LIMIT_EXCEEDED',
        `too many filters installed (limit ${this.limits.maxFilters} over all clients); try again later`,
      )
    }
    const id = newId()
    this.filters.set(id, { ...state, client })
    this.perClient.set(client, own + 1)
    return id
  }

  private remove(id: string): boolean {
    const filter = this.filters.get(id)
    if (filter === undefined) return false
    this.filters.delete(id)
    const left = this.countFor(filter.client) - 1
    if (left > 0) this.perClient.set(filter.client, left)
    else this.perClient.delete(filter.client)
    return true
  }

  private get(id: string): Filter {
    this.sweep(false)
    const filter = this.filters.get(id.toLowerCase())
    if (filter === undefined) throw new CausewayError('RPC_FILTER_NOT_FOUND', 'filter not found')
    filter.lastPoll = this.now()
    return filter
  }

  private onPending(hash: Uint8Array): void {
    this.sweep(false)
    for (const filter of this.filters.values()) {
      if (filter.kind !== 'pending') continue
      filter.hashes.push(hash)
      if (filter.hashes.length > this.limits.maxPendingHashes) filter.hashes.shift()
    }
  }

  /** Drops filters idle longer than the limit; at most once a second unless `force`. */
  private sweep(force: boolean): void {
    const now = this.now()
    if (!force && now - this.lastSweep < 1000) return
    this.lastSweep = now
    for (const [id, filter] of this.filters) {
      if (now - filter.lastPoll > this.limits.idleMs) this.remove(id)
    }
    this.releaseSubscription()
  }

  /** Stops listening for pending transactions once no pending filter is left. */
  private releaseSubscription(): void {
    if (this.unsubscribe === undefined) return
    for (const filter of this.filters.values()) if (filter.kind === 'pending') return
    const unsubscribe = this.unsubscribe
    this.unsubscribe = undefined
    unsubscribe()
  }
}
