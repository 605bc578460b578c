// Running a duty transaction (duty.ts) inside block execution without the sender paying, and without creating or
// destroying a wei: ethereumjs's runTx insists the sender can pay gasLimit × maxFee up front, so the sender is
// credited exactly that for the run, and afterwards every fee movement runTx made is undone — the sender gets back
// what it was charged and gives back the credit, the fee address gives back the tip — and the duty's gas is left
// out of the block's base-fee credit (execute.ts). Everything else the call did (a mint to the sender, say) stays.
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Account, Address } from '@ethereumjs/util'
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm'
import { feesOf } from '../mempool/mempool.js'

async function adjust(vm: VM, address: Address, delta: bigint): Promise<void> {
  if (delta === 0n) return
  const account = (await vm.stateManager.getAccount(address)) ?? new Account()
  account.balance += delta
  // A negative balance would mean the bookkeeping above is wrong: never let it pass silently.
  if (account.balance < 0n) throw new Error(`duty fee bookkeeping would leave ${address.toString()} negative`)
  if (account.isEmpty()) await vm.stateManager.deleteAccount(address)
  else await vm.stateManager.putAccount(address, account)
}

/** runTx for a duty; on failure (bad nonce…) the state is as before and the error is thrown. */
export async function runDutyTx(vm: VM, tx: TypedTransaction, block: Block, blockGasUsed: bigint): Promise<RunTxResult> {
  const sender = tx.getSenderAddress()
  const credit = tx.gasLimit * feesOf(tx).maxFee
  await vm.stateManager.checkpoint()
  try {
    await adjust(vm, sender, credit)
    const result = await runTx(vm, { tx, block, blockGasUsed, skipHardForkValidation: true })
    // The sender paid amountSpent (gasUsed × effective price) of the credit; both go back. The coinbase got
    // minerValue (gasUsed × tip); it goes back too. The base-fee part runTx burned is simply not re-credited.
    await adjust(vm, sender, result.amountSpent - credit)
    await adjust(vm, block.header.coinbase, -result.minerValue)
    await vm.stateManager.commit()
    return result
  } catch (e) {
    await vm.stateManager.revert()
    throw e
  }
}
