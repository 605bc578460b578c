// Runs a real Hardhat 2 project against a JSON-RPC endpoint the way a contract developer would: a network entry
// (url, chainId, accounts) and `hardhat run --network causeway` deploying and calling Counter.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../../regtest/evm/hardhat.js'
import { compileCounter } from './solc.js'
import { hardhatEnv } from '../../regtest/evm/hardhat.js'

export interface HardhatProjectOptions {
  readonly url: string
  readonly chainId: number
  /** 0x-prefixed 32-byte key of a funded account; Hardhat signs locally and sends eth_sendRawTransaction. */
  readonly privateKey: string
  /** Kills the run after this long (default 60 s). */
  readonly timeoutMs?: number
}

export interface HardhatProjectResult {
  /** The deployed Counter. */
  readonly address: string
  /** Counter's value read back after two increments: 2n when everything worked. */
  readonly value: bigint
  /** Everything Hardhat and the script printed (bounded). */
  readonly output: string
}

const HARDHAT_CLI = path.join(projectRoot, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js')
/** ethers' CommonJS entry: the script lives in a temp dir, outside any node_modules, so it requires by path. */
const ETHERS_CJS = createRequire(import.meta.url).resolve('ethers')
const OUTPUT_LIMIT = 50_000

// The script runs in Hardhat's script runner, which puts the runtime environment in the global `hre`.
// BrowserProvider over hre.network.provider: eth_accounts and eth_sendTransaction are answered by Hardhat's
// local-accounts layer, which checks the chain id, signs and sends eth_sendRawTransaction.
const DEPLOY_SCRIPT = `// Written by test/helpers/hardhat-project.ts: deploys Counter on the configured network and increments it twice.
const { BrowserProvider, ContractFactory } = require(${JSON.stringify(ETHERS_CJS)})
const artifact = require('./Counter.json')

async function main() {
  if (hre.network.name !== 'causeway') throw new Error('expected --network causeway, got ' + hre.network.name)
  const provider = new BrowserProvider(hre.network.provider, undefined, { pollingInterval: 200 })
  const signer = await provider.getSigner()
  const counter = await new ContractFactory(artifact.abi, artifact.bytecode, signer).deploy()
  await counter.waitForDeployment()
  for (let i = 0; i < 2; i++) {
    const receipt = await (await counter.increment()).wait()
    if (receipt === null || receipt.status !== 1) throw new Error('increment() failed: status ' + (receipt && receipt.status))
  }
  const value = await counter.value()
  console.log(JSON.stringify({ address: await counter.getAddress(), value: value.toString() }))
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
`

export async function runHardhatProject(opts: HardhatProjectOptions): Promise<HardhatProjectResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(opts.privateKey)) throw new Error('runHardhatProject: privateKey must be 0x + 64 hex digits')
  if (!Number.isSafeInteger(opts.chainId) || opts.chainId <= 0) throw new Error(`runHardhatProject: bad chainId ${opts.chainId}`)
  const timeoutMs = opts.timeoutMs ?? 60_000
  const counter = compileCounter()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'causeway-hardhat-project-'))
  try {
    const config = { networks: { causeway: { url: opts.url, chainId: opts.chainId, accounts: [opts.privateKey] } } }
    await writeFile(
      path.join(dir, 'hardhat.config.cjs'),
      `// Written by test/helpers/hardhat-project.ts for one run.\nmodule.exports = ${JSON.stringify(config, null, 2)}\n`,
    )
    await writeFile(path.join(dir, 'Counter.json'), JSON.stringify({ abi: counter.abi, bytecode: counter.bytecode }))
    await writeFile(path.join(dir, 'deploy.cjs'), DEPLOY_SCRIPT)
    // --no-compile: the contract is precompiled; Hardhat's compile task would try to download a compiler.
    const args = [HARDHAT_CLI, '--config', path.join(dir, 'hardhat.config.cjs'), 'run', '--no-compile', '--network', 'causeway', path.join(dir, 'deploy.cjs')]
    const { code, stdout, output } = await runBounded(args, timeoutMs)
    if (code !== 0) throw new Error(`Hardhat project run failed (${code}):\n${output}`)
    const result = lastJsonLine(stdout)
    if (result === undefined) throw new Error(`Hardhat project run printed no result line:\n${output}`)
    return { address: result.address, value: BigInt(result.value), output }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Runs the Hardhat CLI in its own process group: `hardhat run` forks the script into a second process, and a
 * timeout must kill both. Resolves with the exit code, or `timeout after … ms`.
 */
function runBounded(args: string[], timeoutMs: number): Promise<{ code: number | string; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: projectRoot, // Hardhat refuses to run as a "non-local installation" from elsewhere
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hardhatEnv(),
    })
    let stdout = ''
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
    })
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    // If the test process ends first, take the group down with it.
    process.once('exit', killGroup)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      process.removeListener('exit', killGroup)
      reject(e)
    })
    // 'close' waits for the pipes, which the forked script shares: every writer has finished or been killed.
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      process.removeListener('exit', killGroup)
      resolve({ code: timedOut ? `timeout after ${timeoutMs} ms` : (code ?? String(signal)), stdout, output })
    })
  })
}

function lastJsonLine(stdout: string): { address: string; value: string } | undefined {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const parsed = JSON.parse(line) as unknown
      if (typeof parsed === 'object' && parsed !== null && 'address' in parsed && 'value' in parsed) {
        const { address, value } = parsed as { address: unknown; value: unknown }
        if (typeof address === 'string' && typeof value === 'string') return { address, value }
      }
    } catch {
      // not the result line
    }
  }
  return undefined
}
