// The bridge as TypeScript programs call it — the CLI today, the signer, the demo and the wallet page next: viem's
// contract over the bridge's typed ABI (peg/bitcoin/btc-bridge-abi.ts), so every method name, argument and result
// is checked by the compiler (no method names as strings), and a refusal is read back as the bridge's own
// BridgeError code. No Node module: it bundles for the browser as it is (test/integration/browser/).
import { BaseError, ContractFunctionRevertedError, createPublicClient, getContract, http, type PublicClient } from 'viem'
import { btcBridgeAbi } from '../peg/bitcoin/btc-bridge-abi.js'
import { BRIDGE_ADDRESS_HEX as BRIDGE_ADDRESS } from '../peg/bridge-address.js'

export { BRIDGE_ADDRESS_HEX as BRIDGE_ADDRESS } from '../peg/bridge-address.js'

/** The bridge's view methods, typed: `read.getFederation()`, `read.getPegOut([id])`, … */
export function bridgeReader(client: PublicClient) {
  return getContract({ address: BRIDGE_ADDRESS, abi: btcBridgeAbi, client }).read
}

export type BridgeReader = ReturnType<typeof bridgeReader>

/** A reader over a node's JSON-RPC URL (one request per call, no retries: a refusal is an answer). */
export function bridgeReaderAt(rpcUrl: string): BridgeReader {
  return bridgeReader(createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }))
}

/** The BridgeError code and message inside a viem error, or undefined when `e` is something else. */
export function bridgeErrorOf(e: unknown): { code: string; message: string } | undefined {
  if (!(e instanceof BaseError)) return undefined
  const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data?.errorName !== 'BridgeError') return undefined
  const [code, message] = (reverted.data.args ?? []) as readonly unknown[]
  return { code: String(code), message: String(message) }
}
