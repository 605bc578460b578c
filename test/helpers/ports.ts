// Free TCP ports on loopback for tests that start real servers (the same helper the regtest world uses).
export { freeLoopbackPort as freePort } from '../../regtest/ports.js'
