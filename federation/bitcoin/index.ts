// Public face of the signer's Bitcoin side: the JSON-RPC client for its own Bitcoin node (Core or bcoin).
export * from './rpc-client.js'
