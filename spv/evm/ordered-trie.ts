// The root of an "ordered" Merkle-Patricia trie — keys rlp(0), rlp(1), … mapped to the given values — as a
// block's transactionsRoot and receiptsRoot are (Yellow Paper §4.3, Appendix D), computed in one pass over the
// sorted keys: each node is encoded and hashed once, instead of the path being re-hashed on every insertion as
// a general trie does. Same root as @ethereumjs/mpt for the same entries (a property test checks it).
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'

export type Keccak256 = (data: Uint8Array) => Uint8Array

interface Entry {
  readonly nibbles: Uint8Array
  readonly value: Uint8Array
}

type Raw = Uint8Array | NestedUint8Array

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4
    out[2 * i + 1] = key[i]! & 0x0f
  }
  return out
}

function compareNibbles(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** Hex-prefix encoding (Yellow Paper Appendix C) of a nibble path, flagged as a leaf's or an extension's. */
function hexPrefix(nibbles: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const len = to - from
  const odd = len % 2 === 1
  const out = new Uint8Array(Math.floor(len / 2) + 1)
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0)
  let i = from
  if (odd) out[0] = (flag << 4) | nibbles[i++]!
  else out[0] = flag << 4
  for (let o = 1; i < to; i += 2, o++) out[o] = (nibbles[i]! << 4) | nibbles[i + 1]!
  return out
}

/** The reference to a child node in its parent: the node itself when its encoding is under 32 bytes, else its hash. */
function reference(raw: Raw[], keccak: Keccak256): Raw {
  const encoded = RLP.encode(raw)
  return encoded.length < 32 ? raw : keccak(encoded)
}

/** The node holding `entries[lo..hi)`, which share their first `depth` nibbles (sorted; no key repeats). */
function node(entries: readonly Entry[], lo: number, hi: number, depth: number, keccak: Keccak256): Raw[] {
  const first = entries[lo]!
  if (hi - lo === 1) return [hexPrefix(first.nibbles, depth, first.nibbles.length, true), first.value]
  // Sorted: the prefix the first and the last share is the one they all share.
  const last = entries[hi - 1]!
  let common = depth
  while (common < first.nibbles.length && common < last.nibbles.length && first.nibbles[common] === last.nibbles[common]) common++
  if (common > depth) {
    return [hexPrefix(first.nibbles, depth, common, false), reference(node(entries, lo, hi, common, keccak), keccak)]
  }
  const branch: Raw[] = new Array<Raw>(17).fill(new Uint8Array(0))
  let i = lo
  if (first.nibbles.length === depth) {
    branch[16] = first.value // a key that ends at this branch (a prefix of the others)
    i++
  }
  while (i < hi) {
    const nibble = entries[i]!.nibbles[depth]!
    let j = i + 1
    while (j < hi && entries[j]!.nibbles[depth] === nibble) j++
    branch[nibble] = reference(node(entries, i, j, depth + 1, keccak), keccak)
    i = j
  }
  return branch
}

/** Root of the trie mapping arbitrary distinct `keys[i]` to `values[i]` (unhashed keys, as the ordered tries use). */
export function trieRoot(keys: readonly Uint8Array[], values: readonly Uint8Array[], keccak: Keccak256 = keccak_256): Uint8Array {
  if (keys.length === 0) return keccak(RLP.encode(new Uint8Array(0)))
  const entries = keys.map((k, i) => ({ nibbles: toNibbles(k), value: values[i]! })).sort((a, b) => compareNibbles(a.nibbles, b.nibbles))
  return keccak(RLP.encode(node(entries, 0, entries.length, 0, keccak)))
}

/** Root of the trie mapping rlp(i) to `values[i]`: a block's transactionsRoot or receiptsRoot. */
export function orderedTrieRoot(values: readonly Uint8Array[], keccak: Keccak256 = keccak_256): Uint8Array {
  return trieRoot(values.map((_, i) => RLP.encode(i)), values, keccak)
}
