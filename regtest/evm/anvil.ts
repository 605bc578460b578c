// A real anvil node (Foundry's EVM dev chain, from the pinned npm package @foundry-rs/anvil) as a child process on a
// free loopback port: the main chain of the EVM peg's integration tests and benchmarks. Interval or automine, an
// optional state file so a restart resumes the same chain, and a stop that lets anvil write that file.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fail } from '../../spv/base/errors.js'
import { freeLoopbackPort } from '../ports.js'
import { isPortRace, type RpcNode, startRpcChild } from './rpc-child.js'

/** No anvil binary for this platform among the installed packages. */
export const ANVIL_MISSING = 'ANVIL_MISSING'
/** An option out of range (a bad chain id, block time or account count). */
export const ANVIL_BAD_OPTION = 'ANVIL_BAD_OPTION'

/** anvil's default accounts come from the same mnemonic as Hardhat's. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
/** The private key of anvil's first default account (index 0 of {@link ANVIL_MNEMONIC}). */
export const ANVIL_KEY_0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const

export interface AnvilOptions {
  /** Default 31337. */
  readonly chainId?: number
  /** Interval mining every this many seconds (may be fractional); automine (a block per transaction) otherwise. */
  readonly blockTime?: number
  /** `--state FILE`: loaded at start if it exists and written on stop, so a restart resumes the same chain. */
  readonly stateFile?: string
  /** Number of dev accounts (default 10). */
  readonly accounts?: number
  /** Balance of each dev account in whole ether (default 10000). */
  readonly balance?: number
  /** Mnemonic of the dev accounts (default {@link ANVIL_MNEMONIC}). */
  readonly mnemonic?: string
  /** A hardfork name anvil knows ('cancun', 'prague'…); anvil's default otherwise. */
  readonly hardfork?: string
  /** How long to wait for the JSON-RPC to answer (default 30 s). */
  readonly startTimeoutMs?: number
}

export interface AnvilNode extends RpcNode {
  readonly chainId: number
}

/** The anvil binary of this platform's package (`@foundry-rs/anvil-<platform>-<arch>`), resolved like Node would. */
export function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  let manifest: string
  try {
    manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`)
  } catch (e) {
    fail(ANVIL_MISSING, `${pkg} is not installed (the platform package of @foundry-rs/anvil): run npm install`, { pkg }, e)
  }
  const bin = path.join(path.dirname(manifest), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
  if (!existsSync(bin)) fail(ANVIL_MISSING, `${pkg} has no binary at ${bin}`, { pkg, bin })
  return bin
}

/** anvil's command-line arguments for these options on `port` (pure, for the tests). */
export function anvilArgs(opts: AnvilOptions, port: number): string[] {
  const chainId = opts.chainId ?? 31337
  if (!Number.isSafeInteger(chainId) || chainId < 1) fail(ANVIL_BAD_OPTION, `chainId must be a positive integer, got ${chainId}`)
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId)]
  if (opts.blockTime !== undefined) {
    if (!(opts.blockTime > 0)) fail(ANVIL_BAD_OPTION, `blockTime must be positive seconds, got ${opts.blockTime}`)
    args.push('--block-time', String(opts.blockTime))
  }
  if (opts.stateFile !== undefined) args.push('--state', opts.stateFile)
  if (opts.accounts !== undefined) {
    if (!Number.isSafeInteger(opts.accounts) || opts.accounts < 1) fail(ANVIL_BAD_OPTION, `accounts must be a positive integer, got ${opts.accounts}`)
    args.push('--accounts', String(opts.accounts))
  }
  if (opts.balance !== undefined) args.push('--balance', String(opts.balance))
  if (opts.mnemonic !== undefined) args.push('--mnemonic', opts.mnemonic)
  if (opts.hardfork !== undefined) args.push('--hardfork', opts.hardfork)
  return args
}

export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilNode> {
  const command = anvilBinary()
  // anvil keeps its config and cache under ~/.foundry: give it a temp home so runs never share or litter one.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'causeway-anvil-'))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort()
      try {
        const node = await startRpcChild({
          label: 'anvil',
          command,
          args: anvilArgs(opts, port),
          cwd: dir,
          env: { ...process.env, HOME: dir, NO_COLOR: '1' },
          url: `http://127.0.0.1:${port}`,
          startTimeoutMs: opts.startTimeoutMs ?? 30_000,
          cleanup,
        })
        return { ...node, chainId: opts.chainId ?? 31337 }
      } catch (e) {
        if (attempt >= 2 || !isPortRace(e)) throw e
      }
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}
