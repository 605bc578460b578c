// Bitcoin transaction ids and the checks a transaction must pass before it counts as peg-in evidence, with a
// merkle proof tying it to a block. Decoding is bitcoinjs-lib's; this file adds strictness and error codes.
import { Transaction } from 'bitcoinjs-lib'
import { equalBytes } from '../base/bytes.js'
import { fail } from '../base/errors.js'
import { hash256 } from './hash.js'
import { verifyTxOutProof } from './merkleblock.js'

/**
 * Parses a raw transaction (with or without witness data). Throws SPV_TX_MALFORMED when the bytes are not
 * exactly one transaction: truncated, trailing bytes, a witness flag with no witness (Core's "Superfluous
 * witness record"), or a non-canonical CompactSize (Core refuses those, and the txid of the re-encoded form
 * would not be the hash of these bytes).
 */
export function parseTransaction(raw: Uint8Array): Transaction {
  if (!(raw instanceof Uint8Array)) fail('SPV_TX_MALFORMED', 'transaction: expected a Uint8Array')
  let tx: Transaction
  try {
    tx = Transaction.fromBuffer(raw) // strict: trailing bytes are an error
  } catch (e) {
    fail('SPV_TX_MALFORMED', `malformed transaction: ${e instanceof Error ? e.message : String(e)}`, { length: raw.length }, e)
  }
  if (tx.byteLength(true) !== raw.length) {
    fail('SPV_TX_MALFORMED', 'malformed transaction: non-canonical encoding', { length: raw.length })
  }
  return tx
}

/** The txid: hash256 of the serialization without witness data, internal byte order. */
export function txid(rawTx: Uint8Array): Uint8Array {
  return parseTransaction(rawTx).getHash(false)
}

/**
 * The wtxid (BIP141): hash256 of the full serialization, internal byte order; equal to the txid for a
 * transaction without witness. For a coinbase this is its real hash, as Core's GetWitnessHash and the `hash`
 * field of `getrawtransaction` give it; the block's witness commitment uses zero in its place instead.
 */
export function wtxid(rawTx: Uint8Array): Uint8Array {
  parseTransaction(rawTx)
  return hash256(rawTx)
}

/**
 * Checks that a transaction can serve as peg-in evidence and returns it parsed. A transaction whose
 * serialization without witness is exactly 64 bytes is refused (SPV_TX_64_BYTES): its txid is hash256 of 64
 * bytes, just like an inner merkle node (hash256 of two 32-byte children), so a merkle proof could present an
 * inner node as a leaf and "prove" a transaction that is not in the block (CVE-2017-12842; Core's policy refuses
 * them, MIN_STANDARD_TX_NONWITNESS_SIZE, and BIP54 proposes to make them invalid).
 */
export function assertPegEvidenceTx(raw: Uint8Array): Transaction {
  const tx = parseTransaction(raw)
  if (tx.byteLength(false) === 64) {
    fail('SPV_TX_64_BYTES', 'a transaction of 64 bytes (without witness) cannot be proven by a merkle proof')
  }
  return tx
}

export interface TxInclusion {
  /** hash256 of the block header, internal byte order. */
  readonly blockHash: Uint8Array
  /** The transaction's txid, internal byte order. */
  readonly txid: Uint8Array
  /** Its position in the block. */
  readonly index: number
  /** The header's merkle root, internal byte order. */
  readonly merkleRoot: Uint8Array
}

/**
 * Verifies that `rawTx` is in the block of `proof` (a `gettxoutproof` answer); with `expectedHeader`, the
 * proof must be for that header. The transaction must be among the proof's matched transactions
 * (SPV_PROOF_TX_NOT_MATCHED otherwise).
 */
export function verifyTxInProof(rawTx: Uint8Array, proof: Uint8Array, expectedHeader?: Uint8Array): TxInclusion {
  const id = assertPegEvidenceTx(rawTx).getHash(false)
  const { blockHash, merkleRoot, matches } = verifyTxOutProof(proof, expectedHeader)
  for (const m of matches) {
    if (equalBytes(m.txid, id)) return { blockHash, txid: id, index: m.index, merkleRoot }
  }
  fail('SPV_PROOF_TX_NOT_MATCHED', 'the proof does not prove this transaction', { matches: matches.length })
}
