// The EVM dev chain of a local setup: starts a real Hardhat 2 network node (EDR engine) as a child process for the
// integration tests and benchmarks (a reference EVM to compare the side chain with, and an EVM chain to prove
// against): its own temp dir and config, a free loopback port, a bounded wait for JSON-RPC, and a stop that always
// kills it and cleans up.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeLoopbackPort } from '../ports.js'
import { isPortRace, type RpcNode, startRpcChild } from './rpc-child.js'

export interface HardhatOptions {
  /** A Hardhat 2 hardfork name ('berlin', 'london', 'shanghai', 'cancun', 'prague', 'osaka'…); Hardhat's default otherwise. */
  readonly hardfork?: string
  readonly chainId?: number
  /** How long to wait for the JSON-RPC to answer (default 30 s). */
  readonly startTimeoutMs?: number
}

/** `stop()` also removes the node's temp dir. */
export type HardhatNode = RpcNode

/** Root of the project: Hardhat refuses to run as a "non-local installation" from a cwd outside it. */
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))

const HARDHAT_CLI = path.join(projectRoot, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js')

/** Hardhat's default accounts: the mnemonic every Hardhat 2 node funds with 10000 ETH per account. */
export const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk'

export async function startHardhat(opts: HardhatOptions = {}): Promise<HardhatNode> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'causeway-hardhat-'))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const network: Record<string, unknown> = {}
    if (opts.hardfork !== undefined) network['hardfork'] = opts.hardfork
    if (opts.chainId !== undefined) network['chainId'] = opts.chainId
    const config = `// Written by regtest/evm/hardhat.ts for one run.\nmodule.exports = ${JSON.stringify({ networks: { hardhat: network } }, null, 2)}\n`
    const configPath = path.join(dir, 'hardhat.config.cjs')
    await writeFile(configPath, config)
    // A port race (someone took the port between freeLoopbackPort and listen) shows as an early exit: try once more.
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort()
      try {
        return await startRpcChild({
          label: 'the Hardhat node',
          command: process.execPath,
          args: [HARDHAT_CLI, '--config', configPath, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
          cwd: projectRoot,
          env: hardhatEnv(),
          url: `http://127.0.0.1:${port}`,
          startTimeoutMs: opts.startTimeoutMs ?? 30_000,
          cleanup,
        })
      } catch (e) {
        if (attempt >= 2 || !isPortRace(e)) throw e
      }
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}

/** The environment Hardhat runs with here: never prompts, never colours its output. */
export function hardhatEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
    HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
}
