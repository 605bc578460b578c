// Merkle-Patricia proofs of a receipt against a block's `receiptsRoot`: the trie maps rlp(transactionIndex) to the
// consensus-encoded receipt (Yellow Paper §4.3.1). Verification trusts nothing but the root it is given.
import { RLP } from '@ethereumjs/rlp'
import { createMerkleProof, createMPT, createMPTFromProof } from '@ethereumjs/mpt'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { equalBytes } from '../base/bytes.js'
import { CausewayError, fail } from '../base/errors.js'
import { type Receipt, EVM_RECEIPT_MALFORMED, decodeReceipt, encodeReceipt } from './receipt.js'
import { orderedTrieRoot } from './ordered-trie.js'

export const EVM_PROOF_INVALID = 'EVM_PROOF_INVALID'
export const EVM_PROOF_NOT_FOUND = 'EVM_PROOF_NOT_FOUND'
export const EVM_BAD_INDEX = 'EVM_BAD_INDEX'

/** keccak256(rlp('')): the root of an empty trie, the `receiptsRoot` of a block without transactions. */
export const EMPTY_TRIE_ROOT: Uint8Array = keccak_256(RLP.encode(new Uint8Array(0)))

/** The trie key of the receipt at `index`: rlp(index), so index 0 is the byte 0x80. */
export function receiptKey(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) {
    fail(EVM_BAD_INDEX, `receipt index must be a non-negative integer, got ${index}`, { index })
  }
  return RLP.encode(index)
}

/** Keccak-256 for trie nodes; callers with a faster one (a native binding) may pass it in. */
export type Keccak256 = (data: Uint8Array) => Uint8Array

async function buildTrie(receipts: readonly Receipt[]) {
  const trie = await createMPT({ useKeyHashing: false })
  for (let i = 0; i < receipts.length; i++) await trie.put(receiptKey(i), encodeReceipt(receipts[i]!))
  return trie
}

/** The `receiptsRoot` of a block whose receipts, in transaction order, are `receipts`. */
export async function receiptsRoot(receipts: readonly Receipt[], keccak?: Keccak256): Promise<Uint8Array> {
  return orderedTrieRoot(receipts.map(encodeReceipt), keccak)
}

/** The proof nodes, root first, for the receipt at `index` among all of a block's `receipts`. */
export async function createReceiptProof(receipts: readonly Receipt[], index: number): Promise<Uint8Array[]> {
  const key = receiptKey(index)
  if (index >= receipts.length) {
    fail(EVM_BAD_INDEX, `no receipt at index ${index}: the block has ${receipts.length}`, { index })
  }
  return createMerkleProof(await buildTrie(receipts), key)
}

/**
 * Checks that `proof` proves the receipt at `index` under `root` and returns it. Rejects with
 * `EVM_PROOF_INVALID` (the nodes do not hash up to `root`, are malformed or are not exactly the key's path),
 * `EVM_PROOF_NOT_FOUND` (the trie provably has no receipt at `index`) or `EVM_RECEIPT_MALFORMED`.
 */
export async function verifyReceiptProof(
  root: Uint8Array,
  index: number,
  proof: readonly Uint8Array[],
): Promise<{ encoded: Uint8Array; receipt: Receipt }> {
  const key = receiptKey(index)
  if (!(root instanceof Uint8Array) || root.length !== 32) fail(EVM_PROOF_INVALID, 'receiptsRoot must be 32 bytes')
  if (!Array.isArray(proof) || !proof.every((n) => n instanceof Uint8Array && n.length > 0)) {
    fail(EVM_PROOF_INVALID, 'proof must be a list of non-empty byte strings')
  }
  if (proof.length === 0) {
    if (equalBytes(root, EMPTY_TRIE_ROOT)) {
      fail(EVM_PROOF_NOT_FOUND, `no receipt at index ${index}: the block has no transactions`, { index })
    }
    fail(EVM_PROOF_INVALID, 'proof is empty')
  }
  // Every node on the path consumes at least one nibble of the key, except a leaf that may consume none.
  const maxNodes = key.length * 2 + 1
  if (proof.length > maxNodes) {
    fail(EVM_PROOF_INVALID, `proof has ${proof.length} nodes; a path to this key has at most ${maxNodes}`, { index })
  }
  if (!equalBytes(keccak_256(proof[0]!), root)) fail(EVM_PROOF_INVALID, 'proof does not start at receiptsRoot')

  let value: Uint8Array | null
  try {
    // The nodes go into a scratch store keyed by their own keccak256, and the walk starts at `root` and follows
    // hash references only, so a node that is not the one committed to is simply not found.
    const trie = await createMPTFromProof([...proof], { root, useKeyHashing: false })
    value = await trie.get(key, true)
    // The proof must be exactly the key's path, no extra or reordered nodes: one proof per receipt, no malleability.
    const path = await createMerkleProof(trie, key)
    if (path.length !== proof.length || !path.every((node, i) => equalBytes(node, proof[i]!))) {
      fail(EVM_PROOF_INVALID, 'proof holds nodes that are not on the path of this index', { index })
    }
  } catch (e) {
    if (e instanceof CausewayError) throw e
    fail(EVM_PROOF_INVALID, `proof does not verify against receiptsRoot for index ${index}`, { index }, e)
  }
  if (value === null) fail(EVM_PROOF_NOT_FOUND, `the trie has no receipt at index ${index}`, { index })
  let receipt: Receipt
  try {
    receipt = decodeReceipt(value)
  } catch (e) {
    fail(EVM_RECEIPT_MALFORMED, `the proven value at index ${index} is not a receipt`, { index }, e)
  }
  return { encoded: value, receipt }
}
