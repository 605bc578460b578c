// Public face of the foundation: errors, bytes and the key-value interface used by every part.
export * from './errors.js'
export * from './bytes.js'
export * from './kv.js'
