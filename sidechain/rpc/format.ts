// ethereumjs blocks and transactions and the node's stored receipts and logs as JSON-RPC objects, field for field
// as geth writes them (hex quantities without leading zeros, lower-case DATA), which is what ethers v6 and viem read.
import type { Block, BlockHeader } from '@ethereumjs/block'
import {
  isAccessList2930Tx,
  isBlob4844Tx,
  isEOACode7702Tx,
  isFeeMarket1559Tx,
  isLegacyTx,
  type TypedTransaction,
} from '@ethereumjs/tx'
import { bytesToBigIntBE, toHex, toQuantity, type Hex } from '../../spv/base/bytes.js'
import type { StoredLog, StoredReceipt } from '../node/api.js'
import { serialized } from '../chain/block-bytes.js'

export interface RpcLog {
  readonly address: Hex
  readonly topics: readonly Hex[]
  readonly data: Hex
  readonly blockNumber: Hex
  readonly transactionHash: Hex
  readonly transactionIndex: Hex
  readonly blockHash: Hex
  readonly logIndex: Hex
  /** Always false: final blocks are never reverted, and the RPC serves no reorged-out logs. */
  readonly removed: boolean
}

export interface RpcReceipt {
  readonly blockHash: Hex
  readonly blockNumber: Hex
  readonly transactionHash: Hex
  readonly transactionIndex: Hex
  readonly from: Hex
  readonly to: Hex | null
  readonly gasUsed: Hex
  readonly cumulativeGasUsed: Hex
  readonly contractAddress: Hex | null
  readonly logs: readonly RpcLog[]
  readonly logsBloom: Hex
  readonly type: Hex
  readonly effectiveGasPrice: Hex
  readonly status: Hex
}

export type RpcTransaction = Readonly<Record<string, unknown>> & { readonly hash: Hex }
export type RpcHeader = Readonly<Record<string, unknown>> & { readonly hash: Hex; readonly number: Hex }
export type RpcBlock = RpcHeader & { readonly transactions: readonly (Hex | RpcTransaction)[] }

/** Where a transaction sits; absent for a pending one. `baseFee` gives the effective gas price of EIP-1559 txs. */
export interface TxPlace {
  readonly blockHash: Uint8Array
  readonly blockNumber: bigint
  readonly index: number
  readonly baseFeePerGas: bigint | undefined
}

export function formatLog(log: StoredLog): RpcLog {
  return {
    address: toHex(log.address),
    topics: log.topics.map(toHex),
    data: toHex(log.data),
    blockNumber: toQuantity(log.blockNumber),
    transactionHash: toHex(log.transactionHash),
    transactionIndex: toQuantity(log.transactionIndex),
    blockHash: toHex(log.blockHash),
    logIndex: toQuantity(log.logIndex),
    removed: false,
  }
}

export function formatReceipt(r: StoredReceipt): RpcReceipt {
  return {
    blockHash: toHex(r.blockHash),
    blockNumber: toQuantity(r.blockNumber),
    transactionHash: toHex(r.transactionHash),
    transactionIndex: toQuantity(r.transactionIndex),
    from: toHex(r.from),
    to: r.to === undefined ? null : toHex(r.to),
    gasUsed: toQuantity(r.gasUsed),
    cumulativeGasUsed: toQuantity(r.cumulativeGasUsed),
    contractAddress: r.contractAddress === undefined ? null : toHex(r.contractAddress),
    logs: r.logs.map(formatLog),
    logsBloom: toHex(r.logsBloom),
    type: toQuantity(r.type),
    effectiveGasPrice: toQuantity(r.effectiveGasPrice),
    status: toQuantity(r.status),
  }
}

/** The header fields of a block, as geth's RPCMarshalHeader (and so `newHeads` notifications) carries them. */
export function formatHeader(h: BlockHeader): RpcHeader {
  const out: Record<string, unknown> = {
    number: toQuantity(h.number),
    hash: toHex(h.hash()),
    parentHash: toHex(h.parentHash),
    nonce: toHex(h.nonce),
    mixHash: toHex(h.mixHash),
    sha3Uncles: toHex(h.uncleHash),
    logsBloom: toHex(h.logsBloom),
    transactionsRoot: toHex(h.transactionsTrie),
    stateRoot: toHex(h.stateRoot),
    receiptsRoot: toHex(h.receiptTrie),
    miner: toHex(h.coinbase.bytes),
    difficulty: toQuantity(h.difficulty),
    extraData: toHex(h.extraData),
    gasLimit: toQuantity(h.gasLimit),
    gasUsed: toQuantity(h.gasUsed),
    timestamp: toQuantity(h.timestamp),
  }
  // Fork-dependent fields appear only when the header has them (all of them under Prague).
  if (h.baseFeePerGas !== undefined) out['baseFeePerGas'] = toQuantity(h.baseFeePerGas)
  if (h.withdrawalsRoot !== undefined) out['withdrawalsRoot'] = toHex(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) out['blobGasUsed'] = toQuantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) out['excessBlobGas'] = toQuantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) out['parentBeaconBlockRoot'] = toHex(h.parentBeaconBlockRoot)
  if (h.requestsHash !== undefined) out['requestsHash'] = toHex(h.requestsHash)
  return out as RpcHeader
}

/** A whole block: header fields plus size, transactions (hashes, or full objects when `full`), uncles, withdrawals. */
export function formatBlock(block: Block, full: boolean): RpcBlock {
  const header = block.header
  const hash = header.hash()
  const out: Record<string, unknown> = {
    ...formatHeader(header),
    // Post-merge geth dropped it; older tools still read it, and a federated chain has no difficulty.
    totalDifficulty: '0x0',
    size: toQuantity(serialized(block).length),
    uncles: block.uncleHeaders.map((u) => toHex(u.hash())),
    transactions: block.transactions.map((tx, index) =>
      full
        ? formatTransaction(tx, { blockHash: hash, blockNumber: header.number, index, baseFeePerGas: header.baseFeePerGas })
        : toHex(tx.hash()),
    ),
  }
  if (block.withdrawals !== undefined) {
    out['withdrawals'] = block.withdrawals.map((w) => ({
      index: toQuantity(w.index),
      validatorIndex: toQuantity(w.validatorIndex),
      address: toHex(w.address.bytes),
      amount: toQuantity(w.amount),
    }))
  }
  return out as RpcBlock
}

/**
 * A transaction as geth's RPCTransaction: `gasPrice` is the price actually paid for EIP-1559 types in a block
 * (min(maxFee, baseFee + tip)), and maxFeePerGas while pending; typed transactions carry v = yParity.
 */
export function formatTransaction(tx: TypedTransaction, place: TxPlace | undefined): RpcTransaction {
  const out: Record<string, unknown> = {
    blockHash: place === undefined ? null : toHex(place.blockHash),
    blockNumber: place === undefined ? null : toQuantity(place.blockNumber),
    from: toHex(tx.getSenderAddress().bytes),
    gas: toQuantity(tx.gasLimit),
    gasPrice: toQuantity(gasPriceOf(tx, place)),
    hash: toHex(tx.hash()),
    input: toHex(tx.data),
    nonce: toQuantity(tx.nonce),
    to: tx.to === undefined ? null : toHex(tx.to.bytes),
    transactionIndex: place === undefined ? null : toQuantity(place.index),
    value: toQuantity(tx.value),
    type: toQuantity(tx.type),
  }
  if (isLegacyTx(tx)) {
    const v = tx.v ?? 0n
    // EIP-155: v = chainId * 2 + 35 + yParity; unprotected (v = 27/28) transactions have no chain id.
    if (v >= 35n) out['chainId'] = toQuantity((v - 35n) / 2n)
  } else {
    out['chainId'] = toQuantity(tx.chainId)
    out['accessList'] = tx.accessList.map(([address, keys]) => ({ address: toHex(address), storageKeys: keys.map(toHex) }))
    if (!isAccessList2930Tx(tx)) {
      out['maxFeePerGas'] = toQuantity(tx.maxFeePerGas)
      out['maxPriorityFeePerGas'] = toQuantity(tx.maxPriorityFeePerGas)
    }
    if (isBlob4844Tx(tx)) {
      out['maxFeePerBlobGas'] = toQuantity(tx.maxFeePerBlobGas)
      out['blobVersionedHashes'] = [...tx.blobVersionedHashes]
    }
    if (isEOACode7702Tx(tx)) {
      out['authorizationList'] = tx.authorizationList.map(([chainId, address, nonce, yParity, r, s]) => ({
        chainId: toQuantity(bytesToBigIntBE(chainId)),
        address: toHex(address),
        nonce: toQuantity(bytesToBigIntBE(nonce)),
        yParity: toQuantity(bytesToBigIntBE(yParity)),
        r: toQuantity(bytesToBigIntBE(r)),
        s: toQuantity(bytesToBigIntBE(s)),
      }))
    }
  }
  out['v'] = toQuantity(tx.v ?? 0n)
  out['r'] = toQuantity(tx.r ?? 0n)
  out['s'] = toQuantity(tx.s ?? 0n)
  if (!isLegacyTx(tx)) out['yParity'] = toQuantity(tx.v ?? 0n)
  return out as RpcTransaction
}

/** The gas price a transaction pays (or offers, while pending). */
export function gasPriceOf(tx: TypedTransaction, place: TxPlace | undefined): bigint {
  if (isLegacyTx(tx) || isAccessList2930Tx(tx)) return tx.gasPrice
  if (isFeeMarket1559Tx(tx) || isBlob4844Tx(tx) || isEOACode7702Tx(tx)) {
    const baseFee = place?.baseFeePerGas
    if (baseFee === undefined) return tx.maxFeePerGas
    const offered = baseFee + tx.maxPriorityFeePerGas
    return offered < tx.maxFeePerGas ? offered : tx.maxFeePerGas
  }
  return 0n
}
