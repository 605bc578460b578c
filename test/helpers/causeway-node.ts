// Starts a real `causeway node` process (as a user runs it) on a free loopback port in a temporary data
// directory, waits until it serves JSON-RPC, and stops it — gracefully or with SIGKILL — for integration tests.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './ports.js'
import { projectRoot } from './testdata.js'
import { childNodeFlags, stopChild, waitExit, waitForOutput } from '../../regtest/world/process.js'

export interface NodeProcess {
  readonly url: string
  readonly wsUrl: string
  readonly port: number
  readonly datadir: string
  /** Every line the process printed on stdout (JSON logs) and stderr. */
  output(): string
  /** JSON log lines parsed. */
  logs(): Record<string, unknown>[]
  kill(signal: NodeJS.Signals): Promise<void>
  /** SIGTERM, wait for exit (SIGKILL after 10 s). Keeps the data directory unless `removeData`. */
  stop(removeData?: boolean): Promise<void>
}

export interface DevNodeProcessOptions {
  readonly datadir?: string
  readonly port?: number
  readonly devKey?: string
  readonly extraArgs?: readonly string[]
  readonly readyTimeoutMs?: number
}

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')

export async function startDevNodeProcess(options: DevNodeProcessOptions = {}): Promise<NodeProcess> {
  const datadir = options.datadir ?? mkdtempSync(path.join(tmpdir(), 'causeway-dev-'))
  const port = options.port ?? (await freePort())
  const args = [...childNodeFlags(), bin, 'node', '--dev', '--datadir', datadir, '--rpc-port', String(port), ...(options.devKey ? ['--dev-key', options.devKey] : []), ...(options.extraArgs ?? [])]
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const ready = await waitForOutput(child, () => out, '"development node ready"', options.readyTimeoutMs ?? 20_000)
  const proc: NodeProcess = {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    port,
    datadir,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>
          } catch {
            return {}
          }
        }),
    async kill(signal) {
      child.kill(signal)
      await waitExit(child, 10_000)
    },
    async stop(removeData = false) {
      await stopChild(child)
      if (removeData) rmSync(datadir, { recursive: true, force: true })
    },
  }
  if (!ready) {
    await proc.stop(options.datadir === undefined)
    throw new Error(`causeway node did not become ready:\n${out}`)
  }
  return proc
}
