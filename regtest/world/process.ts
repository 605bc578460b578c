// Child-process plumbing shared by the world and the test launchers: wait for a marker in a process's output, wait for it to
// exit, and stop it (SIGTERM, then SIGKILL if it does not go).
import type { ChildProcess } from 'node:child_process'

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(t)
      resolve(true)
    })
  })
}

/** Resolves true once `output()` contains `marker` at or after `from`, false if the child exits or time runs out. */
export function waitForOutput(child: ChildProcess, output: () => string, marker: string, timeoutMs: number, from = 0): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer)
      child.stdout?.off('data', check)
      child.stderr?.off('data', check)
      resolve(ok)
    }
    const check = () => {
      if (output().indexOf(marker, from) >= 0) done(true)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    child.stdout?.on('data', check)
    child.stderr?.on('data', check)
    child.once('exit', () => done(output().indexOf(marker, from) >= 0))
    check()
  })
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  if (!(await waitExit(child, graceMs))) {
    child.kill('SIGKILL')
    await waitExit(child, 5_000)
  }
}

/**
 * V8 flags every causeway process runs with (also on the `causeway` command's shebang line): a young generation
 * of up to 64 MiB per semi-space instead of 16. Admitting and executing transactions allocates many short-lived
 * objects (decoded fields, bigints, byte arrays); with the default size they were scavenged — and partly promoted —
 * every few hundred transactions. Measured in bench:sidechain: 3.09–3.28 ms of node CPU per transaction on three
 * validators against 3.58–3.66 without.
 */
export const NODE_PROCESS_FLAGS: readonly string[] = ['--max-semi-space-size=64']

/**
 * Node.js flags for the causeway processes the launchers start: NODE_PROCESS_FLAGS, then any from
 * CAUSEWAY_NODE_FLAGS (space-separated), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark's
 * nodes (NODE_OPTIONS refuses --cpu-prof).
 */
export function childNodeFlags(): string[] {
  return [...NODE_PROCESS_FLAGS, ...(process.env['CAUSEWAY_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '')]
}
