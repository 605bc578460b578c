// The bridge keeps all of its state in its own account storage (ARCHITECTURE.md decision 4), so it is part of the
// state root and reverts with a failed call. This file maps the project's key-value interface onto 32-byte
// storage slots: a value of any length lives in consecutive slots starting at keccak256(key):
//
//   slot(key, 0) = [length + 1 (u32, big-endian) | first 28 bytes]      (0 in the first four bytes = absent)
//   slot(key, i) = next 32 bytes, for i ≥ 1                            (slot(key, i) = keccak256(key) + i)
//
// Deleting a value zeroes its slots (an all-zero slot is removed from the storage trie by the state manager).
import { Address } from '@ethereumjs/util'
import type { BatchOp, KeyValueStore } from '../../spv/base/kv.js'
import { bigIntToBytesBE, bytesToBigIntBE } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import { keccak256 } from '../exec/crypto.js'
import { GasMeter, type SlotPrices } from './gas-meter.js'

/** The part of a state manager the bridge's storage needs. */
export interface StorageAccess {
  getStorage(address: Address, key: Uint8Array): Promise<Uint8Array>
  putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void>
}

const FIRST_CHUNK = 28
const SLOT = 32
/** Values longer than this are refused: they would cost more gas than any block has. */
export const MAX_VALUE_BYTES = 64 * 1024
const TWO_256 = 1n << 256n

function slotKey(base: bigint, i: number): Uint8Array {
  return bigIntToBytesBE((base + BigInt(i)) % TWO_256, SLOT)
}

function chunkCount(length: number): number {
  return length <= FIRST_CHUNK ? 1 : 1 + Math.ceil((length - FIRST_CHUNK) / SLOT)
}

function pad32(v: Uint8Array): Uint8Array {
  if (v.length === SLOT) return v
  const out = new Uint8Array(SLOT)
  out.set(v, SLOT - v.length)
  return out
}

const FREE: SlotPrices = Object.freeze({ read: 0n, write: 0n })

/**
 * Bridge storage over an account. Each slot read and write is charged to `meter` before it happens (issue 12
 * item 2), so running out of gas stops the call before the work it could not pay for.
 */
export class AccountStorage implements KeyValueStore {
  private readonly address: Address

  constructor(
    private readonly state: StorageAccess,
    address: Uint8Array,
    readonly meter: GasMeter = new GasMeter(1n << 255n),
    private readonly prices: SlotPrices = FREE,
  ) {
    this.address = new Address(address)
  }

  private async slot(base: bigint, i: number): Promise<Uint8Array> {
    this.meter.charge(this.prices.read)
    this.meter.reads++
    return pad32(await this.state.getStorage(this.address, slotKey(base, i)))
  }

  private async write(base: bigint, i: number, value: Uint8Array): Promise<void> {
    this.meter.charge(this.prices.write)
    this.meter.writes++
    await this.state.putStorage(this.address, slotKey(base, i), value)
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const base = bytesToBigIntBE(keccak256(key))
    const first = await this.slot(base, 0)
    const stored = new DataView(first.buffer, first.byteOffset, 4).getUint32(0, false)
    if (stored === 0) return undefined
    const length = stored - 1
    if (length > MAX_VALUE_BYTES) fail('BRIDGE_STORE_CORRUPT', 'a stored bridge value has an impossible length')
    const out = new Uint8Array(length)
    out.set(first.subarray(4, 4 + Math.min(length, FIRST_CHUNK)))
    for (let i = 1, at = FIRST_CHUNK; at < length; i++, at += SLOT) {
      const chunk = await this.slot(base, i)
      out.set(chunk.subarray(0, Math.min(SLOT, length - at)), at)
    }
    return out
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (value.length > MAX_VALUE_BYTES) fail('BRIDGE_VALUE_TOO_LARGE', `a bridge value may hold at most ${MAX_VALUE_BYTES} bytes`)
    const base = bytesToBigIntBE(keccak256(key))
    const previous = await this.storedLength(base)
    const first = new Uint8Array(SLOT)
    new DataView(first.buffer).setUint32(0, value.length + 1, false)
    first.set(value.subarray(0, FIRST_CHUNK), 4)
    await this.write(base, 0, first)
    let i = 1
    for (let at = FIRST_CHUNK; at < value.length; i++, at += SLOT) {
      const chunk = new Uint8Array(SLOT)
      chunk.set(value.subarray(at, at + SLOT))
      await this.write(base, i, chunk)
    }
    // A shorter value leaves no stale chunks behind.
    const old = previous === undefined ? 0 : chunkCount(previous)
    for (; i < old; i++) await this.write(base, i, new Uint8Array(0))
  }

  async del(key: Uint8Array): Promise<void> {
    const base = bytesToBigIntBE(keccak256(key))
    const previous = await this.storedLength(base)
    if (previous === undefined) return
    const n = chunkCount(previous)
    for (let i = 0; i < n; i++) await this.write(base, i, new Uint8Array(0))
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    // The EVM's checkpoint around the call makes the whole call atomic; here operations just apply in order.
    for (const op of ops) {
      if (op.type === 'put') await this.put(op.key, op.value)
      else await this.del(op.key)
    }
  }

  private async storedLength(base: bigint): Promise<number | undefined> {
    const first = await this.slot(base, 0)
    const stored = new DataView(first.buffer, first.byteOffset, 4).getUint32(0, false)
    return stored === 0 ? undefined : stored - 1
  }
}

/** A key-value view of `store` under a one-byte-or-more prefix, so several structures share one account. */
export class PrefixedStore implements KeyValueStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly prefix: Uint8Array,
  ) {}

  private key(k: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.prefix.length + k.length)
    out.set(this.prefix)
    out.set(k, this.prefix.length)
    return out
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store.get(this.key(key))
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    return this.store.batch(ops.map((op) => ({ ...op, key: this.key(op.key) })))
  }
}
