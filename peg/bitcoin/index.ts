// Public face of the Bitcoin peg rules, shared by the bridge precompile and the federation signers: federation
// script and address, deposit addresses, peg-in recognition, peg-out requests, deterministic batches and their
// signatures, reserve accounting. Pure functions: no I/O, no clock, no randomness. Protocol: PROTOCOL.md.
export * from './errors.js'
export { MAX_CHAIN_ID, MAX_MONEY_SATS } from './values.js'
export * from './descriptor.js'
export * from './federation.js'
export * from './deposit.js'
export * from './outputs.js'
export * from './memo.js'
export * from './pegin.js'
export * from './refund.js'
export * from './pegout.js'
export * from './batch.js'
export * from './signatures.js'
export * from './batch-sign.js'
export * from './batch-compare.js'
export * from './psbt.js'
export * from './accounting.js'
