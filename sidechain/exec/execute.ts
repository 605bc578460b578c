// Executing a block: the one code path a proposer uses to build a block and every other validator uses to check
// it (it rebuilds the block from the same transactions and header inputs and compares hashes). Transactions run
// one by one with @ethereumjs/vm's runTx; the header's roots are computed once at the end.
//
// Protocol rules enforced here (ARCHITECTURE.md decision 1):
// - no block reward;
// - fees are never burned: the tip goes to the coinbase by the EVM's own rule, and at the end of each block the
//   base fee part (gasUsed × baseFee) is credited to the coinbase too. The coinbase is the chain's fee address.
// - duty transactions of federation members (duty.ts) pay nothing and their gas earns the fee address nothing:
//   no wei is created or destroyed by them (duty-run.ts). At most dutyGasBound(params) of a block's gas goes to
//   them; a duty past the bound, and its sender's later transactions, wait for a later block.
import { Block, createBlock, createBlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Account, Address, KECCAK256_RLP } from '@ethereumjs/util'
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { CausewayError } from '../../spv/base/errors.js'
import { receiptsRoot } from '../../spv/evm/receipt-proof.js'
import { orderedTrieRoot } from '../../spv/evm/ordered-trie.js'
import { keccak256 } from './crypto.js'
import './code-analysis.js' // contract code analysed once per code, not once per call
import type { Receipt } from '../../spv/evm/receipt.js'
import { nextBaseFee, type ChainParams } from '../chain/params.js'
import { applySystemCalls } from '../chain/system-contracts.js'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { dutyGasBound, dutySenders, isDutyTx } from './duty.js'
import { runDutyTx } from './duty-run.js'
import { checkpointDepth, failedInclusion, isExecutionThrow, unwind } from './throw-guard.js'

/** The inputs that, with the parent and the transactions, determine a block completely. */
export interface BlockInputs {
  readonly timestamp: bigint
  /** Free bytes in the header (at most 32); validators put nothing consensus-relevant here. */
  readonly extraData?: Uint8Array
}

export interface ExecutedTx {
  readonly tx: TypedTransaction
  readonly result: RunTxResult
  /** Gas used by this transaction alone. */
  readonly gasUsed: bigint
  /** A federation duty (duty.ts): it paid no fee. */
  readonly duty?: boolean
  /** Its execution threw inside the EVM (EXEC_TX_THREW): included as failed (throw-guard.ts). */
  readonly threw?: CausewayError
}

export interface ExecutedBlock {
  readonly block: Block
  readonly executed: readonly ExecutedTx[]
  /** Transactions left out (build mode only), with the reason, so the mempool can drop them. */
  readonly skipped: readonly { readonly tx: TypedTransaction; readonly error: Error }[]
  /** Where the time went, ms: running the transactions, writing the state to the trie, the header's roots. */
  readonly timings: { readonly runMs: number; readonly flushMs: number; readonly rootsMs: number }
}

// EIP-7685 with no requests: sha256 of nothing.
const EMPTY_REQUESTS_HASH = sha256(new Uint8Array(0))
const EMPTY_BLOOM = new Uint8Array(256)

/**
 * The header fields of a child of `parent` that do not depend on its transactions: everything a block at this
 * height must carry except the roots, gas used and bloom. Validators check them by rebuilding the block.
 */
export function childHeaderBase(common: Common, params: ChainParams, parent: Block, inputs: BlockInputs) {
  return {
    parentHash: parent.hash(),
    number: parent.header.number + 1n,
    timestamp: inputs.timestamp,
    gasLimit: params.gasLimit,
    baseFeePerGas: nextBaseFee(parent.header, params),
    coinbase: params.feeAddress,
    difficulty: 0n,
    // prevRandao: there is no beacon chain; derive it from the parent so it is deterministic (not random).
    mixHash: keccak_256(parent.hash()),
    extraData: inputs.extraData ?? new Uint8Array(0),
    withdrawalsRoot: KECCAK256_RLP,
    blobGasUsed: 0n,
    excessBlobGas: parent.header.calcNextExcessBlobGas(parent.header.common),
    parentBeaconBlockRoot: new Uint8Array(32),
    requestsHash: EMPTY_REQUESTS_HASH,
  }
}

/**
 * Runs `txs` on top of `parent` in `vm` (whose state must be at the parent's state root) and returns the block.
 * mode 'build': a transaction that cannot run (bad nonce, too little balance, no block gas left) is skipped.
 * mode 'replay': any such transaction makes the block invalid (EXEC_INVALID_BLOCK). A transaction that passed those
 * checks and then threw inside the EVM (EXEC_TX_THREW) is included as failed in both modes (throw-guard.ts). Either
 * way the VM's state is left at the new block's state root on success and reverted to the parent's on failure.
 */
export async function executeBlock(
  vm: VM,
  params: ChainParams,
  parent: Block,
  txs: readonly TypedTransaction[],
  inputs: BlockInputs,
  mode: 'build' | 'replay',
): Promise<ExecutedBlock> {
  const common = vm.common
  const number = parent.header.number + 1n
  const headerBase = childHeaderBase(common, params, parent, inputs)
  const baseFee = headerBase.baseFeePerGas
  if (inputs.timestamp <= parent.header.timestamp) {
    throw new CausewayError('EXEC_INVALID_BLOCK', `block ${number}: timestamp ${inputs.timestamp} is not after its parent's`)
  }
  // The context block transactions run in: the header fields the EVM reads (number, time, coinbase, base fee…).
  const context = createBlock({ header: headerBase }, { common, setHardfork: false })

  const executed: ExecutedTx[] = []
  const skipped: { tx: TypedTransaction; error: Error }[] = []
  const included: TypedTransaction[] = []
  let gasUsed = 0n
  // Duty gas: reserved by gas limits (for the bound) and used (left out of the base-fee credit).
  const members = dutySenders(params)
  const dutyBound = dutyGasBound(params)
  let dutyReserved = 0n
  let dutyUsed = 0n
  /** Senders with a transaction put off to a later block: their later nonces cannot run before it. */
  const deferred = new Set<string>()
  const t0 = performance.now()
  let t1 = t0
  await vm.stateManager.checkpoint()
  try {
    // Prague's system calls first (EIP-4788, EIP-2935): the state the transactions see holds the parent's hash.
    await applySystemCalls(vm.stateManager as MerkleStateManager, { number, timestamp: inputs.timestamp, parentHash: headerBase.parentHash, parentBeaconBlockRoot: headerBase.parentBeaconBlockRoot })
    for (const tx of txs) {
      const sender = tx.getSenderAddress()
      const duty = isDutyTx(tx, sender.bytes, members)
      if (mode === 'build' && deferred.has(sender.toString())) {
        skipped.push({ tx, error: new CausewayError('EXEC_SENDER_DEFERRED', 'an earlier transaction of this sender waits for a later block') })
        continue
      }
      if (duty && dutyReserved + tx.gasLimit > dutyBound) {
        const error = new CausewayError('EXEC_DUTY_GAS_FULL', `federation duties may use at most ${dutyBound} gas per block`)
        if (mode === 'replay') {
          throw new CausewayError('EXEC_INVALID_BLOCK', `block ${number}: transaction ${included.length} exceeds the block's duty gas bound`, { cause: error })
        }
        // Past the bound the duty waits for the next block (not dropped) — unless no block could ever hold it.
        if (tx.gasLimit <= dutyBound) deferred.add(sender.toString())
        skipped.push({ tx, error: tx.gasLimit <= dutyBound ? error : new CausewayError('EXEC_DUTY_GAS_LIMIT', `a duty's gas limit may be at most ${dutyBound}`) })
        continue
      }
      if (tx.gasLimit > params.gasLimit - gasUsed) {
        const error = new CausewayError('EXEC_BLOCK_FULL', 'transaction gas limit exceeds the gas left in the block')
        if (mode === 'replay') {
          throw new CausewayError('EXEC_INVALID_BLOCK', `block ${number}: transaction ${included.length} exceeds the gas left in the block`, { cause: error })
        }
        deferred.add(sender.toString())
        skipped.push({ tx, error })
        continue
      }
      let result: RunTxResult
      let threw: CausewayError | undefined
      const depth = checkpointDepth(vm)
      try {
        result = duty
          ? await runDutyTx(vm, tx, context, gasUsed)
          : await runTx(vm, { tx, block: context, blockGasUsed: gasUsed, skipHardForkValidation: true })
      } catch (e) {
        await unwind(vm, depth)
        if (!isExecutionThrow(e)) {
          // Invalid here (nonce, funds, fee, gas): it never ran, so it changed nothing.
          if (mode === 'replay') {
            throw new CausewayError('EXEC_INVALID_BLOCK', `block ${number}: transaction ${included.length} cannot run: ${(e as Error).message}`, { cause: e })
          }
          skipped.push({ tx, error: e as Error })
          continue
        }
        // It ran and threw inside the EVM: included as failed, in both modes alike (throw-guard.ts).
        threw = e as CausewayError
        result = await failedInclusion(vm, tx, context, gasUsed, duty)
      }
      gasUsed += result.totalGasSpent
      if (duty) {
        dutyReserved += tx.gasLimit
        dutyUsed += result.totalGasSpent
      }
      executed.push({ tx, result, gasUsed: result.totalGasSpent, ...(duty ? { duty } : {}), ...(threw === undefined ? {} : { threw }) })
      included.push(tx)
    }
    // Fees are never burned: credit the base-fee part to the fee address (the tip reached it through the EVM).
    // Duties paid none, so there is none of theirs to credit.
    const burned = (gasUsed - dutyUsed) * baseFee
    if (burned > 0n) {
      const feeAddress = new Address(params.feeAddress)
      const account = (await vm.stateManager.getAccount(feeAddress)) ?? new Account()
      account.balance += burned
      await vm.stateManager.putAccount(feeAddress, account)
    }
    t1 = performance.now()
    await vm.stateManager.commit()
  } catch (e) {
    await vm.stateManager.revert()
    throw e
  }
  const stateRoot = await vm.stateManager.getStateRoot()
  const t2 = performance.now()

  const receipts: Receipt[] = executed.map(({ tx, result }) => toSpvReceipt(tx.type, result))
  const bloom = new Uint8Array(256)
  for (const { result } of executed) {
    const b = result.bloom.bitvector
    for (let i = 0; i < 256; i++) bloom[i]! |= b[i]!
  }
  // The Block is assembled from the transaction objects that ran (createBlock would re-create every one of them,
  // losing their cached senders).
  const blockOptions = { common, setHardfork: false }
  const header = createBlockHeader(
    {
      ...headerBase,
      stateRoot,
      gasUsed,
      transactionsTrie: orderedTrieRoot(included.map((tx) => tx.serialize()), keccak256),
      receiptTrie: await receiptsRoot(receipts, keccak256),
      logsBloom: executed.length === 0 ? EMPTY_BLOOM : bloom,
    },
    blockOptions,
  )
  const block = new Block(header, included, [], [], blockOptions)
  const timings = { runMs: t1 - t0, flushMs: t2 - t1, rootsMs: performance.now() - t2 }
  return { block, executed, skipped, timings }
}

function toSpvReceipt(type: number, result: RunTxResult): Receipt {
  const r = result.receipt as RunTxResult['receipt'] & { status?: 0 | 1 }
  return {
    type,
    status: r.status ?? 1,
    cumulativeGasUsed: r.cumulativeBlockGasUsed,
    logsBloom: r.bitvector,
    logs: r.logs.map(([address, topics, data]) => ({ address, topics, data })),
  }
}
