// A `causeway` child process a test world can start, SIGKILL, restart and stop, keeping everything it printed
// across restarts (each start is marked), and waiting for its ready line.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { stopChild, waitExit, waitForOutput } from './process.js'
import { projectRoot } from './testdata.js'

const bin = path.join(projectRoot, 'regtest/bin/causeway.mjs')

export interface ManagedChild {
  readonly name: string
  output(): string
  running(): boolean
  start(): Promise<void>
  kill(signal?: NodeJS.Signals): Promise<void>
  stop(): Promise<void>
}

export interface ManagedChildOptions {
  /** Arguments after the `causeway` script. */
  readonly args: readonly string[]
  /** Text in its output that says it is ready. */
  readonly readyMarker: string
  readonly nodeFlags?: readonly string[]
  readonly env?: NodeJS.ProcessEnv
}

export function managedChild(name: string, o: ManagedChildOptions): ManagedChild {
  let child: ChildProcess | undefined
  let out = ''
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null
  return {
    name,
    output: () => out,
    running,
    async start() {
      if (running()) return
      const mark = `\n----- ${name} start -----\n`
      out += mark
      const from = out.length - mark.length
      const c = spawn(process.execPath, [...(o.nodeFlags ?? []), bin, ...o.args], {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(o.env === undefined ? {} : { env: o.env }),
      })
      child = c
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()))
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()))
      if (!(await waitForOutput(c, () => out, o.readyMarker, 30_000, from))) throw new Error(`${name} did not start:\n${out.slice(-4000)}`)
    },
    async kill(signal = 'SIGKILL') {
      if (!running()) return
      child!.kill(signal)
      await waitExit(child!, 10_000)
    },
    async stop() {
      if (running()) await stopChild(child!)
    },
  }
}
