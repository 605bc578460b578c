// Typed access to the bridge's state in its account storage: counters, accepted outpoints, the federation's UTXO
// set (kept in acceptance order, the fixed order batches take inputs in), peg-out requests, batches and their
// signatures, held deposits and fee reports. Only bridge methods write it, inside a transaction's execution.
import { bigIntToBytesBE, bytesToBigIntBE } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import { HeaderChain } from '../../spv/bitcoin/chain.js'
import type { FederationUtxo } from '../../peg/bitcoin/index.js'
import { decodeBridgeConfig, type BridgeConfig } from './config.js'
import { bridgeLayout, COUNTERS, type CounterName } from './layout.js'
import {
  decodeBatch,
  decodeHeldPayment,
  decodeRequest,
  decodeStoredUtxo,
  decodeU64List,
  encodeBatch,
  encodeHeldPayment,
  encodeRequest,
  encodeStoredUtxo,
  encodeU64List,
  type StoredBatch,
  type StoredHeldPayment,
  type StoredRequest,
} from './records.js'
import { AccountStorage, PrefixedStore } from './storage.js'

const ONE = Uint8Array.of(1)
/** Orphan headers the bridge keeps at most (each costs storage; senders pay for them). */
export const BRIDGE_MAX_ORPHANS = 64

export class BridgeState {
  constructor(
    readonly store: AccountStorage,
    readonly chainId: bigint,
  ) {}

  async config(): Promise<BridgeConfig> {
    const bytes = await this.store.get(bridgeLayout.config)
    if (bytes === undefined) fail('BRIDGE_NOT_CONFIGURED', 'this chain has no Bitcoin bridge configured')
    return decodeBridgeConfig(bytes, this.chainId)
  }

  async headerChain(config: BridgeConfig): Promise<HeaderChain> {
    return HeaderChain.open(new PrefixedStore(this.store, bridgeLayout.headers), config.network, config.checkpoint, {
      maxOrphans: BRIDGE_MAX_ORPHANS,
    })
  }

  // ---- counters ----
  async counter(name: CounterName): Promise<bigint> {
    const b = await this.store.get(bridgeLayout.counter(name))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setCounter(name: CounterName, value: bigint): Promise<void> {
    if (value < 0n) fail('BRIDGE_INVARIANT', `bridge counter ${name} would go negative`)
    await this.store.put(bridgeLayout.counter(name), bigIntToBytesBE(value, 32))
  }

  async addCounter(name: CounterName, delta: bigint): Promise<bigint> {
    const next = (await this.counter(name)) + delta
    await this.setCounter(name, next)
    return next
  }

  // ---- outpoints and deposit addresses ----
  async isOutpointRegistered(txid: Uint8Array, vout: number): Promise<boolean> {
    return (await this.store.get(bridgeLayout.outpoint(txid, vout))) !== undefined
  }

  async markOutpoint(txid: Uint8Array, vout: number): Promise<void> {
    await this.store.put(bridgeLayout.outpoint(txid, vout), ONE)
  }

  /** The recipient of a registered deposit address, by its output script. */
  async depositRecipient(scriptPubKey: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store.get(bridgeLayout.depositScript(scriptPubKey))
  }

  async registerDepositScript(scriptPubKey: Uint8Array, recipient: Uint8Array): Promise<void> {
    await this.store.put(bridgeLayout.depositScript(scriptPubKey), recipient)
  }

  async held(recipient: Uint8Array): Promise<bigint> {
    const b = await this.store.get(bridgeLayout.held(recipient))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setHeld(recipient: Uint8Array, sats: bigint): Promise<void> {
    if (sats === 0n) await this.store.del(bridgeLayout.held(recipient))
    else await this.store.put(bridgeLayout.held(recipient), bigIntToBytesBE(sats, 32))
  }

  /** A federation payment held for its owner (unclaimed.ts), by its outpoint. */
  async heldPayment(txid: Uint8Array, vout: number): Promise<StoredHeldPayment | undefined> {
    const b = await this.store.get(bridgeLayout.heldPayment(txid, vout))
    return b === undefined ? undefined : decodeHeldPayment(b)
  }

  async setHeldPayment(txid: Uint8Array, vout: number, h: StoredHeldPayment | undefined): Promise<void> {
    if (h === undefined) await this.store.del(bridgeLayout.heldPayment(txid, vout))
    else await this.store.put(bridgeLayout.heldPayment(txid, vout), encodeHeldPayment(h))
  }

  // ---- the federation's UTXO set: a linked list in acceptance order (seq 0 = none) ----
  async addUtxo(utxo: FederationUtxo): Promise<void> {
    const seq = (await this.addCounter(COUNTERS.nextUtxoSeq, 1n))
    const tail = await this.counter(COUNTERS.utxoTail)
    await this.store.put(bridgeLayout.utxo(seq), encodeStoredUtxo({ utxo, prev: tail, next: 0n }))
    if (tail === 0n) await this.setCounter(COUNTERS.utxoHead, seq)
    else {
      const t = await this.utxoAt(tail)
      await this.store.put(bridgeLayout.utxo(tail), encodeStoredUtxo({ ...t, next: seq }))
    }
    await this.setCounter(COUNTERS.utxoTail, seq)
    await this.addCounter(COUNTERS.federationSats, utxo.valueSats)
  }

  private async utxoAt(seq: bigint) {
    const b = await this.store.get(bridgeLayout.utxo(seq))
    if (b === undefined) fail('BRIDGE_STORE_CORRUPT', `federation UTXO #${seq} is missing`)
    return decodeStoredUtxo(b)
  }

  /** The spendable UTXOs in acceptance order, with their list positions. */
  async utxos(): Promise<{ seq: bigint; utxo: FederationUtxo }[]> {
    const out: { seq: bigint; utxo: FederationUtxo }[] = []
    for (let seq = await this.counter(COUNTERS.utxoHead); seq !== 0n; ) {
      const s = await this.utxoAt(seq)
      out.push({ seq, utxo: s.utxo })
      seq = s.next
    }
    return out
  }

  /** Takes a UTXO out of the spendable set (a batch spends it); its value stays in federationSats until confirmed. */
  async removeUtxo(seq: bigint): Promise<void> {
    const s = await this.utxoAt(seq)
    if (s.prev === 0n) await this.setCounter(COUNTERS.utxoHead, s.next)
    else await this.store.put(bridgeLayout.utxo(s.prev), encodeStoredUtxo({ ...(await this.utxoAt(s.prev)), next: s.next }))
    if (s.next === 0n) await this.setCounter(COUNTERS.utxoTail, s.prev)
    else await this.store.put(bridgeLayout.utxo(s.next), encodeStoredUtxo({ ...(await this.utxoAt(s.next)), prev: s.prev }))
    await this.store.del(bridgeLayout.utxo(seq))
  }

  // ---- peg-out requests ----
  async request(id: bigint): Promise<StoredRequest | undefined> {
    const b = await this.store.get(bridgeLayout.request(id))
    return b === undefined ? undefined : decodeRequest(b)
  }

  async putRequest(id: bigint, q: StoredRequest): Promise<void> {
    await this.store.put(bridgeLayout.request(id), encodeRequest(q))
  }

  // ---- batches ----
  async batch(id: bigint): Promise<StoredBatch | undefined> {
    const b = await this.store.get(bridgeLayout.batch(id))
    return b === undefined ? undefined : decodeBatch(b)
  }

  async putBatch(id: bigint, b: StoredBatch): Promise<void> {
    await this.store.put(bridgeLayout.batch(id), encodeBatch(b))
  }

  async batchIdByTxid(txid: Uint8Array): Promise<bigint | undefined> {
    const b = await this.store.get(bridgeLayout.batchByTxid(txid))
    return b === undefined ? undefined : bytesToBigIntBE(b)
  }

  async indexBatchTxid(txid: Uint8Array, id: bigint): Promise<void> {
    await this.store.put(bridgeLayout.batchByTxid(txid), bigIntToBytesBE(id, 8))
  }

  async pendingBatches(): Promise<bigint[]> {
    return decodeU64List(await this.store.get(bridgeLayout.pendingBatches))
  }

  async setPendingBatches(ids: readonly bigint[]): Promise<void> {
    await this.store.put(bridgeLayout.pendingBatches, encodeU64List(ids))
  }

  async signatures(batchId: bigint, member: number): Promise<Uint8Array | undefined> {
    return this.store.get(bridgeLayout.signatures(batchId, member))
  }

  async putSignatures(batchId: bigint, member: number, encoded: Uint8Array): Promise<void> {
    await this.store.put(bridgeLayout.signatures(batchId, member), encoded)
  }

  // ---- fee reports ----
  /** The member's last report and the block timestamp it was made at (rate 32 bytes, then time 8 bytes). */
  async feeReport(member: number): Promise<{ satPerVb: bigint; at: bigint } | undefined> {
    const b = await this.store.get(bridgeLayout.feeReport(member))
    if (b === undefined) return undefined
    // A 32-byte report predates report times: it counts as stale (time 0), so an older chain keeps batching.
    if (b.length === 32) return { satPerVb: bytesToBigIntBE(b), at: 0n }
    if (b.length !== 40) fail('BRIDGE_STORE_CORRUPT', `fee report of member ${member} has ${b.length} bytes`)
    return { satPerVb: bytesToBigIntBE(b.subarray(0, 32)), at: bytesToBigIntBE(b.subarray(32)) }
  }

  async putFeeReport(member: number, satPerVb: bigint, at: bigint): Promise<void> {
    const v = new Uint8Array(40)
    v.set(bigIntToBytesBE(satPerVb, 32))
    v.set(bigIntToBytesBE(at, 8), 32)
    await this.store.put(bridgeLayout.feeReport(member), v)
  }
}
