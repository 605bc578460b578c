// The bridge's EVM family as TypeScript programs read it (like bridge.ts for Bitcoin's): viem's contract over the
// generated IEvmBridge ABI (peg/evm/evm-bridge-abi.ts), so `getEvmWithdrawal`, `getEvmHeader`,
// `isEvmDepositRegistered`… are typed by the compiler. No Node module.
import { createPublicClient, getContract, http, type PublicClient } from 'viem'
import { evmBridgeAbi } from '../peg/evm/evm-bridge-abi.js'
import { BRIDGE_ADDRESS_HEX as BRIDGE_ADDRESS } from '../peg/bridge-address.js'

/** The bridge's EVM view methods, typed. */
export function evmBridgeReader(client: PublicClient) {
  return getContract({ address: BRIDGE_ADDRESS, abi: evmBridgeAbi, client }).read
}

export type EvmBridgeReader = ReturnType<typeof evmBridgeReader>

/** A reader over a side-chain node's JSON-RPC URL (no retries: a refusal is an answer). */
export function evmBridgeReaderAt(rpcUrl: string): EvmBridgeReader {
  return evmBridgeReader(createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }))
}
