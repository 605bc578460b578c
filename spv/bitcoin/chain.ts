// The Bitcoin header chain a bridge keeps: starts from a checkpoint, accepts headers in any order (orphans wait
// for their parent), keeps every fork, follows the branch with the most cumulative work and reports which blocks
// left and joined the best chain. State lives behind the KeyValueStore interface (layout in chain-layout.ts).
import { CausewayError, fail } from '../base/errors.js'
import { bytesToHex, equalBytes, hashToDisplayHex } from '../base/bytes.js'
import { WriteBuffer, type KeyValueStore } from '../base/kv.js'
import { HEADER_SIZE } from './header.js'
import { hash256 } from './hash.js'
import { checkProofOfWork } from './pow.js'
import { checkpointEntry, connectHeader, type Checkpoint, type HeaderEntry } from './validate.js'
import { decodeEntry, decodeU32, encodeEntry, encodeU32, layout } from './chain-layout.js'
import type { BitcoinNetwork } from './networks.js'

export interface BlockRef {
  /** Block hash, internal byte order. */
  readonly hash: Uint8Array
  readonly height: number
}

export interface BestChainChange {
  /** The last block both the old and the new best chain share. */
  readonly fork: BlockRef
  /** Blocks that were on the best chain and no longer are, highest first. Empty when the chain only grew. */
  readonly left: readonly BlockRef[]
  /** Blocks now on the best chain that were not, lowest first. */
  readonly joined: readonly BlockRef[]
}

export interface AddResult {
  /** Headers connected by this call (submitted ones and earlier orphans they completed), in connection order. */
  readonly connected: readonly BlockRef[]
  /** Submitted headers whose parent is not known yet, stored to connect later. */
  readonly orphaned: number
  /** Submitted headers the chain already had. */
  readonly duplicates: number
  /** Earlier orphans that failed validation once their parent arrived, and were dropped. */
  readonly droppedOrphans: readonly { readonly hash: Uint8Array; readonly code: string }[]
  readonly tip: BlockRef & { readonly chainWork: bigint }
  /** Set when the best chain changed; `left` is non-empty for a reorg. */
  readonly bestChange: BestChainChange | null
}

export interface HeaderChainOptions {
  /** Most orphan headers kept at once; more are refused with SPV_TOO_MANY_ORPHANS (default 2016). */
  readonly maxOrphans?: number
}

export interface AddOptions {
  /** The caller's clock in Unix seconds (for the bridge: the side-chain block time); enables the 2-hour rule. */
  readonly now?: number
}

const ref = (e: HeaderEntry): BlockRef => ({ hash: e.hash, height: e.height })

export class HeaderChain {
  private lock: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: KeyValueStore,
    readonly network: BitcoinNetwork,
    private readonly maxOrphans: number,
  ) {}

  /** Opens the chain in `store`, writing the checkpoint on first use and refusing a store made from another. */
  static async open(store: KeyValueStore, network: BitcoinNetwork, checkpoint: Checkpoint, options: HeaderChainOptions = {}): Promise<HeaderChain> {
    const start = checkpointEntry(network, checkpoint, true)
    const stored = await store.get(layout.checkpoint)
    if (stored === undefined) {
      await store.batch([
        { type: 'put', key: layout.checkpoint, value: start.hash },
        { type: 'put', key: layout.entry(start.hash), value: encodeEntry(start) },
        { type: 'put', key: layout.height(start.height), value: start.hash },
        { type: 'put', key: layout.tip, value: start.hash },
      ])
    } else if (!equalBytes(stored, start.hash)) {
      fail('SPV_CHECKPOINT_MISMATCH', `the store was started from checkpoint ${hashToDisplayHex(stored)}, not ${hashToDisplayHex(start.hash)}`)
    }
    const maxOrphans = options.maxOrphans ?? 2016
    if (!Number.isSafeInteger(maxOrphans) || maxOrphans < 0) fail('SPV_BAD_OPTION', 'maxOrphans must be a non-negative integer')
    return new HeaderChain(store, network, maxOrphans)
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work)
    this.lock = run.catch(() => undefined)
    return run
  }

  async getEntry(hash: Uint8Array): Promise<HeaderEntry | undefined> {
    const bytes = await this.store.get(layout.entry(hash))
    return bytes === undefined ? undefined : decodeEntry(bytes)
  }

  /** Hash of the best chain's block at `height`, if the best chain has one there. */
  async getHashAt(height: number): Promise<Uint8Array | undefined> {
    return this.store.get(layout.height(height))
  }

  async tip(): Promise<HeaderEntry> {
    const hash = await this.store.get(layout.tip)
    const entry = hash === undefined ? undefined : await this.getEntry(hash)
    if (entry === undefined) fail('SPV_STORE_CORRUPT', 'header chain store has no tip')
    return entry
  }

  /**
   * Confirmations of a block on the best chain: 1 for the tip, more for deeper blocks; 0 for a known block on a
   * side branch; -1 for a block the chain does not know.
   */
  async confirmations(hash: Uint8Array): Promise<number> {
    const entry = await this.getEntry(hash)
    if (entry === undefined) return -1
    const atHeight = await this.getHashAt(entry.height)
    if (atHeight === undefined || !equalBytes(atHeight, hash)) return 0
    const tip = await this.tip()
    return tip.height - entry.height + 1
  }

  /**
   * Adds headers, in any order. All-or-nothing: if any submitted header is invalid the call throws its coded
   * error (with `details.index`) and the chain is unchanged.
   */
  add(headers: Uint8Array | readonly Uint8Array[], options: AddOptions = {}): Promise<AddResult> {
    const list = headers instanceof Uint8Array ? [headers] : headers
    return this.exclusive(() => this.addNow(list, options))
  }

  private async addNow(headers: readonly Uint8Array[], options: AddOptions): Promise<AddResult> {
    const buf = new WriteBuffer(this.store)
    const fresh = new Map<string, HeaderEntry>() // entries connected in this call, by hash hex
    const getEntry = async (hash: Uint8Array): Promise<HeaderEntry | undefined> => {
      const e = fresh.get(bytesToHex(hash))
      if (e !== undefined) return e
      const bytes = await buf.get(layout.entry(hash))
      return bytes === undefined ? undefined : decodeEntry(bytes)
    }
    const connectOptions = options.now === undefined ? {} : { now: options.now }
    const oldTip = await this.tip()
    let best = oldTip
    let orphanCount = decodeU32(await buf.get(layout.orphanCount))
    const connected: BlockRef[] = []
    const droppedOrphans: { hash: Uint8Array; code: string }[] = []
    let duplicates = 0
    // Submitted headers whose parent is not known (yet): by parent hash hex.
    const waiting = new Map<string, { raw: Uint8Array; index: number; hash: Uint8Array }[]>()
    const seen = new Set<string>()

    const withIndex = (e: unknown, index: number): never => {
      if (e instanceof CausewayError) {
        throw new CausewayError(e.code, `header #${index}: ${e.message}`, { details: { ...e.details, index }, cause: e })
      }
      throw e
    }

    const connect = (parent: HeaderEntry, raw: Uint8Array): HeaderEntry => {
      const { entry } = connectHeader(this.network, parent, raw, connectOptions)
      fresh.set(bytesToHex(entry.hash), entry)
      buf.put(layout.entry(entry.hash), encodeEntry(entry))
      connected.push(ref(entry))
      if (entry.chainWork > best.chainWork) best = entry
      return entry
    }

    // Connects everything waiting on `root`: submitted headers (whose failure fails the call) and stored
    // orphans (whose failure drops them: an attacker's bad orphan must not block the real chain).
    const connectDescendants = async (root: HeaderEntry): Promise<void> => {
      const queue = [root]
      while (queue.length > 0) {
        const parent = queue.shift()!
        const key = bytesToHex(parent.hash)
        for (const child of waiting.get(key) ?? []) {
          try {
            queue.push(connect(parent, child.raw))
          } catch (e) {
            withIndex(e, child.index)
          }
        }
        waiting.delete(key)
        const stored = await buf.get(layout.orphans(parent.hash))
        if (stored === undefined) continue
        buf.del(layout.orphans(parent.hash))
        for (let at = 0; at < stored.length; at += HEADER_SIZE) {
          orphanCount--
          const raw = stored.slice(at, at + HEADER_SIZE)
          if (fresh.has(bytesToHex(hash256(raw)))) continue
          try {
            queue.push(connect(parent, raw))
          } catch (e) {
            if (!(e instanceof CausewayError)) throw e
            droppedOrphans.push({ hash: hash256(raw), code: e.code })
          }
        }
      }
    }

    for (let index = 0; index < headers.length; index++) {
      const input = headers[index]!
      if (!(input instanceof Uint8Array) || input.length !== HEADER_SIZE) {
        fail('SPV_BAD_HEADER_LENGTH', `header #${index}: expected ${HEADER_SIZE} bytes`, { index })
      }
      const raw = input.slice()
      const hash = hash256(raw)
      const hex = bytesToHex(hash)
      if (seen.has(hex) || (await getEntry(hash)) !== undefined) {
        duplicates++
        continue
      }
      seen.add(hex)
      const prev = raw.subarray(4, 36)
      const parent = await getEntry(prev)
      if (parent === undefined) {
        const list = waiting.get(bytesToHex(prev)) ?? []
        list.push({ raw, index, hash })
        waiting.set(bytesToHex(prev), list)
        continue
      }
      let entry: HeaderEntry
      try {
        entry = connect(parent, raw)
      } catch (e) {
        return withIndex(e, index)
      }
      await connectDescendants(entry)
    }

    // What is still waiting has no known parent: keep it as an orphan, after the check it can have alone.
    let orphaned = 0
    for (const [prevHex, list] of waiting) {
      const prev = list[0]!.raw.subarray(4, 36)
      let stored = (await buf.get(layout.orphans(prev))) ?? new Uint8Array(0)
      for (const child of list) {
        let already = false
        for (let at = 0; at < stored.length; at += HEADER_SIZE) {
          if (equalBytes(stored.subarray(at, at + HEADER_SIZE), child.raw)) already = true
        }
        if (already) {
          duplicates++
          continue
        }
        try {
          checkProofOfWork(child.hash, new DataView(child.raw.buffer, child.raw.byteOffset).getUint32(72, true), this.network)
        } catch (e) {
          withIndex(e, child.index)
        }
        if (orphanCount >= this.maxOrphans) {
          fail('SPV_TOO_MANY_ORPHANS', `header #${child.index}: its parent is unknown and ${this.maxOrphans} orphan headers are already waiting`, {
            index: child.index,
            prevHash: prevHex,
          })
        }
        const grown = new Uint8Array(stored.length + HEADER_SIZE)
        grown.set(stored)
        grown.set(child.raw, stored.length)
        stored = grown
        orphanCount++
        orphaned++
      }
      buf.put(layout.orphans(prev), stored)
    }
    buf.put(layout.orphanCount, encodeU32(orphanCount))

    let bestChange: BestChainChange | null = null
    if (best !== oldTip) {
      // Walk back from the new best tip to the first block already on the best chain: the fork point.
      const joined: BlockRef[] = []
      let cursor: HeaderEntry = best
      for (;;) {
        const atHeight = await buf.get(layout.height(cursor.height))
        if (atHeight !== undefined && equalBytes(atHeight, cursor.hash)) break
        joined.push(ref(cursor))
        const parent = await getEntry(cursor.header.subarray(4, 36))
        if (parent === undefined) fail('SPV_STORE_CORRUPT', 'a stored header has no parent')
        cursor = parent
      }
      const fork = ref(cursor)
      const left: BlockRef[] = []
      for (let h = oldTip.height; h > fork.height; h--) {
        const hash = await buf.get(layout.height(h))
        if (hash !== undefined) left.push({ hash, height: h })
        if (h > best.height) buf.del(layout.height(h))
      }
      joined.reverse()
      for (const b of joined) buf.put(layout.height(b.height), b.hash)
      buf.put(layout.tip, best.hash)
      bestChange = { fork, left, joined }
    }

    await buf.commit()
    return {
      connected,
      orphaned,
      duplicates,
      droppedOrphans,
      tip: { hash: best.hash, height: best.height, chainWork: best.chainWork },
      bestChange,
    }
  }
}
