// Public face of spv/: the pure proof layer (no I/O, no clock, no randomness). Bitcoin and EVM proofs live in
// their own namespaces because both have a "header" and a "hash".
export * from './base/index.js'
export * as bitcoin from './bitcoin/index.js'
export * as evm from './evm/index.js'
