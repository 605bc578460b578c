// Every key prefix of the node's `chain` sublevel, in one place (after bcoin's layout.js). Numbers are big-endian
// so keys sort by height. The state trie lives in its own sublevel (`s`), written by @ethereumjs/mpt.
//
//   G                          -> genesis block hash (32): a data directory belongs to one chain
//   H                          -> head: number (8) + hash (32); every stored block is final (certified)
//   n + number(8)              -> canonical block hash at that height
//   b + hash(32)               -> block RLP (ethereumjs serialize)
//   r + number(8)              -> the block's receipts (chain/receipts.ts encoding)
//   c + number(8)              -> the block's finality certificate (consensus/certificate.ts encoding)
//   t + txHash(32)             -> block number (8) + transaction index (4)
//   a + address(20) + number(8) + logIndex(4)   -> '' : logs by emitting address
//   o + topic(32) + number(8) + logIndex(4)     -> '' : logs by topic (any position)
//   S                          -> supply ledger (chain/supply.ts encoding) as of the head
//   m + txHash(32)             -> raw pending transaction (the mempool journal, survives restarts)
//   v + height(8)              -> what this validator signed at that height, and its lock (consensus/sign-log.ts)
//   V + height(8) + hash(32)   -> a block it locked on, holds as valid or proposed there, to propose it again
import { prefixedKey } from '../../spv/base/bytes.js'

const enc = new TextEncoder()

function u64(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false)
  return b
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

const key = prefixedKey

export const layout = {
  genesis: enc.encode('G'),
  head: enc.encode('H'),
  supply: enc.encode('S'),
  canonical: (n: bigint) => key('n', u64(n)),
  block: (hash: Uint8Array) => key('b', hash),
  receipts: (n: bigint) => key('r', u64(n)),
  certificate: (n: bigint) => key('c', u64(n)),
  tx: (hash: Uint8Array) => key('t', hash),
  logByAddress: (address: Uint8Array, n: bigint, logIndex: number) => key('a', address, u64(n), u32(logIndex)),
  logByAddressRange: (address: Uint8Array, from: bigint, toExclusive: bigint) => [key('a', address, u64(from)), key('a', address, u64(toExclusive))] as const,
  logByTopic: (topic: Uint8Array, n: bigint, logIndex: number) => key('o', topic, u64(n), u32(logIndex)),
  logByTopicRange: (topic: Uint8Array, from: bigint, toExclusive: bigint) => [key('o', topic, u64(from)), key('o', topic, u64(toExclusive))] as const,
  mempool: (hash: Uint8Array) => key('m', hash),
  mempoolRange: () => [key('m'), key('n')] as const,
  signLog: (height: bigint) => key('v', u64(height)),
  signedBlock: (height: bigint, hash: Uint8Array) => key('V', u64(height), hash),
  /** The highest height the sign log holds a record for. */
  signLogLatest: enc.encode('L'),
} as const

export function encodeU64(n: bigint): Uint8Array {
  return u64(n)
}

export function decodeU64(b: Uint8Array, at = 0): bigint {
  return new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, false)
}

export function decodeU32(b: Uint8Array, at = 0): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, false)
}

export function encodeU32(n: number): Uint8Array {
  return u32(n)
}
