// The node's block pipeline on the producer state: building a candidate from the pool, re-executing a block
// another validator proposed, abandoning a candidate, and committing a final one — one at a time (`exclusive`).
import type { EventEmitter } from 'node:events'
import type { Block } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { bytesToHex, equalBytes, hexToBytes, toHex } from '../../spv/base/bytes.js'
import { bridgeQueuePending, readBridgeSupply } from '../bridge/genesis.js'
import { checkBlockBody } from '../chain/block-body.js'
import type { ChainStore } from '../chain/chain-store.js'
import { BRIDGE_ADDRESS, nextBaseFee, type ChainParams } from '../chain/params.js'
import { receiptsOfBlock } from '../chain/receipts.js'
import type { SupplyLedger } from '../chain/supply.js'
import type { Certificate } from '../consensus/certificate.js'
import { dutyGasBound } from '../exec/duty.js'
import { executeBlock, type ExecutedBlock } from '../exec/execute.js'
import type { Mempool } from '../mempool/mempool.js'
import type { StoredReceipt } from './api.js'
import type { Halt } from './halt.js'
import { headBlock } from './queries.js'
import type { BlockTimings } from './timings.js'

/** Codes of transactions a build left for a later block (they stay in the pool). */
const WAITS: ReadonlySet<string> = new Set(['EXEC_BLOCK_FULL', 'EXEC_DUTY_GAS_FULL', 'EXEC_SENDER_DEFERRED'])

export interface Candidate {
  readonly executed: ExecutedBlock
  readonly receipts: readonly StoredReceipt[]
  /** Milliseconds spent choosing transactions (build), warming the state, and in executeBlock's phases. */
  readonly timings: BlockTimings
}

/** The node's parts the pipeline works on. */
export interface PipelineParts {
  readonly params: ChainParams
  /** Most transactions in a block (NodeOptions.maxBlockTxs or its default). */
  readonly maxBlockTxs: number
  readonly chain: ChainStore
  readonly mempool: Mempool
  readonly vm: VM
  /** The producer state, which the VM executes on. */
  readonly state: MerkleStateManager
  /** Admission's state at the head: moved to each committed block's root. */
  readonly headState: MerkleStateManager
  readonly halt: Halt
  /** Gets a 'block' event (block, receipts) for every commit. */
  readonly events: EventEmitter
  readonly isDuty: (tx: TypedTransaction) => boolean
}

export class BlockPipeline {
  /** Peg-outs are queued for a batch a later block will make: producers keep making blocks (bridge/genesis.ts). */
  bridgeWaiting = false
  private producing: Promise<unknown> = Promise.resolve()
  private busy = 0
  /** The state root the producer state manager is at (the head's, or a candidate's after build/replay). */
  private working: Uint8Array | undefined

  constructor(
    private readonly p: PipelineParts,
    headRoot: Uint8Array,
  ) {
    this.working = headRoot
  }

  /** Reads whether the bridge has peg-outs waiting at the producer state (once, on opening). */
  async init(): Promise<void> {
    this.bridgeWaiting = await bridgeQueuePending(this.p.state, BRIDGE_ADDRESS, this.p.params.chainId)
  }

  /** Serializes work on the producer state (building, replaying, committing). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.producing.then(work, work)
    this.producing = run.catch(() => undefined)
    this.busy++
    void this.producing.finally(() => this.busy--)
    return run
  }

  /** Settles once the work queued so far has finished (for closing). */
  settled(): Promise<unknown> {
    return this.producing.catch(() => undefined)
  }

  /**
   * With a backlog (more pending than the next two blocks take), admission waits while a block is being built,
   * re-executed or committed: the node has one thread, and a flood of submissions would otherwise starve block
   * production (and consensus) of it; admitting faster then makes nothing final sooner. Below the backlog it
   * does not wait: execution now runs almost entirely on cached state, so block work yields to admissions only at
   * its few disk writes, and holding every submission for the whole of each block's work cut a three-validator
   * federation's admission rate in half (measured: 164 → 343 transactions/s in bench:sidechain).
   */
  async blockWorkDone(): Promise<void> {
    const backlog = 2 * this.p.maxBlockTxs
    while (this.busy > 0 && this.p.mempool.size >= backlog) await this.producing
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
    const { params, mempool, state, chain } = this.p
    const t0 = performance.now()
    const parent = await this.atHead()
    const baseFee = nextBaseFee(parent.header, params)
    const nonces = new Map<string, bigint>()
    for (const sender of mempool.senders()) {
      nonces.set(sender, (await state.getAccount(new Address(hexToBytes(sender))))?.nonce ?? 0n)
    }
    const duty = { isDuty: this.p.isDuty, gasBound: dutyGasBound(params) }
    const txs = mempool.select(params.gasLimit, baseFee, (s) => nonces.get(s) ?? 0n, this.p.maxBlockTxs, duty)
    const t1 = performance.now()
    await this.prefetch(txs)
    const t2 = performance.now()
    const executed = await this.execute(parent, txs, { timestamp: timestamp ?? this.nextTimestamp(parent) }, 'build')
    // Transactions that can never run (nonce already used, sender cannot pay) leave the pool.
    const dead: Uint8Array[] = []
    for (const { tx, error } of executed.skipped) {
      // Put off to a later block, not dead: the block, or its share for duties, was full.
      if (error instanceof CausewayError && WAITS.has(error.code)) continue
      if (mempool.remove(tx.hash())) dead.push(tx.hash())
    }
    await chain.journalDelete(dead)
    const timings = { selectMs: t1 - t0, prefetchMs: t2 - t1, ...executed.timings }
    return { executed, receipts: receiptsOfBlock(executed.block, executed.executed), timings }
  }

  /** Re-executes a block proposed by another validator; throws EXEC_INVALID_BLOCK unless it matches exactly. */
  async replay(block: Block): Promise<Candidate> {
    const { mempool } = this.p
    checkBlockBody(block, { maxTxs: this.p.maxBlockTxs, maxTxBytes: mempool.limits.maxTxBytes })
    const parent = await this.atHead()
    if (!equalBytes(block.header.parentHash, parent.hash())) {
      fail('EXEC_INVALID_BLOCK', `block ${block.header.number} does not build on our head ${parent.header.number}`)
    }
    // Transactions we already hold in the pool have their senders recovered: run those instances (same bytes).
    const txs = block.transactions.map((tx) => mempool.get(tx.hash())?.tx ?? tx)
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
    const head = await headBlock(this.p.chain)
    await this.p.state.setStateRoot(head.header.stateRoot)
    this.working = head.header.stateRoot
  }

  /** The head block, with the producer state moved back to it if a candidate left it elsewhere. */
  private async atHead(): Promise<Block> {
    const head = await headBlock(this.p.chain)
    if (this.working !== undefined && !equalBytes(this.working, head.header.stateRoot)) {
      await this.p.state.setStateRoot(head.header.stateRoot)
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
        reads.push(this.p.state.getAccount(address))
      }
    }
    await Promise.all(reads)
  }

  private async execute(parent: Block, txs: readonly TypedTransaction[], inputs: { timestamp: bigint; extraData?: Uint8Array }, mode: 'build' | 'replay'): Promise<ExecutedBlock> {
    const executed = await executeBlock(this.p.vm, this.p.params, parent, txs, inputs, mode)
    this.working = executed.block.header.stateRoot
    return executed
  }

  /**
   * Stores a final block (its state already computed by buildCandidate/replay) and updates the mempool; returns
   * the milliseconds it took.
   */
  async commit(candidate: Candidate, certificate: Certificate): Promise<number> {
    const { params, mempool, state, chain } = this.p
    this.p.halt.refuseIfHalted()
    const started = performance.now()
    const block = candidate.executed.block
    // Another candidate may have been executed since this one: its state nodes are stored, so move back to it.
    if (this.working === undefined || !equalBytes(this.working, block.header.stateRoot)) {
      await state.setStateRoot(block.header.stateRoot)
      this.working = block.header.stateRoot
    }
    // Supply changes only through the bridge, whose counters (in its storage, so reverted with a failed call)
    // say what it minted and burned up to this block.
    const ledger: SupplyLedger = {
      ...(await chain.supply()),
      ...(await readBridgeSupply(state, BRIDGE_ADDRESS, params.chainId)),
    }
    await chain.commit({ block, receipts: candidate.receipts, certificate, supply: ledger })
    const touched = new Set<string>()
    // Senders come from the receipts: recovering them from the signatures again would cost ~0.3 ms each.
    for (const r of candidate.receipts) {
      mempool.remove(r.transactionHash)
      touched.add(bytesToHex(r.from))
    }
    const stale: Uint8Array[] = []
    for (const sender of touched) {
      const nonce = (await state.getAccount(new Address(hexToBytes(sender))))?.nonce ?? 0n
      stale.push(...mempool.pruneSender(sender, nonce))
    }
    // Not included within the pool's lifetime: dropped (and from the journal).
    stale.push(...mempool.expire(Date.now()).map((e) => e.hash))
    await chain.journalDelete(stale)
    await this.p.headState.setStateRoot(block.header.stateRoot)
    this.bridgeWaiting = await bridgeQueuePending(state, BRIDGE_ADDRESS, params.chainId)
    this.p.events.emit('block', block, candidate.receipts)
    return performance.now() - started
  }
}
