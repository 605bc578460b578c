// The one path by which native supply changes (ARCHITECTURE.md decision 1): mint on a peg-in, burn on a peg-out.
// Only the bridge precompile (issue 4) calls these, from inside block execution; no transaction, RPC method or
// other contract can reach them. Each returns the supply delta the block's ledger entry must record.
import { Account, Address } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { fail } from '../../spv/base/errors.js'
import type { SupplyDelta } from '../chain/supply.js'

type State = Pick<MerkleStateManager, 'getAccount' | 'putAccount'>

/** Credits `wei` of new native coin to `to`. */
export async function mintNative(state: State, to: Uint8Array, wei: bigint): Promise<SupplyDelta> {
  if (wei <= 0n) fail('SUPPLY_BAD_AMOUNT', `mint amount must be positive, got ${wei}`)
  const address = new Address(to)
  const account = (await state.getAccount(address)) ?? new Account()
  account.balance += wei
  await state.putAccount(address, account)
  return { mintedWei: wei, burnedWei: 0n }
}

/** Destroys `wei` of native coin held by `from` (the bridge burns what a peg-out sent it); refuses an overdraft. */
export async function burnNative(state: State, from: Uint8Array, wei: bigint): Promise<SupplyDelta> {
  if (wei <= 0n) fail('SUPPLY_BAD_AMOUNT', `burn amount must be positive, got ${wei}`)
  const address = new Address(from)
  const account = await state.getAccount(address)
  if (account === undefined || account.balance < wei) {
    fail('SUPPLY_INSUFFICIENT', `cannot burn ${wei} wei: the account holds ${account?.balance ?? 0n}`)
  }
  account.balance -= wei
  await state.putAccount(address, account)
  return { mintedWei: 0n, burnedWei: wei }
}
