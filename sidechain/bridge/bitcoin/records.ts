// Byte encodings of the bridge's stored records (keys in layout.ts). Integers are big-endian; every decoder checks
// lengths and refuses a truncated record (BRIDGE_STORE_CORRUPT), which would mean a bug, never user input.
import { ByteReader } from '../../../spv/base/bytes.js'
import type { FederationUtxo } from '../../../peg/bitcoin/index.js'
import { REQUEST_STATUS, type RequestStatus } from '../../../peg/bitcoin/status.js'

/** refunded: the request could not pay its fee share and its value went back to the requester on the side chain. */
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


function writeUtxo(w: Writer, u: FederationUtxo): void {
  w.bytes(u.txid).u32(u.vout).u64(u.valueSats)
  if (u.recipient === null) w.u8(0)
  else w.u8(1).bytes(u.recipient)
}

function readUtxo(r: ByteReader): FederationUtxo {
  const txid = r.bytesN(32).slice()
  const vout = r.u32be()
  const valueSats = r.u64be()
  const recipient = r.u8() === 1 ? r.bytesN(20).slice() : null
  return { txid, vout, valueSats, recipient }
}

export function encodeStoredUtxo(s: StoredUtxo): Uint8Array {
  const w = new Writer()
  writeUtxo(w, s.utxo)
  return w.u64(s.prev).u64(s.next).finish()
}

export function decodeStoredUtxo(b: Uint8Array): StoredUtxo {
  const r = new ByteReader(b, 'BRIDGE_STORE_CORRUPT')
  const utxo = readUtxo(r)
  return { utxo, prev: r.u64be(), next: r.u64be() }
}

export function encodeHeldPayment(h: StoredHeldPayment): Uint8Array {
  return new Writer().u64(h.valueSats).bytes(h.fundingTxid).u32(h.fundingVout).finish()
}

export function decodeHeldPayment(b: Uint8Array): StoredHeldPayment {
  const r = new ByteReader(b, 'BRIDGE_STORE_CORRUPT')
  return { valueSats: r.u64be(), fundingTxid: r.bytesN(32).slice(), fundingVout: r.u32be() }
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
  const r = new ByteReader(b, 'BRIDGE_STORE_CORRUPT')
  return {
    requester: r.bytesN(20).slice(),
    scriptPubKey: r.bytesN(r.u32be()).slice(),
    valueSats: r.u64be(),
    feeSats: r.u64be(),
    batchId: r.u64be(),
    status: r.u8() as RequestStatus,
    requestedAt: r.u64be(),
    // Requests stored before consolidations existed end here.
    prepaidFeeSats: r.remaining === 0 ? 0n : r.u64be(),
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
  const r = new ByteReader(bytes, 'BRIDGE_STORE_CORRUPT')
  const status = r.u8() as RequestStatus
  const txid = r.bytesN(32).slice()
  const feeSats = r.u64be()
  const changeSats = r.u64be()
  const firstRequestId = r.u64be()
  const requestCount = r.u32be()
  const createdAt = r.u64be()
  const signers = r.u32be()
  const n = r.u32be()
  const inputs: FederationUtxo[] = []
  for (let i = 0; i < n; i++) inputs.push(readUtxo(r))
  return { status, txid, feeSats, changeSats, firstRequestId, requestCount, createdAt, signers, inputs, unsignedTx: r.bytesN(r.u32be()).slice(), signedTx: r.bytesN(r.u32be()).slice() }
}

export function encodeU64List(ids: readonly bigint[]): Uint8Array {
  const w = new Writer().u32(ids.length)
  for (const id of ids) w.u64(id)
  return w.finish()
}

export function decodeU64List(b: Uint8Array | undefined): bigint[] {
  if (b === undefined) return []
  const r = new ByteReader(b, 'BRIDGE_STORE_CORRUPT')
  const n = r.u32be()
  const out: bigint[] = []
  for (let i = 0; i < n; i++) out.push(r.u64be())
  return out
}
