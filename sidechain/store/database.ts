// The node's one LevelDB on disk, split into sublevels: `chain` (blocks, receipts, indexes, consensus records; key
// prefixes in layout.ts) and `state` (the state trie's nodes, written by @ethereumjs/mpt). A batch may span both,
// so a block and its indexes land together or not at all.
import { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { hexToBytes } from '../../spv/base/bytes.js'
import type { BatchOp, KeyValueStore } from '../../spv/base/kv.js'

type Bytes = Uint8Array
type Sub = AbstractSublevel<Level<Bytes, Bytes>, string | Buffer | Uint8Array, Bytes, Bytes>

const BYTES = { keyEncoding: 'view', valueEncoding: 'view' } as const

/** Trie nodes kept in memory, shared by every state trie over this database (~100 MB at most at ~600 B a node). */
const NODE_CACHE_ENTRIES = 150_000

export class NodeDatabase {
  /**
   * Recently read or written state trie nodes by key. Nodes are stored under the hash of their content, so an
   * entry can never go stale; it saves the LevelDB round trip (a thread-pool hop and an event-loop turn) of the
   * walks admission checks, historical reads, storage tries and the end-of-block flush make over the same upper
   * trie levels again and again — the state managers' own caches are cleared when their root moves, and
   * @ethereumjs/statemanager opens storage tries without a node cache.
   */
  private readonly nodeCache = new NodeCache(NODE_CACHE_ENTRIES)

  private constructor(
    private readonly level: Level<Bytes, Bytes>,
    readonly chainSub: Sub,
    readonly stateSub: Sub,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the database in `path`; a directory another process holds fails with NODE_DATADIR_LOCKED. */
  static async open(path: string): Promise<NodeDatabase> {
    const level = new Level<Bytes, Bytes>(path, BYTES)
    try {
      await level.open()
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause
      const text = `${(e as Error).message} ${cause?.message ?? ''}`
      if (/lock/i.test(text)) {
        fail('NODE_DATADIR_LOCKED', `the data directory ${path} is in use by another process (its LevelDB is locked)`, { path }, e)
      }
      fail('NODE_DATADIR_UNUSABLE', `cannot open the database in ${path}: ${text.trim()}`, { path }, e)
    }
    const chainSub = level.sublevel<Bytes, Bytes>('c', BYTES) as unknown as Sub
    const stateSub = level.sublevel<Bytes, Bytes>('s', BYTES) as unknown as Sub
    return new NodeDatabase(level, chainSub, stateSub, path)
  }

  /** The chain sublevel behind the project's KeyValueStore interface. */
  get chain(): KeyValueStore & { iterate(from: Uint8Array, to: Uint8Array, limit?: number): AsyncIterable<[Uint8Array, Uint8Array]> } {
    const sub = this.chainSub
    return {
      get: async (key) => plain(await sub.get(key)),
      batch: async (ops: readonly BatchOp[]) => {
        await sub.batch(ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })))
      },
      iterate: (from, to, limit) => iterate(sub, from, to, limit),
    }
  }

  /** The state sublevel as the `DB` interface @ethereumjs/mpt takes. */
  stateDB(): DB<string, string | Uint8Array> {
    return new TrieDB(this.stateSub, this.nodeCache)
  }

  async close(): Promise<void> {
    if (this.level.status === 'open') await this.level.close()
  }
}

async function* iterate(sub: Sub, from: Uint8Array, to: Uint8Array, limit = -1): AsyncIterable<[Uint8Array, Uint8Array]> {
  for await (const [k, v] of sub.iterator({ gte: from, lt: to, limit })) yield [plain(k as Uint8Array)!, plain(v)!]
}

// classic-level hands back Node Buffers even with the 'view' encoding; callers get plain Uint8Array views (no copy),
// so what is read back compares equal to what was written (Buffer is a subclass with other slice semantics).
function plain(b: Uint8Array | undefined): Uint8Array | undefined {
  return b === undefined || b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

// @ethereumjs/mpt hands keys over as unprefixed hex strings (node hashes, with optional prefixes); store them as
// bytes to halve the key size.
function trieKey(key: string | Uint8Array): Uint8Array {
  if (typeof key !== 'string') return key
  try {
    return hexToBytes(key)
  } catch (e) {
    throw new CausewayError('NODE_STATE_KEY', `state trie key is not hex: ${key.slice(0, 16)}…`, { cause: e })
  }
}

function trieValue(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? hexToBytes(value) : value
}

/** A bounded map that forgets its oldest entries first. */
class NodeCache {
  private readonly map = new Map<string, Uint8Array>()
  constructor(private readonly max: number) {}

  get(key: string): Uint8Array | undefined {
    return this.map.get(key)
  }

  set(key: string, value: Uint8Array): void {
    if (this.map.size >= this.max && !this.map.has(key)) {
      // Drop the oldest tenth at once, so eviction costs little per insertion.
      let n = Math.ceil(this.max / 10)
      for (const k of this.map.keys()) {
        this.map.delete(k)
        if (--n === 0) break
      }
    }
    this.map.set(key, value)
  }

  delete(key: string): void {
    this.map.delete(key)
  }
}

const cacheKey = (key: string | Uint8Array): string => (typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex'))

/** The mpt DB interface over the state sublevel; the trie must be created with valueEncoding 'view'. */
class TrieDB implements DB<string, string | Uint8Array> {
  constructor(
    private readonly sub: Sub,
    private readonly cache: NodeCache,
  ) {}

  async get(key: string, _opts?: EncodingOpts): Promise<Uint8Array | undefined> {
    const k = cacheKey(key)
    const cached = this.cache.get(k)
    if (cached !== undefined) return cached
    const value = await this.sub.get(trieKey(key))
    if (value !== undefined) this.cache.set(k, value)
    return value
  }

  async put(key: string, value: string | Uint8Array, _opts?: EncodingOpts): Promise<void> {
    const v = trieValue(value)
    await this.sub.put(trieKey(key), v)
    this.cache.set(cacheKey(key), v)
  }

  async del(key: string, _opts?: EncodingOpts): Promise<void> {
    this.cache.delete(cacheKey(key))
    await this.sub.del(trieKey(key))
  }

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    const values = ops.map((op) => (op.type === 'put' ? trieValue(op.value as string | Uint8Array) : undefined))
    for (const op of ops) if (op.type === 'del') this.cache.delete(cacheKey(op.key))
    await this.sub.batch(
      ops.map((op, i) =>
        op.type === 'put' ? { type: 'put' as const, key: trieKey(op.key), value: values[i]! } : { type: 'del' as const, key: trieKey(op.key) },
      ),
    )
    ops.forEach((op, i) => {
      if (op.type === 'put') this.cache.set(cacheKey(op.key), values[i]!)
    })
  }

  shallowCopy(): DB<string, string | Uint8Array> {
    return new TrieDB(this.sub, this.cache)
  }

  async open(): Promise<void> {}
}
