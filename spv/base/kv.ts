// The project's one key-value interface: asynchronous like LevelDB and like EVM account storage, so the same
// stores run over `level` on disk (the node), over the bridge's account storage, or over a Map in unit tests.
import { bytesToHex } from './bytes.js'

export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array }

export interface KeyValueStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  /** Applies every operation or none. */
  batch(ops: readonly BatchOp[]): Promise<void>
}

/** In-memory store for tests and short-lived tools. Values are copied in and out so callers cannot alias them. */
export class MemoryStore implements KeyValueStore {
  private readonly map = new Map<string, Uint8Array>()

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const v = this.map.get(bytesToHex(key))
    return v === undefined ? undefined : v.slice()
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.map.set(bytesToHex(op.key), op.value.slice())
      else this.map.delete(bytesToHex(op.key))
    }
  }

  get size(): number {
    return this.map.size
  }
}

/**
 * Buffers writes over a store so a multi-step operation reads its own writes and then commits them in one
 * atomic batch, or is dropped whole when it fails (bad input changes nothing).
 */
export class WriteBuffer implements KeyValueStore {
  private readonly pending = new Map<string, BatchOp>()

  constructor(private readonly base: KeyValueStore) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const op = this.pending.get(bytesToHex(key))
    if (op !== undefined) return op.type === 'put' ? op.value : undefined
    return this.base.get(key)
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) this.pending.set(bytesToHex(op.key), op)
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.pending.set(bytesToHex(key), { type: 'put', key, value })
  }

  del(key: Uint8Array): void {
    this.pending.set(bytesToHex(key), { type: 'del', key })
  }

  /** Writes everything buffered to the base store in one batch. */
  async commit(): Promise<void> {
    if (this.pending.size === 0) return
    const ops = [...this.pending.values()]
    this.pending.clear()
    await this.base.batch(ops)
  }
}
