// What the node offers its edges (Ethereum JSON-RPC, REST, metrics): one interface, so the RPC layer depends on
// this and not on how the node stores, executes or agrees on blocks. Bytes are Uint8Array, quantities bigint;
// the RPC layer does all hex formatting. Errors are CausewayError with codes the RPC maps to EIP-1474 numbers.
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'

/** A block number, or one of the named tags, as eth_* methods take them. */
export type BlockTag = bigint | 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized'

export interface StoredLog {
  readonly address: Uint8Array
  readonly topics: readonly Uint8Array[]
  readonly data: Uint8Array
  readonly blockNumber: bigint
  readonly blockHash: Uint8Array
  readonly transactionHash: Uint8Array
  readonly transactionIndex: number
  /** Index of the log in its block. */
  readonly logIndex: number
}

export interface StoredReceipt {
  readonly transactionHash: Uint8Array
  readonly transactionIndex: number
  readonly blockHash: Uint8Array
  readonly blockNumber: bigint
  readonly from: Uint8Array
  /** Absent for a contract creation. */
  readonly to: Uint8Array | undefined
  /** Set for a contract creation. */
  readonly contractAddress: Uint8Array | undefined
  readonly cumulativeGasUsed: bigint
  readonly gasUsed: bigint
  readonly effectiveGasPrice: bigint
  readonly status: 0 | 1
  readonly logsBloom: Uint8Array
  readonly logs: readonly StoredLog[]
  /** EIP-2718 type: 0 legacy, 1 EIP-2930, 2 EIP-1559, 4 EIP-7702. */
  readonly type: number
}

export interface LogFilter {
  readonly fromBlock: bigint
  readonly toBlock: bigint
  /** Any of these addresses; empty or undefined = any address. */
  readonly addresses?: readonly Uint8Array[]
  /** Per position: null = any, one topic, or any of several. */
  readonly topics?: readonly (Uint8Array | readonly Uint8Array[] | null)[]
}

/** An eth_call / eth_estimateGas request, already parsed. */
export interface CallRequest {
  readonly from?: Uint8Array
  readonly to?: Uint8Array
  readonly gas?: bigint
  readonly gasPrice?: bigint
  readonly maxFeePerGas?: bigint
  readonly maxPriorityFeePerGas?: bigint
  readonly value?: bigint
  readonly data?: Uint8Array
  readonly nonce?: bigint
  readonly accessList?: readonly { readonly address: Uint8Array; readonly storageKeys: readonly Uint8Array[] }[]
}

export interface CallResult {
  readonly returnValue: Uint8Array
  readonly gasUsed: bigint
  /** True when execution reverted (returnValue holds the revert data) or failed (error says why). */
  readonly reverted: boolean
  readonly error?: string
}

export interface FeeHistory {
  readonly oldestBlock: bigint
  /** One more entry than blocks: the next block's base fee last. */
  readonly baseFeePerGas: readonly bigint[]
  readonly gasUsedRatio: readonly number[]
  readonly reward?: readonly (readonly bigint[])[]
}

export interface AccountProof {
  readonly address: Uint8Array
  readonly balance: bigint
  readonly nonce: bigint
  readonly codeHash: Uint8Array
  readonly storageHash: Uint8Array
  readonly accountProof: readonly Uint8Array[]
  readonly storageProof: readonly { readonly key: Uint8Array; readonly value: bigint; readonly proof: readonly Uint8Array[] }[]
}

export interface TransactionLookup {
  readonly tx: TypedTransaction
  /** Absent while the transaction is pending in the mempool. */
  readonly blockHash?: Uint8Array
  readonly blockNumber?: bigint
  readonly index?: number
}

export interface SyncStatus {
  readonly startingBlock: bigint
  readonly currentBlock: bigint
  readonly highestBlock: bigint
}

export interface NodeEvents {
  /** A new block joined the chain (with its receipts, logs included). */
  onBlock?(block: Block, receipts: readonly StoredReceipt[]): void
  /** A transaction entered the mempool. */
  onPendingTransaction?(hash: Uint8Array): void
}

/** Native-coin supply as the node accounts for it (ARCHITECTURE.md decision 1). */
export interface SupplyReport {
  /** Total native coin in existence, wei. */
  readonly totalWei: bigint
  /** Minted by the bridge minus burned by it, wei. */
  readonly peggedWei: bigint
  /** Development prefund, not backed by any peg-in. */
  readonly unpeggedWei: bigint
}

export interface NodeApi {
  readonly chainId: bigint
  readonly clientVersion: string
  /** Number of the newest block this node has. */
  blockNumber(): bigint
  /** Number of the newest final block (has its finality certificate). */
  finalizedNumber(): bigint
  /** Resolves a tag to a number; throws RPC_UNKNOWN_BLOCK for a number above the head. `pending` = head. */
  resolveBlockTag(tag: BlockTag): bigint
  getBlock(number: bigint): Promise<Block | undefined>
  getBlockByHash(hash: Uint8Array): Promise<Block | undefined>
  getTransaction(hash: Uint8Array): Promise<TransactionLookup | undefined>
  getReceipt(hash: Uint8Array): Promise<StoredReceipt | undefined>
  /** Receipts of every transaction in a block, in order. */
  getBlockReceipts(number: bigint): Promise<readonly StoredReceipt[] | undefined>
  /** Throws RPC_LIMIT_EXCEEDED when the range or the result is too large. */
  getLogs(filter: LogFilter): Promise<readonly StoredLog[]>
  getBalance(address: Uint8Array, block: bigint): Promise<bigint>
  getCode(address: Uint8Array, block: bigint): Promise<Uint8Array>
  /** The 32-byte value of a storage slot. */
  getStorageAt(address: Uint8Array, slot: Uint8Array, block: bigint): Promise<Uint8Array>
  /** Nonce at a block, or the next nonce counting the sender's pending transactions. */
  getTransactionCount(address: Uint8Array, block: bigint | 'pending'): Promise<bigint>
  call(request: CallRequest, block: bigint): Promise<CallResult>
  /** Throws EXEC_REVERTED (details.data = revert data hex) when the call reverts at any gas. */
  estimateGas(request: CallRequest, block: bigint): Promise<bigint>
  /** Admits a signed raw transaction to the mempool and returns its hash; coded errors for every refusal. */
  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array>
  gasPrice(): Promise<bigint>
  maxPriorityFeePerGas(): Promise<bigint>
  feeHistory(blockCount: number, newest: bigint, rewardPercentiles: readonly number[] | undefined): Promise<FeeHistory>
  getProof(address: Uint8Array, slots: readonly Uint8Array[], block: bigint): Promise<AccountProof>
  syncing(): SyncStatus | false
  supply(): Promise<SupplyReport>
  /** Subscribes to node events; returns the unsubscribe function. */
  subscribe(events: NodeEvents): () => void
}
