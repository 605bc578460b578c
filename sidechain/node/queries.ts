// The node's read side: blocks, transactions, receipts, logs, state at a block, fees, and the supply audit —
// free functions over the block store, the state reader and the pool, which NodeApi's query methods call.
import type { Block } from '@ethereumjs/block'
import { fail } from '../../spv/base/errors.js'
import type { ChainStore } from '../chain/chain-store.js'
import { nextBaseFee, type ChainParams } from '../chain/params.js'
import { supplyReport } from '../chain/supply.js'
import type { Mempool } from '../mempool/mempool.js'
import type { AccountProof, BlockTag, CallRequest, CallResult, FeeHistory, LogFilter, StoredLog, StoredReceipt, SupplyReport, TransactionLookup } from './api.js'
import type { StateReader } from './state-reader.js'

/** What the queries read: the store, the state at past blocks, the pool (pending lookups) and the bounds. */
export interface ChainView {
  readonly params: ChainParams
  readonly chain: ChainStore
  readonly reader: StateReader
  readonly mempool: Mempool
  /** Most logs one eth_getLogs may return, and the widest block range it may scan (NodeOptions). */
  readonly maxLogs?: number
  readonly maxLogRange?: bigint
}

export async function headBlock(chain: ChainStore): Promise<Block> {
  const b = await chain.getBlock(chain.head().number)
  if (b === undefined) fail('NODE_STORE_CORRUPT', 'the head block is missing')
  return b
}

export function resolveBlockTag(chain: ChainStore, tag: BlockTag): bigint {
  if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return chain.head().number
  if (tag === 'earliest') return 0n
  if (tag < 0n || tag > chain.head().number) fail('RPC_UNKNOWN_BLOCK', `block ${tag} is not known (head is ${chain.head().number})`)
  return tag
}

/** A final transaction with its place in the chain, else a pending one from the pool, else undefined. */
export async function getTransaction(v: ChainView, hash: Uint8Array): Promise<TransactionLookup | undefined> {
  const loc = await v.chain.txLocation(hash)
  if (loc !== undefined) {
    const block = await v.chain.getBlock(loc.number)
    const tx = block?.transactions[loc.index]
    if (block !== undefined && tx !== undefined) return { tx, blockHash: block.hash(), blockNumber: loc.number, index: loc.index }
  }
  const pending = v.mempool.get(hash)
  return pending === undefined ? undefined : { tx: pending.tx }
}

export async function getReceipt(chain: ChainStore, hash: Uint8Array): Promise<StoredReceipt | undefined> {
  const loc = await chain.txLocation(hash)
  if (loc === undefined) return undefined
  return (await chain.getReceipts(loc.number))?.[loc.index]
}

export function getLogs(v: ChainView, filter: LogFilter): Promise<readonly StoredLog[]> {
  const range = v.maxLogRange ?? 10_000n
  if (filter.toBlock - filter.fromBlock + 1n > range) {
    fail('RPC_LIMIT_EXCEEDED', `block range too wide: at most ${range} blocks per eth_getLogs`)
  }
  return v.chain.getLogs(filter, v.maxLogs ?? 10_000)
}

/** The state root of stored block `block` (RPC_UNKNOWN_BLOCK when there is none). */
export async function rootAt(chain: ChainStore, block: bigint): Promise<Uint8Array> {
  const b = await chain.getBlock(block)
  if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
  return b.header.stateRoot
}

export async function getBalance(v: ChainView, address: Uint8Array, block: bigint): Promise<bigint> {
  return (await v.reader.account(await rootAt(v.chain, block), address)).balance
}

export async function getCode(v: ChainView, address: Uint8Array, block: bigint): Promise<Uint8Array> {
  return v.reader.code(await rootAt(v.chain, block), address)
}

export async function getStorageAt(v: ChainView, address: Uint8Array, slot: Uint8Array, block: bigint): Promise<Uint8Array> {
  return v.reader.storage(await rootAt(v.chain, block), address, slot)
}

/** The nonce at `block`; at 'pending', the head's nonce carried past the sender's consecutive pending ones. */
export async function getTransactionCount(v: ChainView, address: Uint8Array, block: bigint | 'pending'): Promise<bigint> {
  const n = block === 'pending' ? v.chain.head().number : block
  const nonce = (await v.reader.account(await rootAt(v.chain, n), address)).nonce
  return block === 'pending' ? v.mempool.pendingNonce(address, nonce) : nonce
}

export async function call(v: ChainView, request: CallRequest, block: bigint): Promise<CallResult> {
  const b = await v.chain.getBlock(block)
  if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
  return v.reader.call(b, request)
}

export async function estimateGas(v: ChainView, request: CallRequest, block: bigint): Promise<bigint> {
  const b = await v.chain.getBlock(block)
  if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
  return v.reader.estimateGas(b, request)
}

export async function getProof(v: ChainView, address: Uint8Array, slots: readonly Uint8Array[], block: bigint): Promise<AccountProof> {
  return v.reader.proof(await rootAt(v.chain, block), address, slots)
}

export async function maxPriorityFeePerGas(): Promise<bigint> {
  // Every fee goes to the federation's fee address and blocks are rarely full: no tip is needed to be included.
  return 0n
}

export async function gasPrice(v: ChainView): Promise<bigint> {
  return nextBaseFee((await headBlock(v.chain)).header, v.params) + (await maxPriorityFeePerGas())
}

export async function feeHistory(v: ChainView, blockCount: number, newest: bigint, percentiles: readonly number[] | undefined): Promise<FeeHistory> {
  const { chain } = v
  const count = BigInt(Math.max(1, Math.min(blockCount, 1024)))
  const last = newest > chain.head().number ? chain.head().number : newest
  const first = last - count + 1n < 0n ? 0n : last - count + 1n
  const baseFeePerGas: bigint[] = []
  const gasUsedRatio: number[] = []
  const reward: bigint[][] = []
  let lastBlock: Block | undefined
  for (let n = first; n <= last; n++) {
    const b = await chain.getBlock(n)
    if (b === undefined) break
    lastBlock = b
    baseFeePerGas.push(b.header.baseFeePerGas ?? 0n)
    gasUsedRatio.push(Number(b.header.gasUsed) / Number(b.header.gasLimit))
    if (percentiles !== undefined) reward.push(await rewards(chain, b, percentiles))
  }
  if (lastBlock !== undefined) baseFeePerGas.push(nextBaseFee(lastBlock.header, v.params))
  return percentiles === undefined ? { oldestBlock: first, baseFeePerGas, gasUsedRatio } : { oldestBlock: first, baseFeePerGas, gasUsedRatio, reward }
}

/** The tips paid in `block` at each percentile of its gas used (eth_feeHistory's reward). */
async function rewards(chain: ChainStore, block: Block, percentiles: readonly number[]): Promise<bigint[]> {
  const receipts = (await chain.getReceipts(block.header.number)) ?? []
  const baseFee = block.header.baseFeePerGas ?? 0n
  const items = receipts.map((r) => ({ tip: r.effectiveGasPrice - baseFee, gas: r.gasUsed })).sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const total = items.reduce((s, i) => s + i.gas, 0n)
  return percentiles.map((p) => {
    if (items.length === 0) return 0n
    const threshold = (total * BigInt(Math.round(p * 100))) / 10_000n
    let acc = 0n
    for (const i of items) {
      acc += i.gas
      if (acc >= threshold) return i.tip
    }
    return items[items.length - 1]!.tip
  })
}

export async function supply(chain: ChainStore): Promise<SupplyReport> {
  return supplyReport(await chain.supply())
}

/** Every balance in the state at `block` summed: the native coin that exists there. */
export async function nativeSupply(v: ChainView, block: bigint): Promise<{ wei: bigint; accounts: number }> {
  const { sum, accounts } = await v.reader.sumOfBalances(await rootAt(v.chain, block))
  return { wei: sum, accounts }
}

/** The audit's view: supply as accounted against the sum of every balance in the head state. */
export async function audit(v: ChainView): Promise<{ supply: SupplyReport; sumOfBalances: bigint; accounts: number; head: bigint }> {
  const head = v.chain.head().number
  const report = await supply(v.chain)
  const { sum, accounts } = await v.reader.sumOfBalances(await rootAt(v.chain, head))
  return { supply: report, sumOfBalances: sum, accounts, head }
}
