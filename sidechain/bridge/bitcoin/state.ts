// The Bitcoin family's state in the bridge's account storage: accepted outpoints, the federation's UTXO set (kept
// in acceptance order, the fixed order batches take inputs in), peg-out requests, batches and their signatures,
// held deposits and fee reports, and the header chain. Keys: layout.ts beside this file.
import { bigIntToBytesBE, bytesToBigIntBE } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { HeaderChain } from '../../../spv/bitcoin/chain.js'
import type { FederationUtxo } from '../../../peg/bitcoin/index.js'
import type { BridgeConfig } from '../config.js'
import { COUNTERS } from '../layout.js'
import { BridgeState } from '../state.js'
import { PrefixedStore } from '../storage.js'
import { btcLayout } from './layout.js'
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

const ONE = Uint8Array.of(1)
/** Bytes per stored part of a signed batch transaction (below MAX_VALUE_BYTES). */
const SIGNED_TX_PART = 32 * 1024
/** Orphan headers the bridge keeps at most (each costs storage; senders pay for them). */
export const BRIDGE_MAX_ORPHANS = 64

export class BtcBridgeState extends BridgeState {
  async headerChain(config: BridgeConfig): Promise<HeaderChain> {
    return HeaderChain.open(new PrefixedStore(this.store, btcLayout.headers), config.network, config.checkpoint, {
      maxOrphans: BRIDGE_MAX_ORPHANS,
    })
  }

  // ---- outpoints and deposit addresses ----
  async isOutpointRegistered(txid: Uint8Array, vout: number): Promise<boolean> {
    return (await this.store.get(btcLayout.outpoint(txid, vout))) !== undefined
  }

  async markOutpoint(txid: Uint8Array, vout: number): Promise<void> {
    await this.store.put(btcLayout.outpoint(txid, vout), ONE)
  }

  /** The recipient of a registered deposit address, by its output script. */
  async depositRecipient(scriptPubKey: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store.get(btcLayout.depositScript(scriptPubKey))
  }

  async registerDepositScript(scriptPubKey: Uint8Array, recipient: Uint8Array): Promise<void> {
    await this.store.put(btcLayout.depositScript(scriptPubKey), recipient)
  }

  async held(recipient: Uint8Array): Promise<bigint> {
    const b = await this.store.get(btcLayout.held(recipient))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setHeld(recipient: Uint8Array, sats: bigint): Promise<void> {
    if (sats === 0n) await this.store.del(btcLayout.held(recipient))
    else await this.store.put(btcLayout.held(recipient), bigIntToBytesBE(sats, 32))
  }

  /** A federation payment held for its owner (unclaimed.ts), by its outpoint. */
  async heldPayment(txid: Uint8Array, vout: number): Promise<StoredHeldPayment | undefined> {
    const b = await this.store.get(btcLayout.heldPayment(txid, vout))
    return b === undefined ? undefined : decodeHeldPayment(b)
  }

  async setHeldPayment(txid: Uint8Array, vout: number, h: StoredHeldPayment | undefined): Promise<void> {
    if (h === undefined) await this.store.del(btcLayout.heldPayment(txid, vout))
    else await this.store.put(btcLayout.heldPayment(txid, vout), encodeHeldPayment(h))
  }

  // ---- the federation's UTXO set: a linked list in acceptance order (seq 0 = none) ----
  async addUtxo(utxo: FederationUtxo): Promise<void> {
    const seq = (await this.addCounter(COUNTERS.nextUtxoSeq, 1n))
    const tail = await this.counter(COUNTERS.utxoTail)
    await this.store.put(btcLayout.utxo(seq), encodeStoredUtxo({ utxo, prev: tail, next: 0n }))
    if (tail === 0n) await this.setCounter(COUNTERS.utxoHead, seq)
    else {
      const t = await this.utxoAt(tail)
      await this.store.put(btcLayout.utxo(tail), encodeStoredUtxo({ ...t, next: seq }))
    }
    await this.setCounter(COUNTERS.utxoTail, seq)
    await this.addCounter(COUNTERS.federationSats, utxo.valueSats)
  }

  private async utxoAt(seq: bigint) {
    const b = await this.store.get(btcLayout.utxo(seq))
    if (b === undefined) fail('BRIDGE_STORE_CORRUPT', `federation UTXO #${seq} is missing`)
    return decodeStoredUtxo(b)
  }

  /** Puts a UTXO at the head of the set: a confirmed consolidation's output, so the next batch spends it first. */
  async addUtxoFront(utxo: FederationUtxo): Promise<void> {
    const seq = await this.addCounter(COUNTERS.nextUtxoSeq, 1n)
    const head = await this.counter(COUNTERS.utxoHead)
    await this.store.put(btcLayout.utxo(seq), encodeStoredUtxo({ utxo, prev: 0n, next: head }))
    if (head === 0n) await this.setCounter(COUNTERS.utxoTail, seq)
    else await this.store.put(btcLayout.utxo(head), encodeStoredUtxo({ ...(await this.utxoAt(head)), prev: seq }))
    await this.setCounter(COUNTERS.utxoHead, seq)
    await this.addCounter(COUNTERS.federationSats, utxo.valueSats)
  }

  /**
   * The first `limit` spendable UTXOs in the set's order (acceptance order, consolidations first), with their list
   * positions. Batches only ever spend a prefix of the set, so they never read more than they may spend.
   */
  async utxos(limit = Number.MAX_SAFE_INTEGER): Promise<{ seq: bigint; utxo: FederationUtxo }[]> {
    const out: { seq: bigint; utxo: FederationUtxo }[] = []
    for (let seq = await this.counter(COUNTERS.utxoHead); seq !== 0n && out.length < limit; ) {
      const s = await this.utxoAt(seq)
      out.push({ seq, utxo: s.utxo })
      seq = s.next
    }
    return out
  }

  /**
   * Takes the first `count` UTXOs out of the spendable set (a batch spends them); their value stays in
   * federationSats until the batch is confirmed. One rewrite of the new head, whatever the count.
   */
  async removeUtxoPrefix(count: number): Promise<void> {
    let seq = await this.counter(COUNTERS.utxoHead)
    for (let i = 0; i < count; i++) {
      if (seq === 0n) fail('BRIDGE_INVARIANT', `a batch spends ${count} UTXOs but the set holds ${i}`)
      const s = await this.utxoAt(seq)
      await this.store.del(btcLayout.utxo(seq))
      seq = s.next
    }
    await this.setCounter(COUNTERS.utxoHead, seq)
    if (seq === 0n) await this.setCounter(COUNTERS.utxoTail, 0n)
    else await this.store.put(btcLayout.utxo(seq), encodeStoredUtxo({ ...(await this.utxoAt(seq)), prev: 0n }))
  }

  // ---- peg-out requests ----
  async request(id: bigint): Promise<StoredRequest | undefined> {
    const b = await this.store.get(btcLayout.request(id))
    return b === undefined ? undefined : decodeRequest(b)
  }

  async putRequest(id: bigint, q: StoredRequest): Promise<void> {
    await this.store.put(btcLayout.request(id), encodeRequest(q))
  }

  // ---- batches ----
  async batch(id: bigint): Promise<StoredBatch | undefined> {
    const b = await this.store.get(btcLayout.batch(id))
    return b === undefined ? undefined : decodeBatch(b)
  }

  async putBatch(id: bigint, b: StoredBatch): Promise<void> {
    await this.store.put(btcLayout.batch(id), encodeBatch(b))
  }

  async batchIdByTxid(txid: Uint8Array): Promise<bigint | undefined> {
    const b = await this.store.get(btcLayout.batchByTxid(txid))
    return b === undefined ? undefined : bytesToBigIntBE(b)
  }

  async indexBatchTxid(txid: Uint8Array, id: bigint): Promise<void> {
    await this.store.put(btcLayout.batchByTxid(txid), bigIntToBytesBE(id, 8))
  }

  async pendingBatches(): Promise<bigint[]> {
    return decodeU64List(await this.store.get(btcLayout.pendingBatches))
  }

  async setPendingBatches(ids: readonly bigint[]): Promise<void> {
    await this.store.put(btcLayout.pendingBatches, encodeU64List(ids))
  }

  async signatures(batchId: bigint, member: number): Promise<Uint8Array | undefined> {
    return this.store.get(btcLayout.signatures(batchId, member))
  }

  async putSignatures(batchId: bigint, member: number, encoded: Uint8Array): Promise<void> {
    await this.store.put(btcLayout.signatures(batchId, member), encoded)
  }

  /**
   * A batch's signed transaction, stored apart from the batch record in parts of at most SIGNED_TX_PART bytes (a
   * large batch's signed form exceeds one stored value). A batch signed before this key existed kept it in its
   * record, which `batch()` still returns.
   */
  async signedTx(batchId: bigint): Promise<Uint8Array | undefined> {
    const head = await this.store.get(btcLayout.signedTx(batchId, 0))
    if (head === undefined) return undefined
    if (head.length !== 4) fail('BRIDGE_STORE_CORRUPT', `the signed transaction of batch ${batchId} has a bad header`)
    const parts = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false)
    const chunks: Uint8Array[] = []
    for (let i = 1; i <= parts; i++) {
      const c = await this.store.get(btcLayout.signedTx(batchId, i))
      if (c === undefined) fail('BRIDGE_STORE_CORRUPT', `part ${i} of the signed transaction of batch ${batchId} is missing`)
      chunks.push(c)
    }
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }

  async putSignedTx(batchId: bigint, tx: Uint8Array): Promise<void> {
    const parts = Math.ceil(tx.length / SIGNED_TX_PART)
    const head = new Uint8Array(4)
    new DataView(head.buffer).setUint32(0, parts, false)
    await this.store.put(btcLayout.signedTx(batchId, 0), head)
    for (let i = 0; i < parts; i++) await this.store.put(btcLayout.signedTx(batchId, i + 1), tx.subarray(i * SIGNED_TX_PART, (i + 1) * SIGNED_TX_PART))
  }

  // ---- fee reports ----
  /** The member's last report and the block timestamp it was made at (rate 32 bytes, then time 8 bytes). */
  async feeReport(member: number): Promise<{ satPerVb: bigint; at: bigint } | undefined> {
    const b = await this.store.get(btcLayout.feeReport(member))
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
    await this.store.put(btcLayout.feeReport(member), v)
  }
}
