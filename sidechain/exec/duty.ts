// Duty transactions (ARCHITECTURE.md decision 1, issue 11 item 2): the federation's own bridge work — Bitcoin
// headers, registrations, signatures, fee reports, batching; main-chain header attestations, EVM deposits and
// withdrawals' signatures and payouts — runs without native coin, so no member needs an
// unpegged genesis allocation (which could otherwise be pegged out against the users' BTC). Pure: which
// transactions are duties, and the per-block bound on their gas.
import type { TypedTransaction } from '@ethereumjs/tx'
import { TransactionType } from '@ethereumjs/tx'
import { bridgeAbi } from '../bridge/abi.js'
import { BRIDGE_ADDRESS, type ChainParams } from '../chain/params.js'

/** The bridge methods a member calls as part of its duties; anything else a member sends pays as usual. */
export const DUTY_METHODS = Object.freeze([
  'receiveBtcHeaders',
  'registerBtcTransaction',
  'registerBtcDeposit',
  'registerDepositAddress',
  'addSignatures',
  'reportFeeRate',
  'flushPegOuts',
  // the EVM family (peg/evm/IEvmBridge.sol)
  'attestEvmHeader',
  'registerEvmDeposit',
  'addEvmWithdrawalSignature',
  'registerEvmWithdrawal',
] as const)

const DUTY_SELECTORS: ReadonlySet<string> = new Set(DUTY_METHODS.map((m) => bridgeAbi.getFunction(m)!.selector.slice(2)))

/**
 * Duty gas in one block is at most gasLimit / DUTY_GAS_DIVISOR (half the block): a compromised member cannot fill
 * blocks for free, and users always keep the other half. Past the bound a duty waits for a later block (it stays in
 * the pool); a single duty asking for more than the bound is refused at admission.
 */
export const DUTY_GAS_DIVISOR = 2n

export function dutyGasBound(params: Pick<ChainParams, 'gasLimit'>): bigint {
  return params.gasLimit / DUTY_GAS_DIVISOR
}

/** The members' side-chain addresses as lowercase hex without 0x, for lookups (empty without a bridge). */
export function dutySenders(params: Pick<ChainParams, 'bridge'>): ReadonlySet<string> {
  return new Set((params.bridge?.members ?? []).map((m) => Buffer.from(m).toString('hex')))
}

/**
 * A duty: sent by a federation member, to the bridge, carrying no value, calling one of DUTY_METHODS, as a plain
 * legacy, EIP-2930 or EIP-1559 transaction (no EIP-7702 authorizations, no contract creation).
 */
export function isDutyTx(tx: TypedTransaction, sender: Uint8Array, members: ReadonlySet<string>): boolean {
  if (members.size === 0) return false
  if (tx.type !== TransactionType.Legacy && tx.type !== TransactionType.AccessListEIP2930 && tx.type !== TransactionType.FeeMarketEIP1559) return false
  if (tx.to === undefined || tx.value !== 0n || tx.data.length < 4) return false
  const to = tx.to.bytes
  for (let i = 0; i < 20; i++) if (to[i] !== BRIDGE_ADDRESS[i]) return false
  if (!members.has(Buffer.from(sender).toString('hex'))) return false
  return DUTY_SELECTORS.has(Buffer.from(tx.data.subarray(0, 4)).toString('hex'))
}
