// The side-chain node: the state, the block store, the mempool and block production/commit held together, and
// the NodeApi the JSON-RPC edge serves. Consensus decides *which* block becomes final; the node builds
// candidates, re-executes blocks proposed by others, and commits final blocks. This class is a thin holder of
// its parts — opening (open.ts), the block pipeline (block-pipeline.ts), admission (admission.ts), the queries
// (queries.ts) and the halt (halt.ts) — and each method hands straight to one of them.
import { EventEmitter } from 'node:events'
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { CausewayError } from '../../spv/base/errors.js'
import type { ChainStore } from '../chain/chain-store.js'
import type { ChainParams } from '../chain/params.js'
import type { Certificate } from '../consensus/certificate.js'
import { dutySenders, isDutyTx } from '../exec/duty.js'
import { storeBlockHashes } from '../exec/vm.js'
import { DEFAULT_MEMPOOL_LIMITS, Mempool } from '../mempool/mempool.js'
import type { NodeDatabase } from '../store/database.js'
import { Admission } from './admission.js'
import type {
  AccountProof,
  BlockTag,
  CallRequest,
  CallResult,
  FeeHistory,
  LogFilter,
  NodeApi,
  NodeEvents,
  StoredLog,
  StoredReceipt,
  SupplyReport,
  SyncStatus,
  TransactionLookup,
} from './api.js'
import { BlockPipeline, type Candidate } from './block-pipeline.js'
import { Halt } from './halt.js'
import { openStore, type OpenedStore } from './open.js'
import { DEFAULT_MAX_BLOCK_TXS, type NodeOptions } from './options.js'
import * as q from './queries.js'
import { DEFAULT_RPC_EVM_TIMEOUT_MS, DEFAULT_RPC_GAS_CAP, StateReader } from './state-reader.js'
export { timingFields, type BlockTimings } from './timings.js'
export type { Candidate } from './block-pipeline.js'
export type { NodeOptions } from './options.js'

export class Node implements NodeApi {
  readonly chainId: bigint
  readonly clientVersion: string
  readonly common: Common
  readonly mempool: Mempool
  readonly db: NodeDatabase
  readonly chain: ChainStore
  private readonly events = new EventEmitter()
  private readonly haltState = new Halt(this.events)
  private readonly pipeline: BlockPipeline
  private readonly admission: Admission
  private readonly view: q.ChainView
  /** Whether a transaction (its sender pinned) is a federation duty, whose bridge duties run without a fee. */
  readonly isDuty: (tx: TypedTransaction) => boolean

  private constructor(
    readonly options: NodeOptions,
    store: OpenedStore,
  ) {
    const { params } = options
    this.db = store.db
    this.chain = store.chain
    this.chainId = params.chainId
    this.clientVersion = options.clientVersion ?? 'causeway/0.1.0'
    this.common = store.vm.common
    this.mempool = new Mempool(options.mempool ?? DEFAULT_MEMPOOL_LIMITS)
    const reader = new StateReader(this.common, store.db.stateDB(), storeBlockHashes(store.chain), options.rpcGasCap ?? DEFAULT_RPC_GAS_CAP, options.rpcEvmTimeoutMs ?? DEFAULT_RPC_EVM_TIMEOUT_MS)
    this.events.setMaxListeners(0)
    this.isDuty = dutyTest(params)
    const parts = { params, chain: store.chain, mempool: this.mempool, events: this.events, isDuty: this.isDuty, headState: store.headState }
    this.pipeline = new BlockPipeline(
      { ...parts, maxBlockTxs: options.maxBlockTxs ?? DEFAULT_MAX_BLOCK_TXS, vm: store.vm, state: store.state, halt: this.haltState },
      store.headRoot,
    )
    this.admission = new Admission({ ...parts, common: this.common, pipeline: this.pipeline, yields: options.admissionYields === true })
    this.view = { params, chain: store.chain, reader, mempool: this.mempool, maxLogs: options.maxLogs, maxLogRange: options.maxLogRange }
  }

  /** Opens (or creates) the node's data directory and loads the chain, the state and the mempool journal. */
  static async open(options: NodeOptions): Promise<Node> {
    const store = await openStore(options)
    try {
      const node = new Node(options, store)
      await node.pipeline.init()
      await node.admission.reloadJournal()
      return node
    } catch (e) {
      await store.db.close()
      throw e
    }
  }

  get params(): ChainParams {
    return this.options.params
  }

  /** Peg-outs are queued for a batch a later block will make: producers keep making blocks (bridge/genesis.ts). */
  get bridgeWaiting(): boolean {
    return this.pipeline.bridgeWaiting
  }

  async close(): Promise<void> {
    this.admission.close()
    await this.pipeline.settled()
    await this.db.close()
  }

  // ---- halting (halt.ts) ----------------------------------------------------------------------------------

  /** Stops following the chain for good: every later `commit` refuses with this error's code (see Halt). */
  halt(error: CausewayError): void {
    this.haltState.halt(error)
  }

  /** The reason this node halted, or undefined while it follows the chain. */
  get halted(): CausewayError | undefined {
    return this.haltState.halted
  }

  /** Fires once, when the node halts. */
  onHalt(listener: (error: CausewayError) => void): () => void {
    return this.haltState.onHalt(listener)
  }

  /** Throws the halt's code (with the halt as its cause) once the node has halted. */
  refuseIfHalted(): void {
    this.haltState.refuseIfHalted()
  }

  // ---- block production and commit (block-pipeline.ts) ----------------------------------------------------

  /** Serializes work on the producer state (building, replaying, committing). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.pipeline.exclusive(work)
  }

  headBlock(): Promise<Block> {
    return q.headBlock(this.chain)
  }

  /** Timestamp for a child of `parent`: wall-clock seconds, strictly after the parent. */
  nextTimestamp(parent: Block, nowMs = Date.now()): bigint {
    return this.pipeline.nextTimestamp(parent, nowMs)
  }

  /** Builds a block on the head from the mempool; call `commit` or `abandon` next, in the same `exclusive`. */
  buildCandidate(timestamp?: bigint): Promise<Candidate> {
    return this.pipeline.buildCandidate(timestamp)
  }

  /** Re-executes a block proposed by another validator; throws EXEC_INVALID_BLOCK unless it matches exactly. */
  replay(block: Block): Promise<Candidate> {
    return this.pipeline.replay(block)
  }

  /** Resets the producer state to the head after a candidate that will not be committed. */
  abandon(): Promise<void> {
    return this.pipeline.abandon()
  }

  /** Stores a final block and updates the mempool; returns the milliseconds it took. */
  commit(candidate: Candidate, certificate: Certificate): Promise<number> {
    return this.pipeline.commit(candidate, certificate)
  }

  /** Fires when the pool gains a transaction (the producer listens). */
  onPending(listener: () => void): () => void {
    this.events.on('pending', listener)
    return () => this.events.off('pending', listener)
  }

  // ---- admission (admission.ts) ---------------------------------------------------------------------------

  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    return this.admission.sendRawTransaction(raw)
  }

  /** Where transactions submitted over RPC are sent on (the federation's other nodes). */
  setForwarder(forward: (raw: Uint8Array) => void): void {
    this.admission.setForwarder(forward)
  }

  /** A transaction forwarded by a peer: admitted and journaled, not forwarded again. */
  admitFromPeer(raw: Uint8Array): Promise<Uint8Array> {
    return this.admission.admitFromPeer(raw)
  }

  // ---- NodeApi queries (queries.ts) -----------------------------------------------------------------------

  blockNumber(): bigint {
    return this.chain.head().number
  }

  finalizedNumber(): bigint {
    return this.chain.head().number // every stored block is final
  }

  resolveBlockTag(tag: BlockTag): bigint {
    return q.resolveBlockTag(this.chain, tag)
  }

  getBlock(number: bigint): Promise<Block | undefined> {
    return this.chain.getBlock(number)
  }

  getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.chain.getBlockByHash(hash)
  }

  getTransaction(hash: Uint8Array): Promise<TransactionLookup | undefined> {
    return q.getTransaction(this.view, hash)
  }

  getReceipt(hash: Uint8Array): Promise<StoredReceipt | undefined> {
    return q.getReceipt(this.chain, hash)
  }

  getBlockReceipts(number: bigint): Promise<readonly StoredReceipt[] | undefined> {
    return this.chain.getReceipts(number)
  }

  getLogs(filter: LogFilter): Promise<readonly StoredLog[]> {
    return q.getLogs(this.view, filter)
  }

  getBalance(address: Uint8Array, block: bigint): Promise<bigint> {
    return q.getBalance(this.view, address, block)
  }

  getCode(address: Uint8Array, block: bigint): Promise<Uint8Array> {
    return q.getCode(this.view, address, block)
  }

  getStorageAt(address: Uint8Array, slot: Uint8Array, block: bigint): Promise<Uint8Array> {
    return q.getStorageAt(this.view, address, slot, block)
  }

  getTransactionCount(address: Uint8Array, block: bigint | 'pending'): Promise<bigint> {
    return q.getTransactionCount(this.view, address, block)
  }

  call(request: CallRequest, block: bigint): Promise<CallResult> {
    return q.call(this.view, request, block)
  }

  estimateGas(request: CallRequest, block: bigint): Promise<bigint> {
    return q.estimateGas(this.view, request, block)
  }

  gasPrice(): Promise<bigint> {
    return q.gasPrice(this.view)
  }

  maxPriorityFeePerGas(): Promise<bigint> {
    return q.maxPriorityFeePerGas()
  }

  feeHistory(blockCount: number, newest: bigint, percentiles: readonly number[] | undefined): Promise<FeeHistory> {
    return q.feeHistory(this.view, blockCount, newest, percentiles)
  }

  getProof(address: Uint8Array, slots: readonly Uint8Array[], block: bigint): Promise<AccountProof> {
    return q.getProof(this.view, address, slots, block)
  }

  syncing(): SyncStatus | false {
    return false
  }

  supply(): Promise<SupplyReport> {
    return q.supply(this.chain)
  }

  /** Every balance in the state at `block` summed: the native coin that exists there. */
  nativeSupply(block: bigint): Promise<{ wei: bigint; accounts: number }> {
    return q.nativeSupply(this.view, block)
  }

  /** The audit's view: supply as accounted against the sum of every balance in the head state. */
  audit(): Promise<{ supply: SupplyReport; sumOfBalances: bigint; accounts: number; head: bigint }> {
    return q.audit(this.view)
  }

  subscribe(listener: NodeEvents): () => void {
    const onBlock = (block: Block, receipts: readonly StoredReceipt[]) => listener.onBlock?.(block, receipts)
    const onPending = (hash: Uint8Array) => listener.onPendingTransaction?.(hash)
    this.events.on('block', onBlock)
    this.events.on('pending', onPending)
    return () => {
      this.events.off('block', onBlock)
      this.events.off('pending', onPending)
    }
  }
}

/** Whether a transaction (its sender pinned) is a federation duty (exec/duty.ts); the members are read once. */
function dutyTest(params: ChainParams): (tx: TypedTransaction) => boolean {
  let members: ReadonlySet<string> | undefined
  return (tx) => {
    members ??= dutySenders(params)
    return isDutyTx(tx, tx.getSenderAddress().bytes, members)
  }
}
