#!/usr/bin/env -S node --max-semi-space-size=64
// The `causeway` command: loads the TypeScript sources through tsx (no build step) and runs the CLI. The V8 flag
// is regtest/world/process.ts's NODE_PROCESS_FLAGS (a larger young generation: less CPU per transaction).
import { register } from 'tsx/esm/api'

register()
// spv/ hashes with @noble/hashes unless given a faster SHA-256: every causeway process hands it OpenSSL's first.
const { installNodeSha256 } = await import('../../io/node-sha256.ts')
installNodeSha256()
const { main } = await import('../main.ts')
process.exitCode = await main(process.argv.slice(2))
