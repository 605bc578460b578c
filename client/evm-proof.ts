// Receipt proofs of the vault's logs, as anyone registers them with the bridge (PROTOCOL.md, decisions 9 and 10):
// for a main-chain transaction, its block's header checked against its hash, all the block's receipts checked
// against the header's receiptsRoot, the proof of the transaction's receipt (verified again before it is handed
// out), and for each of the vault's Deposit (or Withdrawn) logs in it the exact arguments of registerEvmDeposit
// (or registerEvmWithdrawal), the decoded event and, for a deposit, the id the bridge will derive.
import { equalBytes, hexToBytes, toHex, type Hex } from '../spv/base/bytes.js'
import { fail } from '../spv/base/errors.js'
import { createReceiptProof, verifyReceiptProof, type Receipt } from '../spv/evm/index.js'
import { decodeDepositLog, decodeWithdrawnLog, depositId, DEPOSIT_TOPIC, WITHDRAWN_TOPIC, type VaultDeposit, type VaultWithdrawn } from '../peg/evm/index.js'
import { fetchEvmHeader, type FetchedEvmHeader } from './evm-header.js'
import { fetchBlockReceipts } from './evm-receipts.js'
import { CLIENT_EVM_NO_VAULT_LOG, CLIENT_EVM_RECEIPTS_MISMATCH, objectOrNotFound, rpcCall, type EvmRpc } from './evm-rpc.js'

/** registerEvmDeposit / registerEvmWithdrawal's arguments: (mainChainId, rlpHeader, txIndex, receiptProof, logIndex). */
export type EvmRegisterArgs = readonly [mainChainId: bigint, rlpHeader: Hex, txIndex: bigint, receiptProof: readonly Hex[], logIndex: bigint]

export interface VaultLogTarget {
  readonly mainChainId: bigint
  /** The vault's 20-byte address. */
  readonly vault: Uint8Array
}

export interface DepositProof {
  readonly args: EvmRegisterArgs
  readonly deposit: VaultDeposit
  /** What the bridge derives: keccak(mainChainId, vault, blockHash, txIndex, logIndex) (peg/evm ids.ts). */
  readonly depositId: Uint8Array
  readonly blockHash: Uint8Array
  readonly blockNumber: bigint
}

export interface WithdrawnProof {
  readonly args: EvmRegisterArgs
  readonly withdrawn: VaultWithdrawn
  readonly blockHash: Uint8Array
  readonly blockNumber: bigint
}

/** A block whose header and receipts were both checked: what every proof of it is built from. */
export interface CheckedBlock {
  readonly block: FetchedEvmHeader
  readonly receipts: readonly Receipt[]
}

/** The block a transaction was mined in, header and receipts checked, and the transaction's index in it. */
export async function fetchCheckedBlockOfTx(client: EvmRpc, txHash: Hex): Promise<CheckedBlock & { readonly txIndex: number }> {
  const receipt = objectOrNotFound(await rpcCall(client, 'eth_getTransactionReceipt', [txHash]), `receipt of ${txHash}`)
  const blockHash = hexToBytes(String(receipt['blockHash']), 'block hash', 32)
  const checked = await fetchCheckedBlock(client, blockHash)
  const txIndex = checked.block.transactions.indexOf(txHash.toLowerCase() as Hex)
  if (txIndex < 0 || txIndex !== Number(receipt['transactionIndex'])) {
    fail(CLIENT_EVM_RECEIPTS_MISMATCH, `transaction ${txHash} is not at index ${String(receipt['transactionIndex'])} of block ${toHex(blockHash)}`)
  }
  return { ...checked, txIndex }
}

/** A block by hash with its header and all its receipts checked. */
export async function fetchCheckedBlock(client: EvmRpc, blockHash: Uint8Array): Promise<CheckedBlock> {
  const block = await fetchEvmHeader(client, { hash: blockHash })
  const { receipts } = await fetchBlockReceipts(client, block)
  return { block, receipts }
}

/** The receipt-local indexes of the logs the vault emitted with `topic` in one receipt. */
export function vaultLogIndexes(receipt: Receipt, vault: Uint8Array, topic: Uint8Array): number[] {
  const out: number[] = []
  receipt.logs.forEach((l, i) => {
    if (equalBytes(l.address, vault) && l.topics.length > 0 && equalBytes(l.topics[0]!, topic)) out.push(i)
  })
  return out
}

async function provenArgs(c: CheckedBlock, txIndex: number, logIndex: number, t: VaultLogTarget): Promise<EvmRegisterArgs> {
  const proof = await createReceiptProof(c.receipts, txIndex)
  // Verified as the bridge will: a proof that does not check here never leaves.
  await verifyReceiptProof(c.block.header.receiptsRoot, txIndex, proof)
  return [t.mainChainId, toHex(c.block.rlp), BigInt(txIndex), proof.map((n) => toHex(n)), BigInt(logIndex)] as const
}

/** The deposit proofs of every vault Deposit log in transaction `txIndex` of a checked block (none: an empty list). */
export async function depositProofsAt(c: CheckedBlock, txIndex: number, t: VaultLogTarget): Promise<DepositProof[]> {
  const receipt = c.receipts[txIndex]!
  const out: DepositProof[] = []
  for (const logIndex of vaultLogIndexes(receipt, t.vault, DEPOSIT_TOPIC)) {
    const deposit = decodeDepositLog(receipt.logs[logIndex]!, t.vault)
    const args = await provenArgs(c, txIndex, logIndex, t)
    out.push({ args, deposit, depositId: depositId(t.mainChainId, t.vault, c.block.hash, txIndex, logIndex), blockHash: c.block.hash, blockNumber: c.block.number })
  }
  return out
}

/** The withdrawal proofs of every vault Withdrawn log in transaction `txIndex` of a checked block. */
export async function withdrawnProofsAt(c: CheckedBlock, txIndex: number, t: VaultLogTarget): Promise<WithdrawnProof[]> {
  const receipt = c.receipts[txIndex]!
  const out: WithdrawnProof[] = []
  for (const logIndex of vaultLogIndexes(receipt, t.vault, WITHDRAWN_TOPIC)) {
    const withdrawn = decodeWithdrawnLog(receipt.logs[logIndex]!, t.vault)
    out.push({ args: await provenArgs(c, txIndex, logIndex, t), withdrawn, blockHash: c.block.hash, blockNumber: c.block.number })
  }
  return out
}

/** The deposit proofs of a transaction; CLIENT_EVM_NO_VAULT_LOG when it has no vault Deposit log. */
export async function proveEvmDeposit(client: EvmRpc, txHash: Hex, t: VaultLogTarget): Promise<DepositProof[]> {
  const c = await fetchCheckedBlockOfTx(client, txHash)
  const out = await depositProofsAt(c, c.txIndex, t)
  if (out.length === 0) fail(CLIENT_EVM_NO_VAULT_LOG, `transaction ${txHash} has no Deposit log of the vault ${toHex(t.vault)}`)
  return out
}

/** The withdrawal proofs of a transaction; CLIENT_EVM_NO_VAULT_LOG when it has no vault Withdrawn log. */
export async function proveEvmWithdrawal(client: EvmRpc, txHash: Hex, t: VaultLogTarget): Promise<WithdrawnProof[]> {
  const c = await fetchCheckedBlockOfTx(client, txHash)
  const out = await withdrawnProofsAt(c, c.txIndex, t)
  if (out.length === 0) fail(CLIENT_EVM_NO_VAULT_LOG, `transaction ${txHash} has no Withdrawn log of the vault ${toHex(t.vault)}`)
  return out
}
