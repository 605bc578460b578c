// The vault's two events (contracts/Vault.sol, PROTOCOL.md "Main-chain events"), decoded strictly from a receipt's
// log: the log's address must be the vault, its first topic the event's, its topics and data exactly the ABI's.
// Anything else is refused with a code, so a look-alike contract's or a hand-made log never passes as a deposit.
import { decodeAbiParameters, encodeAbiParameters, toEventSelector, type Hex } from 'viem'
import { bytesToBigIntBE, equalBytes, hexToBytes, toHex } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import type { ReceiptLog } from '../../spv/evm/receipt.js'

export const DEPOSIT_EVENT = 'Deposit(uint256,address,address,address,uint256,string,string,uint8)'
export const WITHDRAWN_EVENT = 'Withdrawn(uint256,address,address,uint256)'
export const DEPOSIT_TOPIC: Uint8Array = hexToBytes(toEventSelector(DEPOSIT_EVENT), 'topic')
export const WITHDRAWN_TOPIC: Uint8Array = hexToBytes(toEventSelector(WITHDRAWN_EVENT), 'topic')
const DEPOSIT_DATA = [{ type: 'address' }, { type: 'uint256' }, { type: 'string' }, { type: 'string' }, { type: 'uint8' }] as const

/** A vault deposit as its log states it. `token` is the zero address for ETH. */
export interface VaultDeposit {
  readonly nonce: bigint
  readonly token: Uint8Array
  readonly sender: Uint8Array
  readonly recipient: Uint8Array
  readonly amount: bigint
  readonly name: string
  readonly symbol: string
  readonly decimals: number
}

/** A vault payout as its log states it. */
export interface VaultWithdrawn {
  readonly id: bigint
  readonly token: Uint8Array
  readonly recipient: Uint8Array
  readonly amount: bigint
}

/** The 20-byte address in a 32-byte topic, refusing dirty high bytes (the ABI's `address` is left-padded zeros). */
function topicAddress(topic: Uint8Array, code: string, what: string): Uint8Array {
  if (topic.length !== 32 || topic.subarray(0, 12).some((b) => b !== 0)) fail(code, `${what} topic is not an address`)
  return topic.slice(12)
}

function checkEmitter(log: ReceiptLog, vault: Uint8Array, topic: Uint8Array, topics: number, code: string, name: string): void {
  if (!equalBytes(log.address, vault)) fail(code, `the log was emitted by ${toHex(log.address)}, not the vault ${toHex(vault)}`)
  if (log.topics.length === 0 || !equalBytes(log.topics[0]!, topic)) fail(code, `the log is not the vault's ${name} event`)
  if (log.topics.length !== topics) fail(code, `a ${name} log has ${topics} topics, this one ${log.topics.length}`)
}

/** Decodes the vault's Deposit log; refuses EVM_PEG_NOT_DEPOSIT or EVM_PEG_LOG_MALFORMED. */
export function decodeDepositLog(log: ReceiptLog, vault: Uint8Array): VaultDeposit {
  const code = 'EVM_PEG_NOT_DEPOSIT'
  checkEmitter(log, vault, DEPOSIT_TOPIC, 4, code, 'Deposit')
  const nonce = bytesToBigIntBE(log.topics[1]!)
  const token = topicAddress(log.topics[2]!, code, 'token')
  const sender = topicAddress(log.topics[3]!, code, 'sender')
  let fields: readonly [Hex, bigint, string, string, number]
  try {
    fields = decodeAbiParameters(DEPOSIT_DATA, toHex(log.data))
  } catch (e) {
    fail('EVM_PEG_LOG_MALFORMED', 'the Deposit log data does not decode as (address, uint256, string, string, uint8)', undefined, e)
  }
  const [recipient, amount, name, symbol, decimals] = fields
  return { nonce, token, sender, recipient: hexToBytes(recipient, 'recipient', 20), amount, name, symbol, decimals }
}

/** Decodes the vault's Withdrawn log; refuses EVM_PEG_NOT_WITHDRAWN or EVM_PEG_LOG_MALFORMED. */
export function decodeWithdrawnLog(log: ReceiptLog, vault: Uint8Array): VaultWithdrawn {
  const code = 'EVM_PEG_NOT_WITHDRAWN'
  checkEmitter(log, vault, WITHDRAWN_TOPIC, 4, code, 'Withdrawn')
  if (log.data.length !== 32) fail('EVM_PEG_LOG_MALFORMED', `the Withdrawn log data is ${log.data.length} bytes, not one uint256`)
  return {
    id: bytesToBigIntBE(log.topics[1]!),
    token: topicAddress(log.topics[2]!, code, 'token'),
    recipient: topicAddress(log.topics[3]!, code, 'recipient'),
    amount: bytesToBigIntBE(log.data),
  }
}

/** The data of the Deposit log a vault emits for `d` (tests build receipts with it). */
export function encodeDepositLogData(d: Pick<VaultDeposit, 'recipient' | 'amount' | 'name' | 'symbol' | 'decimals'>): Uint8Array {
  return hexToBytes(encodeAbiParameters(DEPOSIT_DATA, [toHex(d.recipient), d.amount, d.name, d.symbol, d.decimals]), 'data')
}
