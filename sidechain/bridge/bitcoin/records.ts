// Byte encodings of the bridge's stored records (keys in layout.ts). Integers are big-endian; every decoder checks
// lengths and refuses a truncated record (BRIDGE_STORE_CORRUPT), which would mean a bug, never user input.
import { fail } from '../../../spv/base/errors.js'
import type { FederationUtxo } from '../../../peg/bitcoin/index.js'

/** refunded: the request could not pay its fee share and its value went back to the requester on the side chain. */
import { REQUEST_STATUS, type RequestStatus } from '../../../peg/bitcoin/status.js'

export { REQUEST_STATUS, type RequestStatus }

export interface StoredUtxo {
  readonly utxo: FederationUtxo
  readonly prev: bigint
  readonly next: bigint
}

export interface StoredRequest {
  readonly requester: Uint8Array
  readonly scriptPubKey: Uint8Array
  readonly valueSats: bigint
  readonly feeSats: bigint
  readonly batchId: bigint
  readonly status: RequestStatus
  readonly requestedAt: bigint
  /** Satoshis it bore of consolidations made for it (peg/bitcoin/consolidation.ts); 0 when none. */
  readonly prepaidFeeSats: bigint
}

/** A federation payment held for its owner: its value and the outpoint its transaction's first input spent. */
export interface StoredHeldPayment {
  readonly valueSats: bigint
  /** Internal byte order; all zero for a coinbase (nothing to claim with). */
  readonly fundingTxid: Uint8Array
  readonly fundingVout: number
}

export interface StoredBatch {
  readonly status: RequestStatus
  readonly txid: Uint8Array
  readonly feeSats: bigint
  readonly changeSats: bigint
  readonly firstRequestId: bigint
  /** 0: a consolidation (its one output, the change, returns to the federation at vout 0). */
  readonly requestCount: number
  readonly createdAt: bigint
  /** Bit i set when member i's signatures are in. */
  readonly signers: number
  readonly inputs: readonly FederationUtxo[]
  readonly unsignedTx: Uint8Array
  /** Empty since signed transactions are stored apart (state.ts signedTx); set in records of older batches. */
  readonly signedTx: Uint8Array
}

class Writer {
  private parts: Uint8Array[] = []
  private size = 0

  bytes(b: Uint8Array): this {
    this.parts.push(b)
    this.size += b.length
    return this
  }

  u8(n: number): this {
    return this.bytes(Uint8Array.of(n))
  }

  u32(n: number): this {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n, false)
    return this.bytes(b)
  }

  u64(n: bigint): this {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, n, false)
    return this.bytes(b)
  }

  varBytes(b: Uint8Array): this {
    return this.u32(b.length).bytes(b)
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let at = 0
    for (const p of this.parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
}

class Reader {
  private at = 0
  private readonly view: DataView

  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.length)
  }

  private need(n: number): void {
    if (this.at + n > this.b.length) fail('BRIDGE_STORE_CORRUPT', 'a stored bridge record is truncated')
  }

  bytes(n: number): Uint8Array {
    this.need(n)
    const out = this.b.slice(this.at, this.at + n)
    this.at += n
    return out
  }

  u8(): number {
    this.need(1)
    return this.b[this.at++]!
  }

  u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.at, false)
    this.at += 4
    return v
  }

  u64(): bigint {
    this.need(8)
    const v = this.view.getBigUint64(this.at, false)
    this.at += 8
    return v
  }

  varBytes(): Uint8Array {
    return this.bytes(this.u32())
  }

  done(): boolean {
    return this.at === this.b.length
  }
}

function writeUtxo(w: Writer, u: FederationUtxo): void {
  w.bytes(u.txid).u32(u.vout).u64(u.valueSats)
  if (u.recipient === null) w.u8(0)
  else w.u8(1).bytes(u.recipient)
}

function readUtxo(r: Reader): FederationUtxo {
  const txid = r.bytes(32)
  const vout = r.u32()
  const valueSats = r.u64()
  const recipient = r.u8() === 1 ? r.bytes(20) : null
  return { txid, vout, valueSats, recipient }
}

export function encodeStoredUtxo(s: StoredUtxo): Uint8Array {
  const w = new Writer()
  writeUtxo(w, s.utxo)
  return w.u64(s.prev).u64(s.next).finish()
}

export function decodeStoredUtxo(b: Uint8Array): StoredUtxo {
  const r = new Reader(b)
  const utxo = readUtxo(r)
  return { utxo, prev: r.u64(), next: r.u64() }
}

export function encodeHeldPayment(h: StoredHeldPayment): Uint8Array {
  return new Writer().u64(h.valueSats).bytes(h.fundingTxid).u32(h.fundingVout).finish()
}

export function decodeHeldPayment(b: Uint8Array): StoredHeldPayment {
  const r = new Reader(b)
  return { valueSats: r.u64(), fundingTxid: r.bytes(32), fundingVout: r.u32() }
}

export function encodeRequest(q: StoredRequest): Uint8Array {
  return new Writer()
    .bytes(q.requester)
    .varBytes(q.scriptPubKey)
    .u64(q.valueSats)
    .u64(q.feeSats)
    .u64(q.batchId)
    .u8(q.status)
    .u64(q.requestedAt)
    .u64(q.prepaidFeeSats)
    .finish()
}

export function decodeRequest(b: Uint8Array): StoredRequest {
  const r = new Reader(b)
  return {
    requester: r.bytes(20),
    scriptPubKey: r.varBytes(),
    valueSats: r.u64(),
    feeSats: r.u64(),
    batchId: r.u64(),
    status: r.u8() as RequestStatus,
    requestedAt: r.u64(),
    // Requests stored before consolidations existed end here.
    prepaidFeeSats: r.done() ? 0n : r.u64(),
  }
}

export function encodeBatch(b: StoredBatch): Uint8Array {
  const w = new Writer()
    .u8(b.status)
    .bytes(b.txid)
    .u64(b.feeSats)
    .u64(b.changeSats)
    .u64(b.firstRequestId)
    .u32(b.requestCount)
    .u64(b.createdAt)
    .u32(b.signers)
    .u32(b.inputs.length)
  for (const u of b.inputs) writeUtxo(w, u)
  return w.varBytes(b.unsignedTx).varBytes(b.signedTx).finish()
}

export function decodeBatch(bytes: Uint8Array): StoredBatch {
  const r = new Reader(bytes)
  const status = r.u8() as RequestStatus
  const txid = r.bytes(32)
  const feeSats = r.u64()
  const changeSats = r.u64()
  const firstRequestId = r.u64()
  const requestCount = r.u32()
  const createdAt = r.u64()
  const signers = r.u32()
  const n = r.u32()
  const inputs: FederationUtxo[] = []
  for (let i = 0; i < n; i++) inputs.push(readUtxo(r))
  return { status, txid, feeSats, changeSats, firstRequestId, requestCount, createdAt, signers, inputs, unsignedTx: r.varBytes(), signedTx: r.varBytes() }
}

export function encodeU64List(ids: readonly bigint[]): Uint8Array {
  const w = new Writer().u32(ids.length)
  for (const id of ids) w.u64(id)
  return w.finish()
}

export function decodeU64List(b: Uint8Array | undefined): bigint[] {
  if (b === undefined) return []
  const r = new Reader(b)
  const n = r.u32()
  const out: bigint[] = []
  for (let i = 0; i < n; i++) out.push(r.u64())
  return out
}
