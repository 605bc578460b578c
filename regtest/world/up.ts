// `causeway regtest up`: one local world under one data directory — a bcoin regtest node (segwit active, a funded
// demo wallet, a block every few seconds), an EVM main chain (anvil, its Vault and demo token; main-chain.ts,
// evm-setup.ts), four validator nodes (quorum 3) and four signers (3 of 4, each with its EVM duty), each its own
// process with its own log under <datadir>/logs. The first start decides everything once (setup.ts); a restart
// reads it back and resumes the same chains. The world is ready when every process answers, the bridge has the
// Bitcoin tip and (first start only) the demo account is funded by a real peg-in; then world.json is written for
// the CLI and the demo.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { CausewayError } from '../../spv/base/errors.js'
import { pollUntil, timeoutIsFine } from '../../io/poll.js'
import { startBcoin, type BcoinProcess } from '../bitcoin/bcoin-process.js'
import { DemoWallet } from '../bitcoin/demo-wallet.js'
import { loopbackPortFree } from '../ports.js'
import { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { managedChild, type ManagedChild } from './child.js'
import { PARENT_PID_ENV } from '../../cli/parent.js'
import { allPorts, worldLayout, worldPorts, DEFAULT_BASE_PORT, MEMBERS, type WorldLayout, type WorldPorts } from './layout.js'
import { lockWorld, type WorldLock } from './lock.js'
import { clearPartialWorld, createSetup, readSetup, type WorldSetup } from './setup.js'
import { writeWorldFile, type WorldFile } from '../../cli/world-file.js'
import { fundDemoAccount } from './demo-funding.js'
import { REGTEST_CHAIN_ID } from '../../sidechain/chain/params.js'
import { bridgeReaderAt } from '../../client/bridge.js'
import { startMainChain, stopOrphanedMainChain, type MainChainProcess } from './main-chain.js'
import { worldEvmPolicy } from './evm-setup.js'

export const DEFAULT_BLOCK_INTERVAL_MS = 5_000

export interface WorldOptions {
  readonly datadir: string
  readonly basePort?: number
  /** Mine a Bitcoin block this often (ms); 0: only on demand (`causeway regtest mine`). */
  readonly blockIntervalMs?: number
  readonly progress?: (line: string) => void
  /** Called when a process of the world dies on its own (the world is then stopped). */
  readonly onFailure?: (error: CausewayError) => void
}

export interface World {
  readonly file: WorldFile
  readonly layout: WorldLayout
  readonly setup: WorldSetup
  readonly fresh: boolean
  readonly validators: readonly ManagedChild[]
  readonly signers: readonly ManagedChild[]
  readonly bcoin: BcoinProcess
  /** The EVM main chain; undefined for a world set up before the EVM peg. */
  readonly mainChain: MainChainProcess | undefined
  /** Mines `n` blocks to the demo wallet now. */
  mine(n: number): Promise<string[]>
  stop(): Promise<void>
}

function validatorConfig(layout: WorldLayout, setup: WorldSetup, ports: WorldPorts, i: number): object {
  return {
    chain: setup.chain,
    validators: setup.federation.validatorPubkeys.map((publicKey, j) => ({ publicKey, p2p: `http://127.0.0.1:${ports.p2p[j]}/` })),
    threshold: setup.federation.validatorQuorum,
    validatorKeyFile: setup.federation.validatorKeys[i],
    datadir: layout.validatorDir(i),
    rpc: { host: '127.0.0.1', port: ports.rpc[i] },
    p2p: { host: '127.0.0.1', port: ports.p2p[i] },
  }
}

function signerConfig(layout: WorldLayout, setup: WorldSetup, ports: WorldPorts, i: number): object {
  return {
    keystore: setup.federation.keystores[i],
    datadir: layout.signerDir(i),
    bitcoin: { rpcUrl: `http://127.0.0.1:${ports.bitcoinRpc}/`, rpcUser: 'x', rpcPassword: setup.bitcoinApiKey },
    sidechain: { rpcUrl: `http://127.0.0.1:${ports.rpc[i]}/` },
    http: { host: '127.0.0.1', port: ports.signer[i] },
    pollMs: 500,
    // The EVM duty (federation/signer/evm/config.ts): every signer asks the world's one anvil (a real federation's
    // members would each run their own main-chain node).
    ...(setup.evm === undefined
      ? {}
      : {
          evm: {
            rpcUrl: `http://127.0.0.1:${ports.anvil}/`,
            chainId: setup.evm.chainId,
            vault: setup.evm.vault,
            confirmations: setup.evm.confirmations,
            pollMs: 500,
            fromBlock: setup.evm.vaultBlock,
            policy: worldEvmPolicy(setup.evm.demoToken.address),
          },
        }),
  }
}

export function describeWorld(setup: WorldSetup, ports: WorldPorts, blockIntervalMs: number): WorldFile {
  const wallet = new DemoWallet({ seed: setup.demo.bitcoinSeed })
  const rpc = (i: number) => `http://127.0.0.1:${ports.rpc[i]}/`
  const ws = (i: number) => `ws://127.0.0.1:${ports.rpc[i]}/`
  return {
    version: 1,
    chainId: REGTEST_CHAIN_ID.toString(),
    sidechain: {
      rpcUrl: rpc(0),
      wsUrl: ws(0),
      quorum: setup.federation.validatorQuorum,
      validators: Array.from({ length: MEMBERS }, (_, i) => ({ rpcUrl: rpc(i), wsUrl: ws(i), p2pUrl: `http://127.0.0.1:${ports.p2p[i]}/`, metricsUrl: `${rpc(i)}metrics` })),
    },
    bitcoin: { rpcUrl: `http://127.0.0.1:${ports.bitcoinRpc}/`, rpcUser: 'x', rpcPassword: setup.bitcoinApiKey, network: 'regtest', bech32: 'rb', confirmations: 6 },
    signers: Array.from({ length: MEMBERS }, (_, i) => ({ index: i, healthUrl: `http://127.0.0.1:${ports.signer[i]}/health`, metricsUrl: `http://127.0.0.1:${ports.signer[i]}/metrics` })),
    federation: { address: setup.federation.address, descriptor: setup.federation.descriptor, threshold: setup.federation.threshold, members: setup.federation.memberAddresses },
    demo: { sidechainKey: setup.demo.sidechainKey, sidechainAddress: setup.demo.sidechainAddress, bitcoinSeed: setup.demo.bitcoinSeed, bitcoinAddress: wallet.address },
    blockIntervalMs,
    ...(setup.evm === undefined
      ? {}
      : {
          evm: {
            rpcUrl: `http://127.0.0.1:${ports.anvil}/`,
            chainId: setup.evm.chainId,
            vault: setup.evm.vault,
            vaultBlock: setup.evm.vaultBlock,
            members: setup.evm.members,
            threshold: setup.evm.threshold,
            confirmations: setup.evm.confirmations,
            tokens: [{ ...setup.evm.demoToken }],
            demo: { key: setup.evm.demoKey, address: setup.evm.demoAddress },
          },
        }),
  }
}

/** Ready means the bridge knows the Bitcoin tip (after a restart the signers relay what was mined meanwhile). */
async function waitForBridge(rpcUrl: string, height: number, progress: (line: string) => void): Promise<void> {
  const read = bridgeReaderAt(rpcUrl)
  let known = 0
  let said = false
  await pollUntil(
    `the bridge at Bitcoin block ${height}`,
    async () => {
      known = Number((await read.getBtcBestBlock())[1])
      return known >= height ? true : undefined
    },
    {
      timeoutMs: 120_000,
      intervalMs: 500,
      onWait: () => {
        if (!said) progress(`the signers are relaying Bitcoin headers ${known + 1}…${height} to the bridge`)
        said = true
      },
      onTimeout: () => new CausewayError('WORLD_BRIDGE_BEHIND', `the bridge knows Bitcoin block ${known} but the tip is ${height} after 120 s: see the signers' logs`),
    },
  )
}

/**
 * This world's own bcoin, left running when the world's process was killed (bcoin cannot watch for its parent):
 * it answers on the world's port with the world's API key, and we hold the world's lock, so it is ours to stop.
 */
async function stopOrphanedBitcoin(port: number, apiKey: string, pidFile: string, progress: (line: string) => void): Promise<void> {
  if (await loopbackPortFree(port)) return
  const rpc = new BitcoinRpcClient({ url: `http://127.0.0.1:${port}/`, username: 'x', password: apiKey })
  try {
    await rpc.getBlockCount()
  } catch {
    return // someone else's: the port check names it
  }
  progress(`stopping this world's bcoin left running on port ${port}`)
  await rpc.call('stop', []).catch(() => undefined)
  // Its RPC port closes before its database does: wait for the process itself (its id was recorded at start).
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''))
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  await pollUntil(`bcoin (pid ${pid}) gone from port ${port}`, async () => ((await loopbackPortFree(port)) && !(pid > 0 && alive()) ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 250,
  }).catch(timeoutIsFine) // still there after 20 s: killed below
  if (pid > 0 && alive()) process.kill(pid, 'SIGKILL')
}

/** Every signer reports healthy (it has completed a round against both of its nodes). */
async function waitForSigners(urls: readonly string[]): Promise<void> {
  // One deadline for all of them, asked in order: a healthy signer is not asked again.
  let next = 0
  let status = 0
  await pollUntil(
    'every signer healthy',
    async () => {
      for (; next < urls.length; next++) {
        status = await fetch(urls[next]!).then((r) => r.status, () => 0)
        if (status !== 200) return undefined
      }
      return true
    },
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      onTimeout: () => new CausewayError('WORLD_SIGNER_UNHEALTHY', `${urls[next]} still answers ${status || 'nothing'} after 60 s: see the signer's log`),
    },
  )
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const progress = options.progress ?? (() => {})
  const layout = worldLayout(options.datadir)
  await mkdir(layout.dir, { recursive: true })
  const lock: WorldLock = lockWorld(layout.lock)
  const children: ManagedChild[] = []
  let bcoin: BcoinProcess | undefined
  let mainChain: MainChainProcess | undefined
  let miner: NodeJS.Timeout | undefined
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    if (miner !== undefined) clearInterval(miner)
    // Signers first (they watch the others), then validators, then Bitcoin.
    await Promise.all(children.filter((c) => c.name.startsWith('signer')).map((c) => c.stop()))
    await Promise.all([...children.filter((c) => !c.name.startsWith('signer')).map((c) => c.stop()), mainChain?.stop()])
    await bcoin?.stop()
    lock.release()
  }
  try {
    let setup = await readSetup(layout)
    const fresh = setup === undefined
    if (fresh) await clearPartialWorld(layout)
    const basePort = options.basePort ?? setup?.basePort ?? DEFAULT_BASE_PORT
    const ports = worldPorts(basePort)
    // A world set up before the EVM peg has no main chain: it starts as it was, without one.
    const withEvm = setup === undefined || setup.evm !== undefined
    if (setup !== undefined) await stopOrphanedBitcoin(ports.bitcoinRpc, setup.bitcoinApiKey, layout.bitcoinPid, progress)
    if (setup !== undefined && withEvm) await stopOrphanedMainChain(layout, ports.anvil, progress)
    const busy: number[] = []
    for (const p of allPorts(ports, withEvm)) if (!(await loopbackPortFree(p))) busy.push(p)
    if (busy.length > 0) {
      throw new CausewayError('WORLD_PORT_IN_USE', `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on 127.0.0.1 ${busy.length > 1 ? 'are' : 'is'} in use (another world or program?): stop it, or pick other ports with --base-port`, {
        details: { ports: busy },
      })
    }
    await mkdir(layout.logs, { recursive: true })
    progress(fresh ? `new world in ${layout.dir}` : `resuming the world in ${layout.dir}`)
    if (!withEvm) progress('this world was set up before the EVM peg: it has no EVM main chain and no EVM peg (remove the data directory for a new world with one)')
    // A member's process: its own log file, its own process group (Ctrl-C reaches only this process, which stops it
    // in order), and this process's id so it stops by itself should this one die.
    const memberProcess = (kind: 'validator' | 'signer', i: number, args: string[], readyMarker: string, env: NodeJS.ProcessEnv = {}) =>
      managedChild(`${kind} ${i}`, {
        args,
        readyMarker,
        logFile: layout.log(`${kind}-${i}`),
        keepChars: 20_000,
        detached: true,
        env: { ...process.env, ...env, [PARENT_PID_ENV]: String(process.pid) },
      })
    const startValidators = async (w: WorldSetup) => {
      for (let i = 0; i < MEMBERS; i++) {
        writeFileSync(layout.validatorConfig(i), JSON.stringify(validatorConfig(layout, w, ports, i), null, 2) + '\n')
        writeFileSync(layout.signerConfig(i), JSON.stringify(signerConfig(layout, w, ports, i), null, 2) + '\n', { mode: 0o600 })
      }
      progress(`starting ${MEMBERS} validator nodes (quorum ${w.federation.validatorQuorum})`)
      const vs = Array.from({ length: MEMBERS }, (_, i) => memberProcess('validator', i, ['node', '--config', layout.validatorConfig(i)], '"federation node ready"'))
      children.push(...vs)
      await Promise.all(vs.map((v) => v.start()))
      return vs
    }
    const startBitcoin = async () => {
      progress('starting bcoin (regtest)')
      bcoin = await startBcoin({
        dataDir: layout.bitcoin,
        rpcPort: ports.bitcoinRpc,
        p2pPort: ports.bitcoinP2p,
        apiKey: setup?.bitcoinApiKey ?? randomBytes(16).toString('hex'),
        logFile: layout.log('bitcoin'),
        detached: true,
      })
      await writeFile(layout.bitcoinPid, `${bcoin.pid}\n`)
      return bcoin
    }
    // A restart starts Bitcoin and the validators side by side; a first start needs Bitcoin's tip for the genesis.
    // The main chain starts beside Bitcoin: a first start deploys the vault on it before writing the genesis.
    const startEvm = async () => {
      mainChain = withEvm ? await startMainChain(layout, ports.anvil, progress) : undefined
    }
    let validators: ManagedChild[]
    if (setup === undefined) {
      const [b] = await Promise.all([startBitcoin(), startEvm()])
      setup = await createSetup({ layout, basePort, bitcoinApiKey: b.apiKey, rpc: b.rpc, mainChainUrl: `http://127.0.0.1:${ports.anvil}/`, progress })
      validators = await startValidators(setup)
    } else {
      const known = setup
      validators = (await Promise.all([startBitcoin(), startEvm().then(() => startValidators(known))]))[1]
    }
    const s = setup
    const btc = bcoin!
    const onDeath = (name: string) => (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopped) return
      options.onFailure?.(new CausewayError('WORLD_PROCESS_DIED', `${name} stopped on its own (${signal ?? `exit ${code}`}); its log: ${layout.log(name.replace(' ', '-'))}`))
    }
    progress(`starting ${MEMBERS} signers (${s.federation.threshold} of ${MEMBERS})`)
    const signers = Array.from({ length: MEMBERS }, (_, i) =>
      memberProcess('signer', i, ['signer', '--config', layout.signerConfig(i)], '"signer started"', { CAUSEWAY_SIGNER_PASSPHRASE: s.passphrase }),
    )
    children.push(...signers)
    await Promise.all(signers.map((c) => c.start()))
    for (const c of children) c.onUnexpectedExit(onDeath(c.name))
    mainChain?.onUnexpectedExit(onDeath('anvil'))
    await waitForBridge(`http://127.0.0.1:${ports.rpc[0]}/`, await btc.rpc.getBlockCount(), progress)
    await waitForSigners(ports.signer.map((p) => `http://127.0.0.1:${p}/health`))
    // Every wei is pegged BTC: the demo account's coin comes from a real peg-in, once (demo-funding.ts).
    await fundDemoAccount({ dir: layout.dir, setup: s, rpc: btc.rpc, sidechainRpcUrl: `http://127.0.0.1:${ports.rpc[0]}/`, progress })

    const wallet = new DemoWallet({ seed: s.demo.bitcoinSeed })
    const mine = (n: number) => btc.rpc.generateToAddress(n, wallet.address)
    const blockIntervalMs = options.blockIntervalMs ?? DEFAULT_BLOCK_INTERVAL_MS
    if (blockIntervalMs > 0) {
      miner = setInterval(() => {
        mine(1).catch((e: Error) => progress(`mining failed: ${e.message}`))
      }, blockIntervalMs)
    }
    const file = describeWorld(s, ports, blockIntervalMs)
    await writeWorldFile(layout.dir, file)
    return { file, layout, setup: s, fresh, validators, signers, bcoin: btc, mainChain, mine, stop }
  } catch (e) {
    await stop()
    throw e
  }
}
