// Public face of the signer's Bitcoin side: the JSON-RPC client for its own Bitcoin node (Core or bcoin); its
// transport (rpc-transport.ts) and answer checks (rpc-answers.ts) are behind it.
export * from './rpc-client.js'
