// The Bitcoin family's keys in the bridge's account storage (its namespace: the single-letter prefixes below,
// as they were before families existed, so no state root changed). Encodings: records.ts.
//
//   h …                      -> the Bitcoin header chain (spv/bitcoin/chain-layout.ts, under this prefix)
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
import { enc, key, u32, u64 } from '../layout.js'

export const btcLayout = {
  headers: enc('h'),
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

/** The first byte of every key in the Bitcoin family's namespace. */
export const BTC_PREFIXES = ['h', 'O', 'D', 'H', 'G', 'U', 'R', 'B', 'S', 'T', 'X', 'P', 'F'] as const
