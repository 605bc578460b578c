// regtest/: what starts and drives a local world, and nothing a user or operator runs against a real one — the
// bcoin child process (bitcoin/), the world and its demo (world/), the EVM dev chain for tests and benchmarks
// (evm/), solc for the demo's and tests' contracts (solidity/) and the `causeway regtest …` command group
// (command.ts, loaded by cli/main.ts only when that group is used). It may use cli/ helpers; cli/ and sidechain/
// never import it otherwise.
export { registerRegtest } from './command.js'
