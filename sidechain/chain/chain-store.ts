// The node's block store over the `chain` sublevel (keys in store/layout.ts): final blocks with their receipts,
// certificates and indexes, the head, the supply ledger and the mempool journal. A block and everything it
// touches are written in one atomic batch; the state trie nodes it needs were written before (content-addressed,
// so a crash between the two leaves only unreferenced nodes).
import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { concatBytes, equalBytes, toHex } from '../../spv/base/bytes.js'
import type { BatchOp } from '../../spv/base/kv.js'
import type { NodeDatabase } from '../store/database.js'
import { decodeU32, decodeU64, encodeU32, encodeU64, layout } from '../store/layout.js'
import type { LogFilter, StoredLog, StoredReceipt } from '../node/api.js'
import { decodeBlockReceipts, encodeBlockReceipts } from './receipts.js'
import { serialized } from './block-bytes.js'
import { decodeCertificate, encodeCertificate, type Certificate } from '../consensus/certificate.js'
import { decodeSupply, encodeSupply, type SupplyLedger } from './supply.js'

export interface Head {
  readonly number: bigint
  readonly hash: Uint8Array
}

export interface CommitInput {
  readonly block: Block
  readonly receipts: readonly StoredReceipt[]
  readonly certificate: Certificate
  readonly supply: SupplyLedger
}

const BLOCK_CACHE = 128

export class ChainStore {
  private headValue: Head | undefined
  private readonly cache = new Map<string, Block>() // by hash hex, insertion-ordered for LRU eviction
  private readonly receiptCache = new Map<bigint, StoredReceipt[]>()
  private readonly journalQueue: BatchOp[] = []
  private journalFlush: Promise<void> | undefined

  constructor(
    private readonly db: NodeDatabase,
    private readonly common: Common,
  ) {}

  private get kv() {
    return this.db.chain
  }

  /** Loads the head; returns the genesis hash the store belongs to, or undefined for an empty store. */
  async open(): Promise<Uint8Array | undefined> {
    const genesis = await this.kv.get(layout.genesis)
    const head = await this.kv.get(layout.head)
    if (head !== undefined) this.headValue = { number: decodeU64(head), hash: head.slice(8, 40) }
    return genesis
  }

  head(): Head {
    if (this.headValue === undefined) fail('NODE_NOT_INITIALIZED', 'the chain has no genesis block yet')
    return this.headValue
  }

  /** Writes the genesis block (as final, with an empty certificate) into an empty store. */
  async initGenesis(genesis: Block, supply: SupplyLedger): Promise<void> {
    if (this.headValue !== undefined) fail('NODE_ALREADY_INITIALIZED', 'the chain already has a genesis block')
    const hash = genesis.hash()
    await this.kv.batch([
      { type: 'put', key: layout.genesis, value: hash },
      { type: 'put', key: layout.block(hash), value: genesis.serialize() },
      { type: 'put', key: layout.canonical(0n), value: hash },
      { type: 'put', key: layout.receipts(0n), value: encodeBlockReceipts([]) },
      { type: 'put', key: layout.head, value: concatBytes(encodeU64(0n), hash) },
      { type: 'put', key: layout.supply, value: encodeSupply(supply) },
    ])
    this.headValue = { number: 0n, hash }
    this.remember(genesis)
  }

  /** Appends a final block on top of the head, with its receipts, certificate, indexes and supply, atomically. */
  async commit(input: CommitInput): Promise<void> {
    const { block, receipts, certificate, supply } = input
    const head = this.head()
    const number = block.header.number
    if (number !== head.number + 1n || !equalBytes(block.header.parentHash, head.hash)) {
      fail('NODE_NOT_CHILD_OF_HEAD', `block ${number} does not extend the head ${head.number}`)
    }
    const hash = block.hash()
    const ops: BatchOp[] = [
      { type: 'put', key: layout.block(hash), value: serialized(block) },
      { type: 'put', key: layout.canonical(number), value: hash },
      { type: 'put', key: layout.receipts(number), value: encodeBlockReceipts(receipts) },
      { type: 'put', key: layout.certificate(number), value: encodeCertificate(certificate) },
      { type: 'put', key: layout.head, value: concatBytes(encodeU64(number), hash) },
      { type: 'put', key: layout.supply, value: encodeSupply(supply) },
    ]
    const empty = new Uint8Array(0)
    block.transactions.forEach((tx, i) => {
      ops.push({ type: 'put', key: layout.tx(tx.hash()), value: concatBytes(encodeU64(number), encodeU32(i)) })
      ops.push({ type: 'del', key: layout.mempool(tx.hash()) })
    })
    for (const r of receipts) {
      for (const log of r.logs) {
        ops.push({ type: 'put', key: layout.logByAddress(log.address, number, log.logIndex), value: empty })
        for (const topic of new Set(log.topics.map((t) => toHex(t)))) {
          ops.push({ type: 'put', key: layout.logByTopic(log.topics.find((t) => toHex(t) === topic)!, number, log.logIndex), value: empty })
        }
      }
    }
    await this.kv.batch(ops)
    this.headValue = { number, hash }
    this.remember(block)
    this.receiptCache.set(number, [...receipts])
    if (this.receiptCache.size > BLOCK_CACHE) this.receiptCache.delete(this.receiptCache.keys().next().value!)
  }

  private remember(block: Block): void {
    this.cache.set(toHex(block.hash()), block)
    if (this.cache.size > BLOCK_CACHE) this.cache.delete(this.cache.keys().next().value!)
  }

  async canonicalHash(number: bigint): Promise<Uint8Array | undefined> {
    if (this.headValue === undefined || number < 0n || number > this.headValue.number) return undefined
    return this.kv.get(layout.canonical(number))
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const cached = this.cache.get(toHex(hash))
    if (cached !== undefined) return cached
    const rlp = await this.kv.get(layout.block(hash))
    if (rlp === undefined) return undefined
    const block = createBlockFromRLP(rlp, { common: this.common, setHardfork: false })
    this.remember(block)
    return block
  }

  async getBlock(number: bigint): Promise<Block | undefined> {
    const hash = await this.canonicalHash(number)
    return hash === undefined ? undefined : this.getBlockByHash(hash)
  }

  async getReceipts(number: bigint): Promise<StoredReceipt[] | undefined> {
    const cached = this.receiptCache.get(number)
    if (cached !== undefined) return cached
    const block = await this.getBlock(number)
    const bytes = await this.kv.get(layout.receipts(number))
    if (block === undefined || bytes === undefined) return undefined
    return decodeBlockReceipts(bytes, block)
  }

  async getCertificate(number: bigint): Promise<Certificate | undefined> {
    const bytes = await this.kv.get(layout.certificate(number))
    return bytes === undefined ? undefined : decodeCertificate(bytes)
  }

  /** Where a transaction of a final block is. */
  async txLocation(hash: Uint8Array): Promise<{ number: bigint; index: number } | undefined> {
    const v = await this.kv.get(layout.tx(hash))
    return v === undefined ? undefined : { number: decodeU64(v), index: decodeU32(v, 8) }
  }

  async supply(): Promise<SupplyLedger> {
    const bytes = await this.kv.get(layout.supply)
    if (bytes === undefined) throw new CausewayError('NODE_NOT_INITIALIZED', 'no supply ledger stored')
    return decodeSupply(bytes)
  }

  /**
   * Logs matching a filter. Uses the address index, else the first topic position that names topics, else
   * walks the blocks; either way every candidate is checked against the whole filter. `limit` bounds the result of
   * a range of blocks; one block is always answered whole (its gas bounds its logs), so a reader that splits a
   * refused range always gets an answer, however many logs someone paid to put in one block.
   */
  async getLogs(filter: LogFilter, limit: number): Promise<StoredLog[]> {
    const from = filter.fromBlock
    const to = filter.toBlock
    if (to < from) return []
    const candidates = new Map<bigint, Set<number> | 'all'>()
    const add = (n: bigint, i: number | 'all') => {
      const cur = candidates.get(n)
      if (i === 'all' || cur === 'all') candidates.set(n, 'all')
      else if (cur === undefined) candidates.set(n, new Set([i]))
      else cur.add(i)
    }
    const scan = async (range: readonly [Uint8Array, Uint8Array], prefixLength: number) => {
      for await (const [k] of this.kv.iterate(range[0], range[1])) add(decodeU64(k, prefixLength), decodeU32(k, prefixLength + 8))
    }
    const topicPosition = (filter.topics ?? []).findIndex((t) => !isWildcard(t))
    if (filter.addresses !== undefined && filter.addresses.length > 0) {
      for (const a of filter.addresses) await scan(layout.logByAddressRange(a, from, to + 1n), 21)
    } else if (topicPosition >= 0) {
      const t = filter.topics![topicPosition]!
      for (const topic of t instanceof Uint8Array ? [t] : t) await scan(layout.logByTopicRange(topic, from, to + 1n), 33)
    } else {
      for (let n = from; n <= to; n++) add(n, 'all')
    }
    const out: StoredLog[] = []
    for (const n of [...candidates.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const receipts = await this.getReceipts(n)
      if (receipts === undefined) continue
      const wanted = candidates.get(n)!
      for (const r of receipts) {
        for (const log of r.logs) {
          if (wanted !== 'all' && !wanted.has(log.logIndex)) continue
          if (!logMatches(log, filter)) continue
          out.push(log)
          if (out.length > limit && from !== to) fail('RPC_LIMIT_EXCEEDED', `more than ${limit} logs match: narrow the block range or the filter`, { limit })
        }
      }
    }
    return out
  }

  /**
   * Journals a pending transaction; resolves once it is written. Puts arriving together share one write (a group
   * commit), so a burst of submissions costs one LevelDB batch instead of one each.
   */
  journalPut(hash: Uint8Array, raw: Uint8Array): Promise<void> {
    this.journalQueue.push({ type: 'put', key: layout.mempool(hash), value: raw })
    this.journalFlush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const ops = this.journalQueue.splice(0, this.journalQueue.length)
        this.journalFlush = undefined
        this.kv.batch(ops).then(resolve, reject)
      })
    })
    return this.journalFlush
  }

  async journalDelete(hashes: readonly Uint8Array[]): Promise<void> {
    if (hashes.length > 0) await this.kv.batch(hashes.map((h) => ({ type: 'del' as const, key: layout.mempool(h) })))
  }

  async *journal(): AsyncIterable<Uint8Array> {
    const [from, to] = layout.mempoolRange()
    for await (const [, v] of this.kv.iterate(from, to)) yield v
  }
}

/** A topic position that matches anything: null, or an empty OR list (geth: "empty rule set == wildcard"). */
function isWildcard(t: Uint8Array | readonly Uint8Array[] | null | undefined): boolean {
  return t === null || t === undefined || (!(t instanceof Uint8Array) && t.length === 0)
}

/** The eth_getLogs rule as geth applies it: any listed address; per topic position, a wildcard or one of the listed. */
export function logMatches(log: StoredLog, filter: Pick<LogFilter, 'addresses' | 'topics'>): boolean {
  if (filter.addresses !== undefined && filter.addresses.length > 0 && !filter.addresses.some((a) => equalBytes(a, log.address))) return false
  const topics = filter.topics ?? []
  // geth: a filter with more topic positions than the log has topics never matches it, wildcards included.
  if (topics.length > log.topics.length) return false
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (isWildcard(want)) continue
    const have = log.topics[i]!
    if (want instanceof Uint8Array ? !equalBytes(want, have) : !want!.some((w) => equalBytes(w, have))) return false
  }
  return true
}
