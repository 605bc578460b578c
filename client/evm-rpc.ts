// The main-chain EVM JSON-RPC as the peg's clients use it: raw requests through a viem client (the answers kept as
// the node sent them, so spv/evm parses every consensus field itself), and the codes of a node that is unreachable,
// lacks something, or contradicts itself. No Node module: it bundles for the browser.
import type { PublicClient } from 'viem'
import { fail } from '../spv/base/errors.js'

/** The node did not answer, or answered with a JSON-RPC error. */
export const CLIENT_EVM_RPC_FAILED = 'CLIENT_EVM_RPC_FAILED'
/** The node does not have the block, transaction or receipt asked for (yet). */
export const CLIENT_EVM_NOT_FOUND = 'CLIENT_EVM_NOT_FOUND'
/** The header the node returned does not hash to the block hash it claims (or was asked for). */
export const CLIENT_EVM_HEADER_MISMATCH = 'CLIENT_EVM_HEADER_MISMATCH'
/** The block's receipts the node returned do not rebuild the header's receiptsRoot, or are not that block's. */
export const CLIENT_EVM_RECEIPTS_MISMATCH = 'CLIENT_EVM_RECEIPTS_MISMATCH'
/** The node serves another chain than the one configured. */
export const CLIENT_EVM_WRONG_CHAIN = 'CLIENT_EVM_WRONG_CHAIN'
/** The transaction has no log of the vault's event asked for. */
export const CLIENT_EVM_NO_VAULT_LOG = 'CLIENT_EVM_NO_VAULT_LOG'

/** What the EVM client functions need of a viem client: its `request` (a PublicClient has it). */
export type EvmRpc = Pick<PublicClient, 'request'>

type RawRequest = (args: { method: string; params?: readonly unknown[] }) => Promise<unknown>

/** One JSON-RPC call, its answer as sent; a transport or JSON-RPC error is CLIENT_EVM_RPC_FAILED with its cause. */
export async function rpcCall(client: EvmRpc, method: string, params: readonly unknown[] = []): Promise<unknown> {
  try {
    return await (client.request as unknown as RawRequest)({ method, params })
  } catch (e) {
    fail(CLIENT_EVM_RPC_FAILED, `the main-chain node refused ${method}: ${shortMessage(e)}`, { method, rpcCode: rpcCodeOf(e) }, e)
  }
}

/** The JSON-RPC error code inside a viem error (walking its causes), if any. */
export function rpcCodeOf(e: unknown): number | undefined {
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code
    if (typeof code === 'number') return code
  }
  return undefined
}

function shortMessage(e: unknown): string {
  const m = (e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message ?? String(e)
  return m.split('\n')[0]!
}

/** A JSON object answer, or CLIENT_EVM_NOT_FOUND when the node answered null. */
export function objectOrNotFound(v: unknown, what: string): Record<string, unknown> {
  if (v === null || v === undefined) fail(CLIENT_EVM_NOT_FOUND, `the main-chain node has no ${what}`)
  if (typeof v !== 'object' || Array.isArray(v)) fail(CLIENT_EVM_RPC_FAILED, `the main-chain node answered a ${what} that is not an object`)
  return v as Record<string, unknown>
}

/** Refuses a node whose eth_chainId is not `chainId` (CLIENT_EVM_WRONG_CHAIN). */
export async function checkEvmChainId(client: EvmRpc, chainId: bigint): Promise<void> {
  const got = BigInt(String(await rpcCall(client, 'eth_chainId')))
  if (got !== chainId) fail(CLIENT_EVM_WRONG_CHAIN, `the main-chain node serves chain ${got}, not ${chainId}`, { expected: chainId.toString(), got: got.toString() })
}
