// The JSON-RPC method table: identity and network methods (eth_chainId, net_*, web3_*) here, the chain, state
// and log methods from their own files. One map from method name to handler, shared by HTTP and WebSocket.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { toHex, toQuantity } from '../../spv/base/bytes.js'
import type { MethodTable, RpcMethod } from './context.js'
import { blockMethods } from './methods-blocks.js'
import { logMethods } from './methods-logs.js'
import { stateMethods } from './methods-state.js'
import { data, positional } from './params.js'

const identityMethods: Readonly<Record<string, RpcMethod>> = {
  eth_chainId: (params, ctx) => {
    positional(params, [], 0)
    return toQuantity(ctx.api.chainId)
  },
  /** The network id as a decimal string, equal to the chain id (as on every EIP-155 chain since). */
  net_version: (params, ctx) => {
    positional(params, [], 0)
    return ctx.api.chainId.toString(10)
  },
  net_listening: (params) => {
    positional(params, [], 0)
    return true
  },
  net_peerCount: (params, ctx) => {
    positional(params, [], 0)
    return toQuantity(ctx.extras.peerCount?.() ?? 0)
  },
  web3_clientVersion: (params, ctx) => {
    positional(params, [], 0)
    return ctx.api.clientVersion
  },
  web3_sha3: (params) => {
    const [input] = positional(params, ['data'], 1)
    return toHex(keccak_256(data(input, 'data')))
  },
  /** The node holds no keys and does not mine: federated validators sign blocks, not this RPC. */
  eth_accounts: (params) => {
    positional(params, [], 0)
    return []
  },
  eth_mining: (params) => {
    positional(params, [], 0)
    return false
  },
  eth_hashrate: (params) => {
    positional(params, [], 0)
    return '0x0'
  },
}

/** Every method this server answers; any other name is -32601. */
export function createMethodTable(): MethodTable {
  return new Map(Object.entries({ ...identityMethods, ...blockMethods, ...stateMethods, ...logMethods }))
}
