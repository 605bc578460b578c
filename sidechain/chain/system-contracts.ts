// Prague's system contracts, which contracts and tools written for Ethereum expect at their fixed addresses
// (issue 12 item 5): EIP-2935's history of block hashes and EIP-4788's beacon-root ring buffer. Both are in the
// genesis state with their canonical runtime code (as go-ethereum's params and Ethereum mainnet have them;
// EIP-4788's is byte for byte the one a Hardhat node serves), and before a block's transactions run the node
// writes what the protocol's system call would (execute.ts): the parent's hash into the history, and the block's
// timestamp with its parentBeaconBlockRoot into the ring. The side chain has no beacon chain, so that root is
// zero in every header, and the beacon-roots contract answers zero for every timestamp it holds.
import { Account, Address, bigIntToBytes, setLengthLeft } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { hexToBytes } from '../../spv/base/bytes.js'

/** EIP-2935: the last HISTORY_SERVE_WINDOW block hashes, slot (number % window) = hash. */
export const HISTORY_STORAGE_ADDRESS = hexToBytes('0x0000f90827f1c53a10cb7a02335b175320002935', 'history', 20)
export const HISTORY_SERVE_WINDOW = 8191n
export const HISTORY_STORAGE_CODE = hexToBytes(
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500',
  'history code',
)

/** EIP-4788: slot (timestamp % length) = timestamp, slot (timestamp % length) + length = parent beacon root. */
export const BEACON_ROOTS_ADDRESS = hexToBytes('0x000f3df6d732807ef1319fb7b8bb8522d0beac02', 'beacon roots', 20)
export const HISTORICAL_ROOTS_LENGTH = 8191n
export const BEACON_ROOTS_CODE = hexToBytes(
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500',
  'beacon roots code',
)

export const SYSTEM_CONTRACTS: readonly { readonly address: Uint8Array; readonly code: Uint8Array }[] = Object.freeze([
  { address: HISTORY_STORAGE_ADDRESS, code: HISTORY_STORAGE_CODE },
  { address: BEACON_ROOTS_ADDRESS, code: BEACON_ROOTS_CODE },
])

const slot = (n: bigint) => setLengthLeft(bigIntToBytes(n), 32)

/** Puts the system contracts into a genesis state (nonce 1, as a deployed contract has). */
export async function installSystemContracts(state: MerkleStateManager): Promise<void> {
  for (const { address, code } of SYSTEM_CONTRACTS) {
    const a = new Address(address)
    await state.putAccount(a, new Account(1n, 0n))
    await state.putCode(a, code)
  }
}

/** One storage write of a system call: slot `key` of `address` set to `value` (zero bytes delete it). */
export interface SystemWrite {
  readonly address: Uint8Array
  readonly key: Uint8Array
  readonly value: Uint8Array
}

export interface SystemCallInputs {
  readonly number: bigint
  readonly timestamp: bigint
  readonly parentHash: Uint8Array
  readonly parentBeaconBlockRoot: Uint8Array
}

/** What a block's system calls write before its transactions, in order (EIP-4788, then EIP-2935). */
export function systemCallWrites(block: SystemCallInputs): SystemWrite[] {
  const index = block.timestamp % HISTORICAL_ROOTS_LENGTH
  const writes: SystemWrite[] = [
    { address: BEACON_ROOTS_ADDRESS, key: slot(index), value: bigIntToBytes(block.timestamp) },
    { address: BEACON_ROOTS_ADDRESS, key: slot(index + HISTORICAL_ROOTS_LENGTH), value: block.parentBeaconBlockRoot },
  ]
  if (block.number > 0n) writes.push({ address: HISTORY_STORAGE_ADDRESS, key: slot((block.number - 1n) % HISTORY_SERVE_WINDOW), value: block.parentHash })
  return writes
}

/**
 * Applies a block's system writes to the state; a contract missing from the state (a chain whose genesis predates
 * them) is left alone, as the EIPs say.
 */
export async function applySystemCalls(state: MerkleStateManager, block: SystemCallInputs): Promise<void> {
  const present = new Map<string, boolean>()
  for (const w of systemCallWrites(block)) {
    const address = new Address(w.address)
    const hex = address.toString()
    if (!present.has(hex)) present.set(hex, (await state.getCode(address)).length > 0)
    if (present.get(hex) === true) await state.putStorage(address, w.key, w.value)
  }
}
