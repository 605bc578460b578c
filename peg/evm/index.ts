// Public face of the EVM peg's pure rules (PROTOCOL.md): the vault's events, the ids the bridge derives, wrapped
// tokens' addresses and names, and withdrawals' EIP-712 digest and signatures.
export * from './errors.js'
export * from './ids.js'
export * from './vault-events.js'
export * from './withdrawal.js'
export * from './wrapped-metadata.js'
export { evmBridgeAbi } from './evm-bridge-abi.js'
