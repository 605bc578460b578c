// Storage layout of the Bitcoin header chain: every key prefix in one place (after bcoin's layout.js), and the
// byte encoding of a stored entry.
//
//   c                  -> checkpoint block hash (32)
//   e + hash(32)       -> header entry (encodeEntry)
//   b + height(4, BE)  -> hash of the best chain's block at that height
//   t                  -> hash of the best chain's tip
//   o + prevHash(32)   -> orphan headers waiting for that parent, concatenated 80-byte headers
//   n                  -> number of stored orphan headers (uint32 BE)
import { CausewayError } from '../base/errors.js'
import { bigIntToBytesBE, bytesToBigIntBE } from '../base/bytes.js'
import { HEADER_SIZE } from './header.js'
import { hash256 } from './hash.js'
import type { HeaderEntry } from './validate.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

function prefixed(prefix: string, body: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + body.length)
  key[0] = prefix.charCodeAt(0)
  key.set(body, 1)
  return key
}

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

export const layout = {
  checkpoint: enc('c'),
  tip: enc('t'),
  orphanCount: enc('n'),
  entry: (hash: Uint8Array) => prefixed('e', hash),
  height: (height: number) => prefixed('b', u32be(height)),
  orphans: (prevHash: Uint8Array) => prefixed('o', prevHash),
} as const

export function encodeU32(n: number): Uint8Array {
  return u32be(n)
}

export function decodeU32(b: Uint8Array | undefined): number {
  return b === undefined ? 0 : new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false)
}

// header(80) | height u32 | chainWork(32) | nulls flags u8 | periodStartTime u32 | periodStartBits u32 |
// lastRegularBits u32 | time count u8 | times u32 × count        (all integers big-endian)
export function encodeEntry(e: HeaderEntry): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + 4 + 32 + 1 + 12 + 1 + 4 * e.recentTimes.length)
  const view = new DataView(out.buffer)
  out.set(e.header, 0)
  let at = HEADER_SIZE
  view.setUint32(at, e.height)
  at += 4
  out.set(bigIntToBytesBE(e.chainWork, 32), at)
  at += 32
  out[at++] = (e.periodStartTime === null ? 1 : 0) | (e.periodStartBits === null ? 2 : 0) | (e.lastRegularBits === null ? 4 : 0)
  view.setUint32(at, e.periodStartTime ?? 0)
  view.setUint32(at + 4, e.periodStartBits ?? 0)
  view.setUint32(at + 8, e.lastRegularBits ?? 0)
  at += 12
  out[at++] = e.recentTimes.length
  for (const t of e.recentTimes) {
    view.setUint32(at, t)
    at += 4
  }
  return out
}

export function decodeEntry(bytes: Uint8Array): HeaderEntry {
  const fixed = HEADER_SIZE + 4 + 32 + 1 + 12 + 1
  if (bytes.length < fixed) throw new CausewayError('SPV_STORE_CORRUPT', 'stored header entry is truncated')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const header = bytes.slice(0, HEADER_SIZE)
  const hv = new DataView(header.buffer)
  let at = HEADER_SIZE
  const height = view.getUint32(at)
  at += 4
  const chainWork = bytesToBigIntBE(bytes.subarray(at, at + 32))
  at += 32
  const nulls = bytes[at++]!
  const periodStartTime = nulls & 1 ? null : view.getUint32(at)
  const periodStartBits = nulls & 2 ? null : view.getUint32(at + 4)
  const lastRegularBits = nulls & 4 ? null : view.getUint32(at + 8)
  at += 12
  const n = bytes[at++]!
  if (bytes.length !== fixed + 4 * n) throw new CausewayError('SPV_STORE_CORRUPT', 'stored header entry has a bad length')
  const recentTimes: number[] = []
  for (let i = 0; i < n; i++) recentTimes.push(view.getUint32(at + 4 * i))
  return {
    height,
    time: hv.getUint32(68, true),
    bits: hv.getUint32(72, true),
    periodStartTime,
    periodStartBits,
    lastRegularBits,
    hash: hash256(header),
    header,
    chainWork,
    recentTimes,
  }
}
