// The world's EVM main chain: a real anvil (regtest/evm/anvil.ts's binary and arguments) on the world's fixed port
// (base + 40), chain id 31337, a block a second, its whole chain in <datadir>/anvil/state.json — written every few
// seconds and on stop, loaded at start — so a restart after Ctrl-C resumes the same main chain (blocks, vault,
// balances). Its own process group and log file like the world's other processes; stopped with the world.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile, writeFile, open } from 'node:fs/promises'
import { CausewayError } from '../../spv/base/errors.js'
import { pollUntil, timeoutIsFine } from '../../io/poll.js'
import { anvilArgs, anvilBinary } from '../evm/anvil.js'
import { jsonRpc, killChild } from '../evm/rpc-child.js'
import { loopbackPortFree } from '../ports.js'
import type { WorldLayout } from './layout.js'

/** The main chain's chain id (anvil's default, what wallets expect of a local chain). */
export const MAIN_CHAIN_ID = 31337
/** Seconds between main-chain blocks. */
export const MAIN_BLOCK_SECONDS = 1
/** How often anvil writes its state file while running (s): a world killed hard loses at most this much. */
const STATE_INTERVAL_SECONDS = 5

export interface MainChainProcess {
  readonly url: string
  readonly pid: number
  rpc(method: string, params?: readonly unknown[]): Promise<any>
  running(): boolean
  onUnexpectedExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void
  /** SIGTERM (anvil writes its state file), then SIGKILL after a grace period. */
  stop(): Promise<void>
}

export async function startMainChain(layout: WorldLayout, port: number, progress: (line: string) => void): Promise<MainChainProcess> {
  await mkdir(layout.anvil, { recursive: true })
  const url = `http://127.0.0.1:${port}/`
  const log = await open(layout.log('anvil'), 'a')
  await log.write(`----- anvil start ${new Date().toISOString()} -----\n`)
  const args = [...anvilArgs({ chainId: MAIN_CHAIN_ID, blockTime: MAIN_BLOCK_SECONDS, stateFile: layout.anvilState }, port), '--state-interval', String(STATE_INTERVAL_SECONDS)]
  progress(`starting anvil (EVM main chain, chain id ${MAIN_CHAIN_ID}, a block every ${MAIN_BLOCK_SECONDS} s) on ${url}`)
  const child: ChildProcess = spawn(anvilBinary(), args, {
    cwd: layout.anvil,
    // anvil keeps a config and cache under ~/.foundry: the world's own, not the user's.
    env: { ...process.env, HOME: layout.anvil, NO_COLOR: '1' },
    stdio: ['ignore', log.fd, log.fd],
    detached: true,
  })
  await log.close()
  let expected = false
  const listeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = []
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!expected) for (const l of listeners) l(code, signal)
      resolve()
    })
    child.once('error', () => resolve())
  })
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined
  const rpc = jsonRpc(url)
  const stop = async () => {
    expected = true
    await killChild(child, exited, 10_000)
  }
  try {
    await pollUntil(`anvil on ${url}`, async () => {
      if (!running()) throw new CausewayError('WORLD_CHILD_FAILED', `anvil exited before answering: see ${layout.log('anvil')}`)
      return (await rpc('eth_chainId').then(() => true, () => undefined)) ?? undefined
    }, { timeoutMs: 30_000, intervalMs: 200, onTimeout: () => new CausewayError('WORLD_CHILD_FAILED', `anvil did not answer on ${url} within 30 s: see ${layout.log('anvil')}`) })
  } catch (e) {
    await stop()
    throw e
  }
  await writeFile(layout.anvilPid, `${child.pid}\n`)
  return { url, pid: child.pid!, rpc, running, onUnexpectedExit: (l) => void listeners.push(l), stop }
}

/**
 * This world's own anvil, left running when the world's process was killed (anvil cannot watch its parent): the
 * recorded process is still anvil and the world's port is taken, and we hold the world's lock, so it is ours to
 * stop (SIGTERM: it writes its state file first).
 */
export async function stopOrphanedMainChain(layout: WorldLayout, port: number, progress: (line: string) => void): Promise<void> {
  if (await loopbackPortFree(port)) return
  const pid = Number((await readFile(layout.anvilPid, 'utf8').catch(() => '')).trim())
  if (!(pid > 0)) return
  const isAnvil = async () => (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0]?.endsWith('anvil') === true
  if (!(await isAnvil())) return // someone else's: the port check names it
  progress(`stopping this world's anvil left running on port ${port}`)
  process.kill(pid, 'SIGTERM')
  await pollUntil(`anvil (pid ${pid}) gone`, async () => ((await isAnvil()) ? undefined : true), { timeoutMs: 15_000, intervalMs: 250 }).catch(timeoutIsFine)
  if (await isAnvil()) process.kill(pid, 'SIGKILL')
}
