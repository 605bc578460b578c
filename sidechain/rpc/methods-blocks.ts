// JSON-RPC methods that read the chain: blocks, their transactions and receipts. As in geth, a block or
// transaction the node does not have is a null result, not an error (ethers reads null as "not found").
import type { Block } from '@ethereumjs/block'
import { isAccessList2930Tx, isLegacyTx } from '@ethereumjs/tx'
import { isCausewayError } from '../../spv/base/errors.js'
import { toHex, toQuantity } from '../../spv/base/bytes.js'
import type { RpcContext, RpcMethod } from './context.js'
import { formatBlock, formatReceipt, formatTransaction, type RpcTransaction } from './format.js'
import { blockRef, blockTag, bool, hash, positional, quantityNumber, type BlockRef } from './params.js'

/** The block a ref names, or undefined when the node has none (a number past the head, an unknown hash). */
export async function blockOf(ctx: RpcContext, ref: BlockRef): Promise<Block | undefined> {
  if (typeof ref === 'object') return ctx.api.getBlockByHash(ref.hash)
  let number: bigint
  try {
    number = ctx.api.resolveBlockTag(ref)
  } catch (e) {
    if (isCausewayError(e, 'RPC_UNKNOWN_BLOCK')) return undefined
    throw e
  }
  return ctx.api.getBlock(number)
}

function txInBlock(block: Block, index: number): RpcTransaction | null {
  const tx = block.transactions[index]
  if (tx === undefined) return null
  const h = block.header
  return formatTransaction(tx, { blockHash: block.hash(), blockNumber: h.number, index, baseFeePerGas: h.baseFeePerGas })
}

const getBlockByNumber: RpcMethod = async (params, ctx) => {
  const [tag, full] = positional(params, ['block', 'full transactions'], 1)
  const block = await blockOf(ctx, blockTag(tag, 'block'))
  return block === undefined ? null : formatBlock(block, full === undefined ? false : bool(full, 'full transactions'))
}

const getBlockByHash: RpcMethod = async (params, ctx) => {
  const [h, full] = positional(params, ['block hash', 'full transactions'], 1)
  const block = await ctx.api.getBlockByHash(hash(h, 'block hash'))
  return block === undefined ? null : formatBlock(block, full === undefined ? false : bool(full, 'full transactions'))
}

const txCountByNumber: RpcMethod = async (params, ctx) => {
  const [tag] = positional(params, ['block'], 1)
  const block = await blockOf(ctx, blockTag(tag, 'block'))
  return block === undefined ? null : toQuantity(block.transactions.length)
}

const txCountByHash: RpcMethod = async (params, ctx) => {
  const [h] = positional(params, ['block hash'], 1)
  const block = await ctx.api.getBlockByHash(hash(h, 'block hash'))
  return block === undefined ? null : toQuantity(block.transactions.length)
}

/** A federated chain has no uncles: 0 for a known block, null for an unknown one. */
const uncleCountByNumber: RpcMethod = async (params, ctx) => {
  const [tag] = positional(params, ['block'], 1)
  return (await blockOf(ctx, blockTag(tag, 'block'))) === undefined ? null : '0x0'
}

const uncleCountByHash: RpcMethod = async (params, ctx) => {
  const [h] = positional(params, ['block hash'], 1)
  return (await ctx.api.getBlockByHash(hash(h, 'block hash'))) === undefined ? null : '0x0'
}

const getTransactionByHash: RpcMethod = async (params, ctx) => {
  const [h] = positional(params, ['transaction hash'], 1)
  const found = await ctx.api.getTransaction(hash(h, 'transaction hash'))
  if (found === undefined) return null
  const { tx, blockHash, blockNumber, index } = found
  if (blockHash === undefined || blockNumber === undefined || index === undefined) return formatTransaction(tx, undefined)
  // The effective gas price of an EIP-1559 transaction depends on its block's base fee.
  const needsBaseFee = !isLegacyTx(tx) && !isAccessList2930Tx(tx)
  const baseFeePerGas = needsBaseFee ? (await ctx.api.getBlockByHash(blockHash))?.header.baseFeePerGas : undefined
  return formatTransaction(tx, { blockHash, blockNumber, index, baseFeePerGas })
}

const getRawTransactionByHash: RpcMethod = async (params, ctx) => {
  const [h] = positional(params, ['transaction hash'], 1)
  const found = await ctx.api.getTransaction(hash(h, 'transaction hash'))
  return found === undefined ? null : toHex(found.tx.serialize())
}

const txByNumberAndIndex: RpcMethod = async (params, ctx) => {
  const [tag, i] = positional(params, ['block', 'index'], 2)
  const index = quantityNumber(i, 'index')
  const block = await blockOf(ctx, blockTag(tag, 'block'))
  return block === undefined ? null : txInBlock(block, index)
}

const txByHashAndIndex: RpcMethod = async (params, ctx) => {
  const [h, i] = positional(params, ['block hash', 'index'], 2)
  const index = quantityNumber(i, 'index')
  const block = await ctx.api.getBlockByHash(hash(h, 'block hash'))
  return block === undefined ? null : txInBlock(block, index)
}

const getTransactionReceipt: RpcMethod = async (params, ctx) => {
  const [h] = positional(params, ['transaction hash'], 1)
  const receipt = await ctx.api.getReceipt(hash(h, 'transaction hash'))
  return receipt === undefined ? null : formatReceipt(receipt)
}

const getBlockReceipts: RpcMethod = async (params, ctx) => {
  const [ref] = positional(params, ['block'], 1)
  const block = await blockOf(ctx, blockRef(ref, 'block'))
  if (block === undefined) return null
  const receipts = await ctx.api.getBlockReceipts(block.header.number)
  return receipts === undefined ? null : receipts.map(formatReceipt)
}

export const blockMethods: Readonly<Record<string, RpcMethod>> = {
  eth_blockNumber: (params, ctx) => {
    positional(params, [], 0)
    return toQuantity(ctx.api.blockNumber())
  },
  eth_getBlockByNumber: getBlockByNumber,
  eth_getBlockByHash: getBlockByHash,
  eth_getBlockTransactionCountByNumber: txCountByNumber,
  eth_getBlockTransactionCountByHash: txCountByHash,
  eth_getUncleCountByBlockNumber: uncleCountByNumber,
  eth_getUncleCountByBlockHash: uncleCountByHash,
  eth_getUncleByBlockNumberAndIndex: () => null,
  eth_getUncleByBlockHashAndIndex: () => null,
  eth_getTransactionByHash: getTransactionByHash,
  eth_getRawTransactionByHash: getRawTransactionByHash,
  eth_getTransactionByBlockNumberAndIndex: txByNumberAndIndex,
  eth_getTransactionByBlockHashAndIndex: txByHashAndIndex,
  eth_getTransactionReceipt: getTransactionReceipt,
  eth_getBlockReceipts: getBlockReceipts,
}
