// The side-chain node: the state, the block store, the mempool and block production/commit held together, and
// the NodeApi the JSON-RPC edge serves. Consensus decides *which* block becomes final; this class builds
// candidates, re-executes blocks proposed by others, and commits final blocks.
import { EventEmitter } from 'node:events'
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { openState } from '../exec/state-trie.js'
import { keccak256 } from '../exec/crypto.js'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { createChainVM, storeBlockHashes } from '../exec/vm.js'
import type { BlockTimings } from './timings.js'
export { timingFields, type BlockTimings } from './timings.js'
import { bridgeQueuePending, readBridgeSupply } from '../bridge/genesis.js'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { bytesToHex, equalBytes, hexToBytes, toHex } from '../../spv/base/bytes.js'
import { NodeDatabase } from '../store/database.js'
import { ChainStore } from '../chain/chain-store.js'
import { buildGenesis, type GenesisAlloc } from '../chain/genesis.js'
import { BRIDGE_ADDRESS, TX_DECODE_PARAMS, createChainCommon, nextBaseFee, type ChainParams } from '../chain/params.js'
import { receiptsOfBlock } from '../chain/receipts.js'
import { EMPTY_SUPPLY, supplyReport, type SupplyLedger } from '../chain/supply.js'
import { executeBlock, type ExecutedBlock } from '../exec/execute.js'
import { checkBlockBody } from '../chain/block-body.js'
import { dutyGasBound, dutySenders, isDutyTx } from '../exec/duty.js'
import { Mempool, type MempoolLimits, DEFAULT_MEMPOOL_LIMITS } from '../mempool/mempool.js'
import type { Certificate } from '../consensus/certificate.js'
import { DEFAULT_RPC_EVM_TIMEOUT_MS, DEFAULT_RPC_GAS_CAP, StateReader } from './state-reader.js'
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

/** Codes of transactions a build left for a later block (they stay in the pool). */
const WAITS: ReadonlySet<string> = new Set(['EXEC_BLOCK_FULL', 'EXEC_DUTY_GAS_FULL', 'EXEC_SENDER_DEFERRED'])

/** Most transactions in a block built here unless NodeOptions.maxBlockTxs says otherwise. */
const DEFAULT_MAX_BLOCK_TXS = 1000

export interface NodeOptions {
  readonly datadir: string
  readonly params: ChainParams
  /** Genesis balances; on development chains they are the unpegged prefund. */
  readonly alloc: readonly GenesisAlloc[]
  readonly mempool?: MempoolLimits
  /** Most logs one eth_getLogs may return, and the widest block range it may scan. */
  readonly maxLogs?: number
  readonly maxLogRange?: bigint
  /** Most gas one eth_call / eth_estimateGas runs with (geth's --rpc.gascap; default 50,000,000): more is clamped. */
  readonly rpcGasCap?: bigint
  /** Wall-clock bound of one eth_call / eth_estimateGas in ms (geth's --rpc.evmtimeout; default 5,000; 0 for none). */
  readonly rpcEvmTimeoutMs?: number
  readonly clientVersion?: string
  /** Most transactions a block built here holds, so building (and every validator's re-execution) stays short. */
  readonly maxBlockTxs?: number
  /**
   * Hold admissions while block work runs once the pool holds a backlog of more than two full blocks (federation
   * members: consensus must not be starved by a flood of submissions). Below that, and always on a lone
   * development validator, admission runs concurrently with block work, which serves more transactions per second.
   */
  readonly admissionYields?: boolean
}

export interface Candidate {
  readonly executed: ExecutedBlock
  readonly receipts: readonly StoredReceipt[]
  /** Milliseconds spent choosing transactions (build), warming the state, and in executeBlock's phases. */
  readonly timings: BlockTimings
}

export class Node implements NodeApi {
  readonly chainId: bigint
  readonly clientVersion: string
  readonly common: Common
  readonly mempool: Mempool
  private readonly events = new EventEmitter()
  /** Peg-outs are queued for a batch a later block will make: producers keep making blocks (bridge/genesis.ts). */
  bridgeWaiting = false
  private readonly reader: StateReader
  private producing: Promise<unknown> = Promise.resolve()
  private closed = false
  private forwarder: ((raw: Uint8Array) => void) | undefined
  private busy = 0
  /** Why this node stopped following the chain (see `halt`); undefined while it follows. */
  private haltedBy: CausewayError | undefined
  /**
   * State at the head for admission checks, apart from the producer's state: admission runs outside the
   * producer's lock, and a read racing a state-root switch could otherwise leave a stale account in the
   * producer's cache.
   */
  private admission!: MerkleStateManager
  /** The state root the producer state manager is at (the head's, or a candidate's after build/replay). */
  private working: Uint8Array | undefined

  private constructor(
    readonly options: NodeOptions,
    readonly db: NodeDatabase,
    readonly chain: ChainStore,
    private readonly vm: VM,
    private readonly state: MerkleStateManager,
  ) {
    this.chainId = options.params.chainId
    this.clientVersion = options.clientVersion ?? 'causeway/0.1.0'
    this.common = vm.common
    this.mempool = new Mempool(options.mempool ?? DEFAULT_MEMPOOL_LIMITS)
    this.reader = new StateReader(this.common, db.stateDB(), storeBlockHashes(chain), options.rpcGasCap ?? DEFAULT_RPC_GAS_CAP, options.rpcEvmTimeoutMs ?? DEFAULT_RPC_EVM_TIMEOUT_MS)
    this.events.setMaxListeners(0)
  }

  /** Opens (or creates) the node's data directory and loads the chain, the state and the mempool journal. */
  static async open(options: NodeOptions): Promise<Node> {
    const db = await NodeDatabase.open(options.datadir)
    try {
      const common = createChainCommon(options.params)
      const chain = new ChainStore(db, common)
      const storedGenesis = await chain.open()
      const state = await openState(db.stateDB())
      if (storedGenesis === undefined) {
        const genesis = await buildGenesis(common, state, options.params, options.alloc)
        const unpegged = options.alloc.reduce((s, a) => s + a.balance, 0n)
        await chain.initGenesis(genesis, { ...EMPTY_SUPPLY, unpeggedWei: unpegged })
      } else {
        // The same parameters must give the same genesis: refuse a data directory of another chain.
        const expected = await genesisHash(common, options)
        if (!equalBytes(expected, storedGenesis)) {
          fail('NODE_GENESIS_MISMATCH', `the data directory ${options.datadir} holds another chain (genesis ${toHex(storedGenesis)}, configured ${toHex(expected)})`)
        }
        const head = await chain.getBlock(chain.head().number)
        if (head === undefined) fail('NODE_STORE_CORRUPT', 'the head block is missing')
        await state.setStateRoot(head.header.stateRoot)
      }
      const vm = await createChainVM(common, state, storeBlockHashes(chain))
      const node = new Node(options, db, chain, vm, state)
      node.working = (await node.headBlock()).header.stateRoot
      node.bridgeWaiting = await bridgeQueuePending(state, BRIDGE_ADDRESS, options.params.chainId)
      node.admission = await openState(db.stateDB(), node.working)
      await node.reloadJournal()
      return node
    } catch (e) {
      await db.close()
      throw e
    }
  }

  get params(): ChainParams {
    return this.options.params
  }

  /** The federation members' addresses, whose bridge duties run without a fee (exec/duty.ts). */
  private members: ReadonlySet<string> | undefined

  /** Whether `tx` (its sender pinned) is a federation duty. */
  isDuty(tx: TypedTransaction): boolean {
    this.members ??= dutySenders(this.params)
    return isDutyTx(tx, tx.getSenderAddress().bytes, this.members)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.producing.catch(() => undefined)
    await this.db.close()
  }

  // ---- halting ----------------------------------------------------------------------------------------------

  /**
   * Stops following the chain for good (until an operator intervenes): from now on `commit` refuses with this
   * error's code. Called on proof that the federation's safety is broken — two valid finality certificates for
   * different blocks at one height (consensus/conflict.ts) — by the syncer, or by the consensus engine when it
   * sees one. The first reason is kept; later calls change nothing. Listeners (`onHalt`) log and report it.
   */
  halt(error: CausewayError): void {
    if (this.haltedBy !== undefined) return
    this.haltedBy = error
    this.events.emit('halt', error)
  }

  /** The reason this node halted, or undefined while it follows the chain. */
  get halted(): CausewayError | undefined {
    return this.haltedBy
  }

  /** Fires once, when the node halts. */
  onHalt(listener: (error: CausewayError) => void): () => void {
    this.events.on('halt', listener)
    return () => this.events.off('halt', listener)
  }

  /** Throws the halt's code (with the halt as its cause) once the node has halted. */
  refuseIfHalted(): void {
    const h = this.haltedBy
    if (h !== undefined) throw new CausewayError(h.code, `this node has halted and commits no more blocks: ${h.message}`, { details: h.details, cause: h })
  }

  // ---- block production and commit ------------------------------------------------------------------------

  /** Serializes work on the producer state (building, replaying, committing). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.producing.then(work, work)
    this.producing = run.catch(() => undefined)
    this.busy++
    void this.producing.finally(() => this.busy--)
    return run
  }

  /**
   * With a backlog (more pending than the next two blocks take), admission waits while a block is being built,
   * re-executed or committed: the node has one thread, and a flood of submissions would otherwise starve block
   * production (and consensus) of it; admitting faster then makes nothing final sooner. Below the backlog it
   * does not wait: execution now runs almost entirely on cached state, so block work yields to admissions only at
   * its few disk writes, and holding every submission for the whole of each block's work cut a three-validator
   * federation's admission rate in half (measured: 164 → 343 transactions/s in bench:sidechain).
   */
  private async blockWorkDone(): Promise<void> {
    const backlog = 2 * (this.options.maxBlockTxs ?? DEFAULT_MAX_BLOCK_TXS)
    while (this.busy > 0 && this.mempool.size >= backlog) await this.producing
  }

  async headBlock(): Promise<Block> {
    const b = await this.chain.getBlock(this.chain.head().number)
    if (b === undefined) fail('NODE_STORE_CORRUPT', 'the head block is missing')
    return b
  }

  /** Timestamp for a child of `parent`: wall-clock seconds, strictly after the parent. */
  nextTimestamp(parent: Block, nowMs = Date.now()): bigint {
    const now = BigInt(Math.floor(nowMs / 1000))
    return now > parent.header.timestamp ? now : parent.header.timestamp + 1n
  }

  /**
   * Builds a block on the head from the mempool. The producer state is left at the candidate's state root;
   * call `commit` or `abandon` next (inside the same `exclusive` section).
   */
  async buildCandidate(timestamp?: bigint): Promise<Candidate> {
    const t0 = performance.now()
    const parent = await this.atHead()
    const baseFee = nextBaseFee(parent.header, this.params)
    const nonces = new Map<string, bigint>()
    for (const sender of this.mempool.senders()) {
      nonces.set(sender, (await this.state.getAccount(new Address(hexToBytes(sender))))?.nonce ?? 0n)
    }
    const duty = { isDuty: (tx: TypedTransaction) => this.isDuty(tx), gasBound: dutyGasBound(this.params) }
    const txs = this.mempool.select(this.params.gasLimit, baseFee, (s) => nonces.get(s) ?? 0n, this.options.maxBlockTxs ?? DEFAULT_MAX_BLOCK_TXS, duty)
    const t1 = performance.now()
    await this.prefetch(txs)
    const t2 = performance.now()
    const executed = await this.execute(parent, txs, { timestamp: timestamp ?? this.nextTimestamp(parent) }, 'build')
    // Transactions that can never run (nonce already used, sender cannot pay) leave the pool.
    const dead: Uint8Array[] = []
    for (const { tx, error } of executed.skipped) {
      // Put off to a later block, not dead: the block, or its share for duties, was full.
      if (error instanceof CausewayError && WAITS.has(error.code)) continue
      if (this.mempool.remove(tx.hash())) dead.push(tx.hash())
    }
    await this.chain.journalDelete(dead)
    const timings = { selectMs: t1 - t0, prefetchMs: t2 - t1, ...executed.timings }
    return { executed, receipts: receiptsOfBlock(executed.block, executed.executed), timings }
  }

  /** Re-executes a block proposed by another validator; throws EXEC_INVALID_BLOCK unless it matches exactly. */
  async replay(block: Block): Promise<Candidate> {
    checkBlockBody(block, { maxTxs: this.options.maxBlockTxs ?? DEFAULT_MAX_BLOCK_TXS, maxTxBytes: this.mempool.limits.maxTxBytes })
    const parent = await this.atHead()
    if (!equalBytes(block.header.parentHash, parent.hash())) {
      fail('EXEC_INVALID_BLOCK', `block ${block.header.number} does not build on our head ${parent.header.number}`)
    }
    // Transactions we already hold in the pool have their senders recovered: run those instances (same bytes).
    const txs = block.transactions.map((tx) => this.mempool.get(tx.hash())?.tx ?? tx)
    let executed: ExecutedBlock
    const t1 = performance.now()
    let t2 = t1
    try {
      await this.prefetch(txs)
      t2 = performance.now()
      executed = await this.execute(parent, txs, { timestamp: block.header.timestamp, extraData: block.header.extraData }, 'replay')
    } catch (e) {
      await this.abandon()
      throw e
    }
    if (!equalBytes(executed.block.hash(), block.hash())) {
      await this.abandon()
      const why = !equalBytes(executed.block.header.stateRoot, block.header.stateRoot) ? 'state root' : 'header'
      fail('EXEC_INVALID_BLOCK', `block ${block.header.number}: bad ${why} (re-execution gives ${toHex(executed.block.hash())})`, { reason: why })
    }
    const timings = { selectMs: 0, prefetchMs: t2 - t1, ...executed.timings }
    return { executed, receipts: receiptsOfBlock(executed.block, executed.executed), timings }
  }

  /** Resets the producer state to the head after a candidate that will not be committed. */
  async abandon(): Promise<void> {
    const head = await this.headBlock()
    await this.state.setStateRoot(head.header.stateRoot)
    this.working = head.header.stateRoot
  }

  /** The head block, with the producer state moved back to it if a candidate left it elsewhere. */
  private async atHead(): Promise<Block> {
    const head = await this.headBlock()
    if (this.working !== undefined && !equalBytes(this.working, head.header.stateRoot)) {
      await this.state.setStateRoot(head.header.stateRoot)
      this.working = head.header.stateRoot
    }
    return head
  }

  /**
   * Loads the senders' and recipients' accounts into the state cache concurrently before execution, which would
   * otherwise wait for LevelDB one read at a time.
   */
  private async prefetch(txs: readonly TypedTransaction[]): Promise<void> {
    const seen = new Set<string>()
    const reads: Promise<unknown>[] = []
    for (const tx of txs) {
      for (const address of [tx.getSenderAddress(), tx.to]) {
        if (address === undefined) continue
        const key = address.toString()
        if (seen.has(key)) continue
        seen.add(key)
        reads.push(this.state.getAccount(address))
      }
    }
    await Promise.all(reads)
  }

  private async execute(parent: Block, txs: readonly TypedTransaction[], inputs: { timestamp: bigint; extraData?: Uint8Array }, mode: 'build' | 'replay'): Promise<ExecutedBlock> {
    const executed = await executeBlock(this.vm, this.params, parent, txs, inputs, mode)
    this.working = executed.block.header.stateRoot
    return executed
  }

  /**
   * Stores a final block (its state already computed by buildCandidate/replay) and updates the mempool; returns
   * the milliseconds it took.
   */
  async commit(candidate: Candidate, certificate: Certificate): Promise<number> {
    this.refuseIfHalted()
    const started = performance.now()
    const block = candidate.executed.block
    // Another candidate may have been executed since this one: its state nodes are stored, so move back to it.
    if (this.working === undefined || !equalBytes(this.working, block.header.stateRoot)) {
      await this.state.setStateRoot(block.header.stateRoot)
      this.working = block.header.stateRoot
    }
    // Supply changes only through the bridge, whose counters (in its storage, so reverted with a failed call)
    // say what it minted and burned up to this block.
    const ledger: SupplyLedger = {
      ...(await this.chain.supply()),
      ...(await readBridgeSupply(this.state, BRIDGE_ADDRESS, this.params.chainId)),
    }
    await this.chain.commit({ block, receipts: candidate.receipts, certificate, supply: ledger })
    const touched = new Set<string>()
    // Senders come from the receipts: recovering them from the signatures again would cost ~0.3 ms each.
    for (const r of candidate.receipts) {
      this.mempool.remove(r.transactionHash)
      touched.add(bytesToHex(r.from))
    }
    const stale: Uint8Array[] = []
    for (const sender of touched) {
      const nonce = (await this.state.getAccount(new Address(hexToBytes(sender))))?.nonce ?? 0n
      stale.push(...this.mempool.pruneSender(sender, nonce))
    }
    // Not included within the pool's lifetime: dropped (and from the journal).
    stale.push(...this.mempool.expire(Date.now()).map((e) => e.hash))
    await this.chain.journalDelete(stale)
    await this.admission.setStateRoot(block.header.stateRoot)
    this.bridgeWaiting = await bridgeQueuePending(this.state, BRIDGE_ADDRESS, this.params.chainId)
    this.events.emit('block', block, candidate.receipts)
    return performance.now() - started
  }

  private async reloadJournal(): Promise<void> {
    const dropped: Uint8Array[] = []
    for await (const raw of this.chain.journal()) {
      try {
        await this.admit(raw, 'journal')
      } catch {
        // No longer admissible (already final, replaced, or the sender cannot pay): drop it from the journal.
        try {
          dropped.push(createTxFromRLP(raw, { common: this.common }).hash())
        } catch {
          // An entry that does not even decode cannot be named by hash; it stays inert.
        }
      }
    }
    await this.chain.journalDelete(dropped)
  }

  /** Fires when the pool gains a transaction (the producer listens). */
  onPending(listener: () => void): () => void {
    this.events.on('pending', listener)
    return () => this.events.off('pending', listener)
  }

  // ---- NodeApi ----------------------------------------------------------------------------------------------

  blockNumber(): bigint {
    return this.chain.head().number
  }

  finalizedNumber(): bigint {
    return this.chain.head().number // every stored block is final
  }

  resolveBlockTag(tag: BlockTag): bigint {
    if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return this.chain.head().number
    if (tag === 'earliest') return 0n
    if (tag < 0n || tag > this.chain.head().number) fail('RPC_UNKNOWN_BLOCK', `block ${tag} is not known (head is ${this.chain.head().number})`)
    return tag
  }

  getBlock(number: bigint): Promise<Block | undefined> {
    return this.chain.getBlock(number)
  }

  getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.chain.getBlockByHash(hash)
  }

  async getTransaction(hash: Uint8Array): Promise<TransactionLookup | undefined> {
    const loc = await this.chain.txLocation(hash)
    if (loc !== undefined) {
      const block = await this.chain.getBlock(loc.number)
      const tx = block?.transactions[loc.index]
      if (block !== undefined && tx !== undefined) return { tx, blockHash: block.hash(), blockNumber: loc.number, index: loc.index }
    }
    const pending = this.mempool.get(hash)
    return pending === undefined ? undefined : { tx: pending.tx }
  }

  async getReceipt(hash: Uint8Array): Promise<StoredReceipt | undefined> {
    const loc = await this.chain.txLocation(hash)
    if (loc === undefined) return undefined
    return (await this.chain.getReceipts(loc.number))?.[loc.index]
  }

  getBlockReceipts(number: bigint): Promise<readonly StoredReceipt[] | undefined> {
    return this.chain.getReceipts(number)
  }

  async getLogs(filter: LogFilter): Promise<readonly StoredLog[]> {
    const range = this.options.maxLogRange ?? 10_000n
    if (filter.toBlock - filter.fromBlock + 1n > range) {
      fail('RPC_LIMIT_EXCEEDED', `block range too wide: at most ${range} blocks per eth_getLogs`)
    }
    return this.chain.getLogs(filter, this.options.maxLogs ?? 10_000)
  }

  private async rootAt(block: bigint): Promise<Uint8Array> {
    const b = await this.chain.getBlock(block)
    if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
    return b.header.stateRoot
  }

  async getBalance(address: Uint8Array, block: bigint): Promise<bigint> {
    return (await this.reader.account(await this.rootAt(block), address)).balance
  }

  async getCode(address: Uint8Array, block: bigint): Promise<Uint8Array> {
    return this.reader.code(await this.rootAt(block), address)
  }

  async getStorageAt(address: Uint8Array, slot: Uint8Array, block: bigint): Promise<Uint8Array> {
    return this.reader.storage(await this.rootAt(block), address, slot)
  }

  async getTransactionCount(address: Uint8Array, block: bigint | 'pending'): Promise<bigint> {
    const n = block === 'pending' ? this.chain.head().number : block
    const nonce = (await this.reader.account(await this.rootAt(n), address)).nonce
    return block === 'pending' ? this.mempool.pendingNonce(address, nonce) : nonce
  }

  async call(request: CallRequest, block: bigint): Promise<CallResult> {
    const b = await this.chain.getBlock(block)
    if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
    return this.reader.call(b, request)
  }

  async estimateGas(request: CallRequest, block: bigint): Promise<bigint> {
    const b = await this.chain.getBlock(block)
    if (b === undefined) fail('RPC_UNKNOWN_BLOCK', `block ${block} is not known`)
    return this.reader.estimateGas(b, request)
  }

  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    const hash = await this.admit(raw, 'rpc')
    this.forwarder?.(raw)
    return hash
  }

  /** Where transactions submitted over RPC are sent on (the federation's other nodes). */
  setForwarder(forward: (raw: Uint8Array) => void): void {
    this.forwarder = forward
  }

  /** A transaction forwarded by a peer: admitted and journaled, not forwarded again. */
  admitFromPeer(raw: Uint8Array): Promise<Uint8Array> {
    return this.admit(raw, 'peer')
  }

  /** Decodes and admits a raw transaction; journals it unless it comes from the journal itself. */
  private async admit(raw: Uint8Array, source: 'rpc' | 'peer' | 'journal'): Promise<Uint8Array> {
    const journal = source !== 'journal'
    if (this.closed) fail('NODE_CLOSED', 'the node is shutting down')
    if (source !== 'journal' && this.options.admissionYields === true) await this.blockWorkDone()
    // EIP-4844 blob transactions (type 3) cannot even be decoded without a KZG setup; say what is wrong plainly.
    if (raw[0] === 0x03) fail('MEMPOOL_UNSUPPORTED_TYPE', 'blob transactions are not supported on this chain')
    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: this.common, params: TX_DECODE_PARAMS, freeze: false })
    } catch (e) {
      const msg = (e as Error).message
      if (/chain ?id/i.test(msg)) throw new CausewayError('MEMPOOL_WRONG_CHAIN', `invalid chain id: this chain is ${this.chainId}`, { cause: e })
      if (/signature|s-value|v value|invalid sender/i.test(msg)) throw new CausewayError('MEMPOOL_BAD_SIGNATURE', 'invalid sender: bad signature', { cause: e })
      throw new CausewayError('MEMPOOL_MALFORMED', `invalid transaction: ${msg.split('\n')[0]!.slice(0, 200)}`, { cause: e })
    }
    if (!tx.isSigned()) fail('MEMPOOL_BAD_SIGNATURE', 'invalid sender: transaction is not signed')
    let sender: Uint8Array
    try {
      sender = pinSender(tx).bytes
    } catch (e) {
      throw new CausewayError('MEMPOOL_BAD_SIGNATURE', 'invalid sender: the signature does not recover', { cause: e })
    }
    const account = await this.admission.getAccount(new Address(sender))
    // The lifetime runs on admission too, not only on blocks (a pool of queued transactions builds none).
    const expired = this.mempool.expire(Date.now())
    if (expired.length > 0) await this.chain.journalDelete(expired.map((e) => e.hash))
    const { entry, replaced, evicted } = this.mempool.add(tx, raw, {
      chainId: this.chainId,
      blockGasLimit: this.params.gasLimit,
      minGasPrice: this.params.minBaseFee,
      account: { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n },
      ...(this.isDuty(tx) ? { dutyGasBound: dutyGasBound(this.params) } : {}),
      now: Date.now(),
    })
    // Evicted to make room: gone from the journal too, so a restart does not bring them back.
    const gone = [...evicted.map((e) => e.hash), ...(replaced === undefined ? [] : [replaced.hash])]
    if (journal) await this.chain.journalPut(entry.hash, raw)
    if (gone.length > 0) await this.chain.journalDelete(gone)
    this.events.emit('pending', entry.hash)
    return entry.hash
  }

  async gasPrice(): Promise<bigint> {
    return nextBaseFee((await this.headBlock()).header, this.params) + (await this.maxPriorityFeePerGas())
  }

  async maxPriorityFeePerGas(): Promise<bigint> {
    // Every fee goes to the federation's fee address and blocks are rarely full: no tip is needed to be included.
    return 0n
  }

  async feeHistory(blockCount: number, newest: bigint, percentiles: readonly number[] | undefined): Promise<FeeHistory> {
    const count = BigInt(Math.max(1, Math.min(blockCount, 1024)))
    const last = newest > this.chain.head().number ? this.chain.head().number : newest
    const first = last - count + 1n < 0n ? 0n : last - count + 1n
    const baseFeePerGas: bigint[] = []
    const gasUsedRatio: number[] = []
    const reward: bigint[][] = []
    let lastBlock: Block | undefined
    for (let n = first; n <= last; n++) {
      const b = await this.chain.getBlock(n)
      if (b === undefined) break
      lastBlock = b
      baseFeePerGas.push(b.header.baseFeePerGas ?? 0n)
      gasUsedRatio.push(Number(b.header.gasUsed) / Number(b.header.gasLimit))
      if (percentiles !== undefined) reward.push(await this.rewards(b, percentiles))
    }
    if (lastBlock !== undefined) baseFeePerGas.push(nextBaseFee(lastBlock.header, this.params))
    return percentiles === undefined ? { oldestBlock: first, baseFeePerGas, gasUsedRatio } : { oldestBlock: first, baseFeePerGas, gasUsedRatio, reward }
  }

  private async rewards(block: Block, percentiles: readonly number[]): Promise<bigint[]> {
    const receipts = (await this.chain.getReceipts(block.header.number)) ?? []
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

  async getProof(address: Uint8Array, slots: readonly Uint8Array[], block: bigint): Promise<AccountProof> {
    return this.reader.proof(await this.rootAt(block), address, slots)
  }

  syncing(): SyncStatus | false {
    return false
  }

  async supply(): Promise<SupplyReport> {
    return supplyReport(await this.chain.supply())
  }

  /** Every balance in the state at `block` summed: the native coin that exists there. */
  async nativeSupply(block: bigint): Promise<{ wei: bigint; accounts: number }> {
    const { sum, accounts } = await this.reader.sumOfBalances(await this.rootAt(block))
    return { wei: sum, accounts }
  }

  /** The audit's view: supply as accounted against the sum of every balance in the head state. */
  async audit(): Promise<{ supply: SupplyReport; sumOfBalances: bigint; accounts: number; head: bigint }> {
    const head = this.chain.head().number
    const supply = await this.supply()
    const { sum, accounts } = await this.reader.sumOfBalances(await this.rootAt(head))
    return { supply, sumOfBalances: sum, accounts, head }
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

/**
 * Recovers the sender once and makes `tx` (decoded unfrozen) answer with that address from then on, then freezes
 * it as ethereumjs would have (its hash is cached only on frozen transactions). ethereumjs caches the recovered
 * public key but derives the address from it — a Keccak in JavaScript — on every getSenderAddress call, several
 * times per transaction between admission, block selection and runTx.
 */
function pinSender(tx: TypedTransaction): Address {
  // The address is hashed from the public key with the native Keccak: ethereumjs's pubToAddress hashes it in
  // JavaScript (noble), a few percent of a validator's CPU under load.
  const sender = new Address(keccak256(tx.getSenderPublicKey()).slice(12))
  Object.defineProperty(tx, 'getSenderAddress', { value: () => sender })
  Object.freeze(tx)
  return sender
}

async function genesisHash(common: Common, options: NodeOptions): Promise<Uint8Array> {
  const state = await openState()
  return (await buildGenesis(common, state, options.params, options.alloc)).hash()
}
