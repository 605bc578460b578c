// Receipts as the node stores and serves them (StoredReceipt, sidechain/node/api.ts): built from an executed
// block, encoded compactly for `level` (per block, one RLP list), and decoded with their block context.
import type { Block } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, createContractAddress } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'
import type { StoredLog, StoredReceipt } from '../node/api.js'
import type { ExecutedTx } from '../exec/execute.js'

/** Receipts of an executed block, with logs numbered across the block. */
export function receiptsOfBlock(block: Block, executed: readonly ExecutedTx[]): StoredReceipt[] {
  const blockHash = block.hash()
  const blockNumber = block.header.number
  const baseFee = block.header.baseFeePerGas ?? 0n
  let logIndex = 0
  return executed.map(({ tx, result, gasUsed }, transactionIndex) => {
    const receipt = result.receipt as typeof result.receipt & { status?: 0 | 1 }
    const transactionHash = tx.hash()
    const from = tx.getSenderAddress().bytes
    const logs = placeLogs(receipt.logs, { blockNumber, blockHash, transactionHash, transactionIndex }, logIndex)
    logIndex += logs.length
    const to = tx.to?.bytes
    return {
      transactionHash,
      transactionIndex,
      blockHash,
      blockNumber,
      from,
      to,
      contractAddress: to === undefined ? createContractAddress(tx.getSenderAddress(), tx.nonce).bytes : undefined,
      cumulativeGasUsed: receipt.cumulativeBlockGasUsed,
      gasUsed,
      effectiveGasPrice: effectiveGasPrice(tx, baseFee),
      status: receipt.status ?? 1,
      logsBloom: receipt.bitvector,
      logs,
      type: tx.type,
    }
  })
}

/** What a transaction paid per gas in a block with this base fee (EIP-1559). */
export function effectiveGasPrice(tx: Block['transactions'][number], baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx && typeof tx.maxFeePerGas === 'bigint') {
    const tip = tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFee ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFee
    return baseFee + tip
  }
  return (tx as unknown as { gasPrice: bigint }).gasPrice
}

const big = (b: Uint8Array): bigint => bytesToBigInt(b)
const num = (n: bigint | number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n))

// Stored per receipt: [type, status, cumulativeGasUsed, gasUsed, effectiveGasPrice, from, to, contractAddress,
// bloom, logs: [[address, [topics], data]…]]. Hashes, numbers and indexes come from the block when decoding.
export function encodeBlockReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  return RLP.encode(
    receipts.map((r) => [
      num(r.type),
      num(r.status),
      num(r.cumulativeGasUsed),
      num(r.gasUsed),
      num(r.effectiveGasPrice),
      r.from,
      r.to ?? new Uint8Array(0),
      r.contractAddress ?? new Uint8Array(0),
      r.logsBloom,
      r.logs.map((l) => [l.address, l.topics as Uint8Array[], l.data]),
    ]),
  )
}

export function decodeBlockReceipts(bytes: Uint8Array, block: Block): StoredReceipt[] {
  const list = RLP.decode(bytes) as unknown as Uint8Array[][]
  if (!Array.isArray(list) || list.length !== block.transactions.length) {
    throw new CausewayError('NODE_STORE_CORRUPT', `stored receipts of block ${block.header.number} do not match its transactions`)
  }
  const blockHash = block.hash()
  const blockNumber = block.header.number
  let logIndex = 0
  return list.map((item, transactionIndex) => {
    const [type, status, cumulative, gasUsed, price, from, to, contract, bloom, logs] = item as unknown as [
      Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, [Uint8Array, Uint8Array[], Uint8Array][],
    ]
    const transactionHash = block.transactions[transactionIndex]!.hash()
    const firstLog = logIndex
    logIndex += logs.length
    return {
      transactionHash,
      transactionIndex,
      blockHash,
      blockNumber,
      from,
      to: to.length === 0 ? undefined : to,
      contractAddress: contract.length === 0 ? undefined : contract,
      cumulativeGasUsed: big(cumulative),
      gasUsed: big(gasUsed),
      effectiveGasPrice: big(price),
      status: Number(big(status)) as 0 | 1,
      logsBloom: bloom,
      logs: placeLogs(logs, { blockNumber, blockHash, transactionHash, transactionIndex }, firstLog),
      type: Number(big(type)),
    }
  })
}

/** Raw [address, topics, data] logs placed in their block: the block-wide index counts on from `firstIndex`. */
function placeLogs(
  raw: readonly (readonly [Uint8Array, Uint8Array[], Uint8Array])[],
  place: Pick<StoredLog, 'blockNumber' | 'blockHash' | 'transactionHash' | 'transactionIndex'>,
  firstIndex: number,
): StoredLog[] {
  return raw.map(([address, topics, data], i) => ({ address, topics, data, ...place, logIndex: firstIndex + i }))
}
