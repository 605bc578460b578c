// A block's RLP serialization, computed once per block: a block is serialized for its proposal, the sign log and
// the block store — each a full RLP encoding of every transaction (~10 ms for 1000 transfers) — and ethereumjs
// blocks do not keep it. Kept by block hash, since the block a validator re-executes is another object than the
// one proposed (the hash commits to the header, and the header to the transactions, so equal hashes mean equal
// bytes).
import type { Block } from '@ethereumjs/block'
import { bytesToHex } from '../../spv/base/bytes.js'

/** Blocks in play at once: the ones of the current height's rounds and the newest final ones. */
const ENTRIES = 16
const cache = new Map<string, Uint8Array>()

/** `block.serialize()`, remembered for the last few blocks. */
export function serialized(block: Block): Uint8Array {
  const key = bytesToHex(block.hash())
  let bytes = cache.get(key)
  if (bytes === undefined) {
    bytes = block.serialize()
    cache.set(key, bytes)
    if (cache.size > ENTRIES) cache.delete(cache.keys().next().value!)
  }
  return bytes
}
