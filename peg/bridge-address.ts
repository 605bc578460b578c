// Where the bridge lives on every Causeway chain (peg/IBridge.sol): the precompile's address, once for the node,
// the clients and the wallet page.
export const BRIDGE_ADDRESS_HEX = '0x00000000000000000000000000000000000ca5e0' as const
