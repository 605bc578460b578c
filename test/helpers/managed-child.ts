// The test worlds' validator and signer processes: the world's own managed child, keeping everything it printed.
export { managedChild, type ManagedChild, type ManagedChildOptions } from '../../regtest/world/child.js'
