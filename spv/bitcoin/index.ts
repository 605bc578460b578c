// Public face of the Bitcoin SPV layer: networks, headers, proof of work, difficulty, the header chain,
// gettxoutproof proofs and transaction ids.
export * from './networks.js'
export * from './hash.js'
export * from './header.js'
export * from './pow.js'
export * from './difficulty.js'
export * from './validate.js'
export * from './sequence.js'
export * from './chain.js'
export * from './merkle.js'
export * from './merkleblock.js'
export * from './transaction.js'
