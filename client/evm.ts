// The main-chain EVM side of the client, in one import: JSON-RPC codes, checked headers, checked block receipts and
// the receipt proofs of the vault's logs that registerEvmDeposit / registerEvmWithdrawal take.
export * from './evm-rpc.js'
export * from './evm-header.js'
export * from './evm-receipts.js'
export * from './evm-proof.js'
