// A `causeway` child process (a validator node, a signer) that a world starts, watches and stops: its output goes
// to a log file and to memory (all of it for tests, the last part for a long-running world), start() waits for
// its ready line, and a restart keeps what it printed before (each start is marked).
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CausewayError } from '../../spv/base/errors.js'
import { childNodeFlags, stopChild, waitExit, waitForOutput } from './process.js'

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')

export interface ManagedChild {
  readonly name: string
  output(): string
  running(): boolean
  start(): Promise<void>
  kill(signal?: NodeJS.Signals): Promise<void>
  stop(): Promise<void>
  /** Called when the process exits without stop() or kill() having been asked for. */
  onUnexpectedExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void
}

export interface ManagedChildOptions {
  /** Arguments after the `causeway` script. */
  readonly args: readonly string[]
  /** Text in its output that says it is ready. */
  readonly readyMarker: string
  /** Node.js flags before the script (default: childNodeFlags()). */
  readonly nodeFlags?: readonly string[]
  readonly env?: NodeJS.ProcessEnv
  /** Append everything it prints to this file too. */
  readonly logFile?: string
  /** Keep only the last this many characters in memory (default: everything). */
  readonly keepChars?: number
  readonly startTimeoutMs?: number
  /** Its own process group, so a terminal's Ctrl-C reaches only the parent, which then stops it in order. */
  readonly detached?: boolean
}

export function managedChild(name: string, o: ManagedChildOptions): ManagedChild {
  let child: ChildProcess | undefined
  let out = ''
  let log: WriteStream | undefined
  let expectedExit = false
  const listeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = []
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null
  const append = (d: Buffer) => {
    out += d.toString()
    if (o.keepChars !== undefined && out.length > 2 * o.keepChars) out = out.slice(-o.keepChars)
    log?.write(d)
  }
  return {
    name,
    output: () => out,
    running,
    onUnexpectedExit: (l) => void listeners.push(l),
    async start() {
      if (running()) return
      const mark = `\n----- ${name} start -----\n`
      out += mark
      const from = out.length - mark.length
      if (o.logFile !== undefined && log === undefined) log = createWriteStream(o.logFile, { flags: 'a' })
      log?.write(`----- ${name} start ${new Date().toISOString()} -----\n`)
      expectedExit = false
      const c = spawn(process.execPath, [...(o.nodeFlags ?? childNodeFlags()), bin, ...o.args], {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: o.detached === true,
        ...(o.env === undefined ? {} : { env: o.env }),
      })
      child = c
      c.stdout!.on('data', append)
      c.stderr!.on('data', append)
      c.once('exit', (code, signal) => {
        if (!expectedExit) for (const l of listeners) l(code, signal)
      })
      if (!(await waitForOutput(c, () => out, o.readyMarker, o.startTimeoutMs ?? 30_000, Math.min(from, out.length)))) {
        expectedExit = true
        await stopChild(c)
        throw new CausewayError('WORLD_CHILD_FAILED', `${name} did not start${o.logFile === undefined ? '' : ` (log: ${o.logFile})`}:\n${out.slice(-4000)}`)
      }
    },
    async kill(signal = 'SIGKILL') {
      if (!running()) return
      expectedExit = true
      child!.kill(signal)
      await waitExit(child!, 10_000)
    },
    async stop() {
      expectedExit = true
      if (running()) await stopChild(child!)
      log?.end()
      log = undefined
    },
  }
}
