// A transaction whose execution throws inside the EVM (a JavaScript error, not an EVM exception such as out of gas
// or revert: an unwired precompile, a library bug) must never vanish (issue 12 item 5). ethereumjs lets such a
// throw escape runTx with the state manager's checkpoints of the open call frames still open, so the block's final
// commit did not flush and every validator failed with "State trie does not contain state root" — and the node
// then dropped the transaction without a word.
//
// Here: the EVM's message entry is wrapped so that any such throw leaves it as one coded error, EXEC_TX_THREW
// (eth_call and estimateGas answer it by code too), and `unwind` pops the checkpoints the throw left open, so the
// state is exactly as before the transaction. Block execution (execute.ts) then includes the transaction as failed
// by the rule in `failedInclusion`, identically when building and when replaying, and the block goes on.
import type { Block } from '@ethereumjs/block'
import type { EVM } from '@ethereumjs/evm'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Account, Address } from '@ethereumjs/util'
import type { RunTxResult, VM } from '@ethereumjs/vm'
import { CausewayError, isCausewayError } from '../../spv/base/errors.js'
import { effectiveGasPrice } from '../chain/receipts.js'

const guarded = new WeakSet<object>()

/** Wraps `evm.runCall` once (nested frames enter through it too): a thrown error leaves as EXEC_TX_THREW. */
export function guardEvmThrows(evm: EVM): void {
  if (guarded.has(evm)) return
  guarded.add(evm)
  const target = evm as unknown as { runCall(opts: unknown): Promise<unknown> }
  const original = target.runCall.bind(evm)
  target.runCall = async (opts: unknown) => {
    try {
      return await original(opts)
    } catch (e) {
      // Already ours, or the deadline an eth_call set itself (state-reader.ts): not a failure of execution.
      if (isCausewayError(e) && (e.code === 'EXEC_TX_THREW' || e.code === 'EXEC_TIMEOUT')) throw e
      const message = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 300) : String(e)
      throw new CausewayError('EXEC_TX_THREW', `execution threw inside the EVM: ${message}`, { cause: e })
    }
  }
}

export function isExecutionThrow(e: unknown): boolean {
  return isCausewayError(e) && e.code === 'EXEC_TX_THREW'
}

interface Checkpointed {
  readonly _checkpointCount: number
  revert(): Promise<void>
}

/** The state manager's checkpoint depth (MerkleStateManager keeps it as `_checkpointCount`). */
export function checkpointDepth(vm: VM): number {
  const depth = (vm.stateManager as unknown as Checkpointed)._checkpointCount
  if (typeof depth !== 'number') throw new CausewayError('EXEC_STATE_MANAGER', 'the state manager does not expose its checkpoint depth')
  return depth
}

/** Reverts the checkpoints a throw left open above `depth`: every change made since is undone. */
export async function unwind(vm: VM, depth: number): Promise<void> {
  const sm = vm.stateManager as unknown as Checkpointed
  while (sm._checkpointCount > depth) await sm.revert()
}

/**
 * The rule for a transaction whose execution threw (its validity checks having passed: nonce, funds, fee, gas):
 * it is included as failed, as an exceptional halt is — status 0, no logs, its whole gas limit used; the sender's
 * nonce advances and it pays gasLimit × the effective gas price (a duty pays nothing), the tip part to the fee
 * address (the base-fee part is credited with the block's, as for every transaction). Deterministic: a replaying
 * validator whose run throws the same way applies the same rule and reaches the same state root.
 */
export async function failedInclusion(vm: VM, tx: TypedTransaction, block: Block, blockGasUsed: bigint, duty: boolean): Promise<RunTxResult> {
  const baseFee = block.header.baseFeePerGas ?? 0n
  const sender = tx.getSenderAddress()
  const price = duty ? 0n : effectiveGasPrice(tx, baseFee)
  const amountSpent = tx.gasLimit * price
  const minerValue = duty ? 0n : tx.gasLimit * (price - baseFee)
  const account = (await vm.stateManager.getAccount(sender)) ?? new Account()
  if (account.balance < amountSpent) {
    // Cannot happen after runTx's own funds check passed; refusing is safer than creating a negative balance.
    throw new CausewayError('EXEC_TX_THREW', `the sender cannot pay for the failed transaction: balance ${account.balance}, cost ${amountSpent}`)
  }
  account.nonce += 1n
  account.balance -= amountSpent
  await vm.stateManager.putAccount(sender, account)
  if (minerValue > 0n) {
    const coinbase = new Address(block.header.coinbase.bytes)
    const fees = (await vm.stateManager.getAccount(coinbase)) ?? new Account()
    fees.balance += minerValue
    await vm.stateManager.putAccount(coinbase, fees)
  }
  const cumulative = blockGasUsed + tx.gasLimit
  const bitvector = new Uint8Array(256)
  return {
    execResult: { returnValue: new Uint8Array(0), executionGasUsed: tx.gasLimit, logs: [], gasRefund: 0n },
    totalGasSpent: tx.gasLimit,
    blockGasSpent: tx.gasLimit,
    amountSpent,
    minerValue,
    bloom: { bitvector },
    receipt: { status: 0, cumulativeBlockGasUsed: cumulative, bitvector, logs: [] },
  } as unknown as RunTxResult
}
