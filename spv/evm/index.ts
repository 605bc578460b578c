// Public face of the EVM half of the SPV layer: block headers and their hashes for every fork up to Prague,
// receipts in their consensus encoding, and Merkle-Patricia proofs of a receipt against `receiptsRoot`.
export {
  EVM_BAD_HEADER,
  type EvmHeader,
  type EvmHeaderLayout,
  decodeEvmHeader,
  encodeEvmHeader,
  evmHeaderFromRpc,
  evmHeaderHash,
  evmHeaderLayout,
} from './header.js'
export {
  EVM_RECEIPT_MALFORMED,
  RECEIPT_TYPES,
  type Receipt,
  type ReceiptLog,
  decodeReceipt,
  encodeReceipt,
  receiptFromRpc,
} from './receipt.js'
export {
  EMPTY_TRIE_ROOT,
  EVM_BAD_INDEX,
  EVM_PROOF_INVALID,
  EVM_PROOF_NOT_FOUND,
  createReceiptProof,
  receiptKey,
  receiptsRoot,
  verifyReceiptProof,
} from './receipt-proof.js'
export { orderedTrieRoot, trieRoot } from './ordered-trie.js'
