// Bitcoin partial merkle trees: the serialized CMerkleBlock that Bitcoin Core's `gettxoutproof` returns, its
// construction (byte-identical to Core's) and its verification with every check of Core's ExtractMatches.
import { ByteReader, encodeCompactSize, equalBytes, equalBytesAt } from '../base/bytes.js'
import { CausewayError, fail } from '../base/errors.js'
import { hash256, merkleParent } from './hash.js'
import { merkleLevels } from './merkle.js'

/** A decoded CMerkleBlock. Hashes are in internal byte order; `flags` holds the tree's bits, LSB first. */
export interface MerkleBlock {
  /** The 80 raw bytes of the block header. */
  readonly header: Uint8Array
  /** How many transactions the block holds (CPartialMerkleTree::nTransactions); it fixes the tree's shape. */
  readonly totalTransactions: number
  /** The stored node hashes (vHash), in depth-first order. */
  readonly hashes: readonly Uint8Array[]
  /** The traversal bits (vBits) packed 8 per byte, least significant bit first. */
  readonly flags: Uint8Array
}

export interface MerkleMatch {
  /** Txid in internal byte order. */
  readonly txid: Uint8Array
  /** Position of the transaction in the block (0 is the coinbase). */
  readonly index: number
}

export interface VerifiedMerkleBlock {
  /** hash256(header), internal byte order. */
  readonly blockHash: Uint8Array
  /** The header's merkle root (bytes 36..68), internal byte order. */
  readonly merkleRoot: Uint8Array
  /** The transactions the proof claims, in block order. */
  readonly matches: readonly MerkleMatch[]
}

const HEADER_SIZE = 80
const MERKLE_ROOT_OFFSET = 36

// Core's ExtractMatches bound: no block can hold more than MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT
// (4,000,000 / (4 × 60)) transactions, so a larger count can only be an attack on the verifier.
export const MAX_PROOF_TRANSACTIONS = Math.floor(4_000_000 / 240)

/**
 * Decodes a serialized CMerkleBlock: 80-byte header, uint32 LE transaction count, CompactSize hash count and
 * 32-byte hashes, CompactSize flag byte count and flag bytes. The result owns its bytes (copied from `bytes`).
 * Checks only the encoding; `verifyMerkleBlock` checks the tree.
 */
export function decodeMerkleBlock(bytes: Uint8Array): MerkleBlock {
  if (!(bytes instanceof Uint8Array)) fail('BAD_TYPE', 'merkle block proof: expected a Uint8Array')
  const r = new ByteReader(bytes, 'SPV_PROOF_TRUNCATED')
  const header = r.bytesN(HEADER_SIZE).slice()
  const totalTransactions = r.u32le()
  const hashCount = readCompactSize(r)
  // Check before allocating, so a huge announced count costs nothing.
  if (hashCount * 32 > r.remaining) {
    fail('SPV_PROOF_TRUNCATED', `proof announces ${hashCount} hashes but only ${r.remaining} bytes follow`, { hashCount })
  }
  const hashRegion = r.bytesN(hashCount * 32).slice()
  const hashes = new Array<Uint8Array>(hashCount)
  for (let i = 0; i < hashCount; i++) hashes[i] = hashRegion.subarray(i * 32, i * 32 + 32)
  const flagCount = readCompactSize(r)
  const flags = r.bytesN(flagCount).slice()
  if (r.remaining !== 0) {
    fail('SPV_PROOF_TRAILING_BYTES', `proof has ${r.remaining} bytes after its end`, { trailing: r.remaining })
  }
  return { header, totalTransactions, hashes, flags }
}

/** Serializes a CMerkleBlock, the inverse of `decodeMerkleBlock`. */
export function encodeMerkleBlock(mb: MerkleBlock): Uint8Array {
  checkShape(mb)
  const hashCount = encodeCompactSize(mb.hashes.length)
  const flagCount = encodeCompactSize(mb.flags.length)
  const out = new Uint8Array(HEADER_SIZE + 4 + hashCount.length + mb.hashes.length * 32 + flagCount.length + mb.flags.length)
  out.set(mb.header, 0)
  new DataView(out.buffer).setUint32(HEADER_SIZE, mb.totalTransactions, true)
  let at = HEADER_SIZE + 4
  out.set(hashCount, at)
  at += hashCount.length
  for (const h of mb.hashes) {
    out.set(h, at)
    at += 32
  }
  out.set(flagCount, at)
  at += flagCount.length
  out.set(mb.flags, at)
  return out
}

/**
 * Builds the partial merkle tree of a block proving the transactions selected by `match` (a predicate on the
 * index, or a list of indexes), exactly as Core's CPartialMerkleTree constructor (TraverseAndBuild) does, so
 * the encoding equals `gettxoutproof`'s byte for byte. `txids` are all the block's txids in block order,
 * internal byte order. The header's merkle root must be the root of `txids`.
 */
export function buildMerkleBlock(
  header: Uint8Array,
  txids: readonly Uint8Array[],
  match: ((index: number) => boolean) | readonly number[],
): MerkleBlock {
  if (header.length !== HEADER_SIZE) fail('BAD_LENGTH', `header: expected 80 bytes, got ${header.length}`)
  const n = txids.length
  if (n === 0) fail('SPV_PROOF_NO_TRANSACTIONS', 'a block has at least one transaction (the coinbase)')

  const matched = new Uint8Array(n)
  if (typeof match === 'function') {
    for (let i = 0; i < n; i++) matched[i] = match(i) ? 1 : 0
  } else {
    for (const i of match) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        fail('SPV_PROOF_BAD_MATCH_INDEX', `match index ${i} is not a transaction of a ${n}-transaction block`, { index: i })
      }
      matched[i] = 1
    }
  }

  const levels = merkleLevels(txids)
  const root = levels[levels.length - 1]![0]!
  if (!equalBytesAt(root, header, MERKLE_ROOT_OFFSET)) {
    fail('SPV_PROOF_MERKLE_MISMATCH', 'the txids do not hash to the merkle root of the header')
  }
  // Whether each node is the parent of a matched leaf (Core's fParentOfMatch), one level per tree level.
  const parentOfMatch: Uint8Array[] = [matched]
  for (let h = 1; h < levels.length; h++) {
    const below = parentOfMatch[h - 1]!
    const level = new Uint8Array(levels[h]!.length)
    for (let i = 0; i < level.length; i++) level[i] = below[2 * i]! | (below[2 * i + 1] ?? 0)
    parentOfMatch.push(level)
  }

  const bits: number[] = []
  const hashes: Uint8Array[] = []
  const build = (height: number, pos: number): void => {
    const parent = parentOfMatch[height]![pos]!
    bits.push(parent)
    if (height === 0 || parent === 0) {
      hashes.push(levels[height]![pos]!.slice())
    } else {
      build(height - 1, pos * 2)
      if (pos * 2 + 1 < levels[height - 1]!.length) build(height - 1, pos * 2 + 1)
    }
  }
  build(levels.length - 1, 0)

  const flags = new Uint8Array((bits.length + 7) >>> 3)
  for (let i = 0; i < bits.length; i++) flags[i >>> 3]! |= bits[i]! << (i & 7)
  return { header: header.slice(), totalTransactions: n, hashes, flags }
}

/**
 * Verifies a partial merkle tree against its header as Core's CPartialMerkleTree::ExtractMatches does, and
 * throws a coded CausewayError for each way a proof can be bad. Core returns a zero root on failure; here each
 * failure has its code. Two choices of ours:
 * - a proof whose bits and hashes do not describe one tree (Core's `fBad` on overflowing either array, and its
 *   "fewer bits than hashes" pre-check) fails with SPV_PROOF_BAD_FLAGS; SPV_PROOF_TRUNCATED is kept for bytes
 *   that end early on the wire (decodeMerkleBlock);
 * - the padding bits of the last flag byte must be zero (SPV_PROOF_NONZERO_PADDING). Core ignores them; Core
 *   always writes them as zero, so no proof it makes is refused, and a proof has one encoding only.
 * Also stricter than Core: a proof that matches no transaction fails (SPV_PROOF_NO_MATCH), where Core's
 * `verifytxoutproof` answers an empty list.
 */
export function verifyMerkleBlock(mb: MerkleBlock): VerifiedMerkleBlock {
  checkShape(mb)
  const { header, totalTransactions: n, hashes, flags } = mb
  if (n === 0) fail('SPV_PROOF_NO_TRANSACTIONS', 'proof claims a block without transactions')
  if (n > MAX_PROOF_TRANSACTIONS) {
    fail('SPV_PROOF_TOO_MANY_TRANSACTIONS', `proof claims ${n} transactions, more than a block can hold (${MAX_PROOF_TRANSACTIONS})`, {
      totalTransactions: n,
    })
  }
  // At most one stored hash per txid, and at least one traversal bit per stored hash.
  if (hashes.length > n) {
    fail('SPV_PROOF_TOO_MANY_HASHES', `proof has ${hashes.length} hashes for ${n} transactions`, { hashes: hashes.length, totalTransactions: n })
  }
  if (flags.length * 8 < hashes.length) {
    fail('SPV_PROOF_BAD_FLAGS', `proof has ${flags.length * 8} flag bits for ${hashes.length} hashes`)
  }

  let height = 0
  while (treeWidth(n, height) > 1) height++
  const state: Traversal = { n, hashes, flags, bitCount: flags.length * 8, bitsUsed: 0, hashesUsed: 0, matches: [] }
  const root = traverseAndExtract(state, height, 0)

  // All bits consumed except the padding of the last byte, and all hashes consumed (Core's final checks).
  if ((state.bitsUsed + 7) >>> 3 !== flags.length) {
    fail('SPV_PROOF_UNUSED_BITS', `proof uses ${state.bitsUsed} flag bits but carries ${flags.length} flag bytes`)
  }
  if (state.hashesUsed !== hashes.length) {
    fail('SPV_PROOF_UNUSED_HASHES', `proof uses ${state.hashesUsed} of its ${hashes.length} hashes`)
  }
  if ((state.bitsUsed & 7) !== 0 && flags[flags.length - 1]! >>> (state.bitsUsed & 7) !== 0) {
    fail('SPV_PROOF_NONZERO_PADDING', 'the padding bits of the last flag byte are not zero')
  }
  if (!equalBytesAt(root, header, MERKLE_ROOT_OFFSET)) {
    fail('SPV_PROOF_MERKLE_MISMATCH', "proof's merkle root differs from the header's merkle root")
  }
  if (state.matches.length === 0) fail('SPV_PROOF_NO_MATCH', 'proof matches no transaction')
  return {
    blockHash: hash256(header),
    merkleRoot: header.slice(MERKLE_ROOT_OFFSET, MERKLE_ROOT_OFFSET + 32),
    matches: state.matches,
  }
}

/**
 * Decodes and verifies a `gettxoutproof` answer; with `expectedHeader`, the proof must be for that header
 * (SPV_PROOF_HEADER_MISMATCH), which is how a caller ties it to a header it has already checked.
 */
export function verifyTxOutProof(proof: Uint8Array, expectedHeader?: Uint8Array): VerifiedMerkleBlock {
  const mb = decodeMerkleBlock(proof)
  if (expectedHeader !== undefined) {
    if (expectedHeader.length !== HEADER_SIZE || !equalBytesAt(expectedHeader, mb.header, 0)) {
      fail('SPV_PROOF_HEADER_MISMATCH', 'proof is for a different block header')
    }
  }
  return verifyMerkleBlock(mb)
}

interface Traversal {
  readonly n: number
  readonly hashes: readonly Uint8Array[]
  readonly flags: Uint8Array
  readonly bitCount: number
  bitsUsed: number
  hashesUsed: number
  readonly matches: MerkleMatch[]
}

// Core's CalcTreeWidth: the number of nodes at `height` (0 = leaves) of a tree over n leaves.
function treeWidth(n: number, height: number): number {
  return (n + (1 << height) - 1) >>> height
}

// Core's TraverseAndExtract, depth first; the recursion is at most 15 deep (MAX_PROOF_TRANSACTIONS < 2^15).
function traverseAndExtract(s: Traversal, height: number, pos: number): Uint8Array {
  if (s.bitsUsed >= s.bitCount) fail('SPV_PROOF_BAD_FLAGS', 'proof ran out of flag bits')
  const parentOfMatch = (s.flags[s.bitsUsed >>> 3]! >>> (s.bitsUsed & 7)) & 1
  s.bitsUsed++
  if (height === 0 || parentOfMatch === 0) {
    // A leaf, or a subtree without matches: its hash is stored.
    if (s.hashesUsed >= s.hashes.length) fail('SPV_PROOF_BAD_FLAGS', 'proof ran out of hashes')
    const hash = s.hashes[s.hashesUsed++]!
    if (height === 0 && parentOfMatch === 1) s.matches.push({ txid: hash, index: pos })
    return hash
  }
  const left = traverseAndExtract(s, height - 1, pos * 2)
  if (pos * 2 + 1 >= treeWidth(s.n, height - 1)) {
    // The last node of an odd level is paired with itself.
    return merkleParent(left, left)
  }
  const right = traverseAndExtract(s, height - 1, pos * 2 + 1)
  // CVE-2012-2459: when both children are present they cover distinct transactions, so they differ. Equal
  // children mean the proof pretends a duplicated tail is part of the block (the same root as the block with
  // its last transactions repeated), which would let it claim a transaction at an index that does not exist.
  if (equalBytes(left, right)) {
    fail('SPV_PROOF_DUPLICATE_CHILDREN', `proof has a node at height ${height}, position ${pos} with two equal children`, { height, pos })
  }
  return merkleParent(left, right)
}

// Core's ReadCompactSize: canonical encodings only. A count always fits a number here (length-checked later).
function readCompactSize(r: ByteReader): number {
  const first = r.u8()
  if (first < 0xfd) return first
  let value: number
  if (first === 0xfd) {
    const b = r.bytesN(2)
    value = b[0]! | (b[1]! << 8)
    if (value < 0xfd) nonCanonical()
  } else if (first === 0xfe) {
    value = r.u32le()
    if (value < 0x10000) nonCanonical()
  } else {
    const big = r.u64le()
    if (big < 0x100000000n) nonCanonical()
    // No proof can hold 2^32 of anything; report it as the truncation it must be.
    throw new CausewayError('SPV_PROOF_TRUNCATED', `proof announces ${big} items`)
  }
  return value
}

function nonCanonical(): never {
  fail('SPV_PROOF_NONCANONICAL', 'proof has a non-canonical CompactSize')
}

// Lengths of a hand-made MerkleBlock (decoded ones are right by construction).
function checkShape(mb: MerkleBlock): void {
  if (mb.header.length !== HEADER_SIZE) fail('BAD_LENGTH', `merkle block header: expected 80 bytes, got ${mb.header.length}`)
  const n = mb.totalTransactions
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail('BAD_NUMBER', `merkle block: bad transaction count ${n}`)
  for (let i = 0; i < mb.hashes.length; i++) {
    if (mb.hashes[i]!.length !== 32) fail('BAD_LENGTH', `merkle block hash ${i}: expected 32 bytes, got ${mb.hashes[i]!.length}`)
  }
}
