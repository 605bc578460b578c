// Every key of the bridge's account storage, in one place (after bcoin's layout.js). Values are stored by
// AccountStorage (storage.ts); their byte encodings are in records.ts.
//
//   C                        -> the bridge configuration (canonical JSON, written at genesis)
//   h …                      -> the Bitcoin header chain (spv/bitcoin/chain-layout.ts, under this prefix)
//   n + name                 -> a counter (bigint, 32 bytes): see COUNTERS
//   O + txid(32) + vout(4)   -> 1 when that outpoint was accepted (peg-in or batch change), once only
//   D + scriptPubKey(34)     -> the recipient (20) of a registered deposit address
//   H + recipient(20)        -> satoshis held for the recipient (deposits below the minimum)
//   G + txid(32) + vout(4)   -> a payment to the federation held for its owner (no memo could speak for it and no
//                               refund script was known): value, and the outpoint its first input spent (unclaimed.ts)
//   U + seq(8)               -> a federation UTXO, in a doubly linked list (acceptance order; consolidations at
//                               the head); batches spend a prefix and delete it
//   R + id(8)                -> a peg-out request
//   B + id(8)                -> a batch
//   S + batchId(8) + member  -> a member's signatures for a batch (one per input)
//   T + batchId(8) + part(4) -> a batch's signed transaction: part 0 its number of parts (u32), then the parts
//   X + txid(32)             -> the batch id whose transaction has that txid
//   P                        -> ids of batches not yet confirmed (u64 list)
//   F + member(1)            -> the member's last fee-rate report (sat/vB, 32 bytes) and its block time (8 bytes)
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

function key(prefix: string, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 1)
  const out = new Uint8Array(len)
  out[0] = prefix.charCodeAt(0)
  let at = 1
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function u64(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false)
  return b
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

export const COUNTERS = {
  /** Wei minted by peg-ins, ever. */
  minted: 'minted',
  /** Wei burned by peg-outs, ever. */
  burned: 'burned',
  /** Satoshis in the federation's UTXOs, including those an unconfirmed batch spends. */
  federationSats: 'fedsats',
  /** Satoshis requested by peg-outs not yet confirmed on Bitcoin. */
  pendingSats: 'pending',
  nextRequestId: 'rid',
  /** The first request id not yet in a batch. */
  queueStart: 'qstart',
  nextBatchId: 'bid',
  /** Side-chain block of the last batch (or of the first queued request, to time the interval). */
  lastBatchBlock: 'lastbatch',
  /** Consolidations made and not yet confirmed: their outputs will head the UTXO set. */
  consolidating: 'consol',
  utxoHead: 'uhead',
  utxoTail: 'utail',
  nextUtxoSeq: 'useq',
} as const

export type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS]

export const bridgeLayout = {
  config: enc('C'),
  headers: enc('h'),
  counter: (name: CounterName) => key('n', enc(name)),
  outpoint: (txid: Uint8Array, vout: number) => key('O', txid, u32(vout)),
  depositScript: (scriptPubKey: Uint8Array) => key('D', scriptPubKey),
  held: (recipient: Uint8Array) => key('H', recipient),
  heldPayment: (txid: Uint8Array, vout: number) => key('G', txid, u32(vout)),
  utxo: (seq: bigint) => key('U', u64(seq)),
  request: (id: bigint) => key('R', u64(id)),
  batch: (id: bigint) => key('B', u64(id)),
  signatures: (batchId: bigint, member: number) => key('S', u64(batchId), Uint8Array.of(member)),
  batchByTxid: (txid: Uint8Array) => key('X', txid),
  signedTx: (batchId: bigint, part: number) => key('T', u64(batchId), u32(part)),
  pendingBatches: enc('P'),
  feeReport: (member: number) => key('F', Uint8Array.of(member)),
} as const
