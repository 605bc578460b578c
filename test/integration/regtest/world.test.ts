// `npm start` as a newcomer runs it: `causeway regtest up` as a real process (bcoin, anvil as the EVM main chain
// with its Vault and demo token, four validators, four signers), `regtest demo` against it (a Bitcoin, an ETH and a
// demo-token round trip that must preserve value), `regtest mine`, a second start refused on a locked data
// directory and on busy ports, Ctrl-C stopping every process, a restart that resumes the same chains (the main
// chain's blocks, vault and balances included), and a world set up before the EVM peg starting without one.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract, JsonRpcProvider } from 'ethers'
import { createPublicClient, erc20Abi, getAddress, http, type Hex } from 'viem'
import * as VaultArtifact from '../../../peg/evm/contracts/Vault.artifact.js'
import { evmAddressOfKey } from '../../../sidechain/bridge/config.js'
import { REGTEST_CHAIN_ID } from '../../../sidechain/chain/params.js'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { toHex } from '../../../spv/base/bytes.js'
import { DEMO_FUNDING_SATS } from '../../../regtest/world/setup.js'
import { BitcoinRpcClient } from '../../../federation/bitcoin/rpc-client.js'
import { loopbackPortFree } from '../../../regtest/ports.js'
import { allPorts, worldPorts } from '../../../regtest/world/layout.js'
import { readWorldFile, type WorldFile } from '../../../cli/world-file.js'
import { waitExit, waitForOutput } from '../../../regtest/world/process.js'
import { pollUntil, sleep, timeoutIsFine } from '../../../io/poll.js'
import { projectRoot } from '../../helpers/testdata.js'
import { readmeBlocks, shellCommands } from '../../helpers/readme.js'

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')

function run(args: readonly string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: projectRoot, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr })
    })
  })
}

/**
 * A base port with all 32 ports after it free, below Linux's ephemeral range (32768+), where the OS hands out the
 * ports other tests' processes ask for: a world restarted on its fixed ports must find them free again.
 */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 10_000 + Math.floor(Math.random() * 22_000)
    let ok = true
    for (const p of allPorts(worldPorts(base))) if (!(await loopbackPortFree(p))) ok = false
    if (ok) return base
  }
}

/** SIGKILLs the anvil whose pid the world recorded, if that process is still an anvil of `datadir`'s. */
function killLeftoverAnvil(datadir: string): void {
  const pidFile = path.join(datadir, 'anvil.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    if (cmd[0]!.endsWith('anvil') && cmd.some((a) => a.startsWith(datadir))) process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}

/** The world's main chain as a viem client. */
// cacheTime 0: viem otherwise answers getBlockNumber from a 4 s cache.
const mainChain = (w: WorldFile) => createPublicClient({ transport: http(w.evm!.rpcUrl), cacheTime: 0 })

/** What a restart must keep of the main chain: its height, the vault's code, and the balances the demo moved. */
async function mainChainSnapshot(w: WorldFile) {
  const c = mainChain(w)
  const vault = getAddress(w.evm!.vault) as Hex
  const token = getAddress(w.evm!.tokens[0]!.address) as Hex
  const demo = getAddress(w.evm!.demo.address) as Hex
  return {
    height: await c.getBlockNumber(),
    block1: (await c.getBlock({ blockNumber: 1n })).hash,
    vaultCode: await c.getCode({ address: vault }),
    vaultEth: await c.getBalance({ address: vault }),
    vaultToken: await c.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [vault] }),
    demoToken: await c.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [demo] }),
    depositNonce: await c.readContract({ address: vault, abi: VaultArtifact.abi, functionName: 'depositNonce' }),
  }
}

/** SIGKILLs the bcoin whose pid the world recorded, if that process is still a bcoin with files in `datadir`. */
function killLeftoverBitcoin(datadir: string): void {
  const pidFile = path.join(datadir, 'bitcoin.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] !== 'bcoin') return
    const ours = readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(datadir)
      } catch {
        return false
      }
    })
    if (ours) process.kill(pid, 'SIGKILL')
  } catch {
    // gone already (or no /proc): nothing to do
  }
}

describe('npm start: the local regtest world', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-world-'))
  const datadir = path.join(dir, '.causeway')
  let base: number
  let up: ChildProcess | undefined
  let out = ''
  let world: WorldFile

  async function startUp(): Promise<number> {
    out = ''
    const started = Date.now()
    up = spawn(process.execPath, [bin, 'regtest', 'up', '--datadir', datadir, '--base-port', String(base), '--block-interval', '2'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    up.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    up.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    if (!(await waitForOutput(up, () => out, 'Stop: Ctrl-C', 150_000))) throw new Error(`regtest up did not get ready:\n${out}`)
    return (Date.now() - started) / 1000
  }

  beforeAll(async () => {
    base = await freeBase()
    const seconds = await startUp()
    world = await readWorldFile(datadir)
    console.log(`regtest up (fresh) ready in ${seconds.toFixed(1)} s`)
  }, 200_000)

  afterAll(async () => {
    if (up !== undefined && up.exitCode === null) {
      up.kill('SIGINT')
      if (!(await waitExit(up, 30_000))) up.kill('SIGKILL')
    }
    // A world that had to be SIGKILLed (a slow machine) leaves its bcoin behind (it cannot watch its parent).
    killLeftoverBitcoin(datadir)
    killLeftoverAnvil(datadir)
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints every endpoint, the demo accounts and the MetaMask settings; world.json says the same', async () => {
    for (const s of [world.sidechain.rpcUrl, world.sidechain.wsUrl, world.bitcoin.rpcUrl, ...world.signers.map((x) => x.healthUrl), world.demo.sidechainAddress, world.demo.sidechainKey, world.demo.bitcoinAddress, world.federation.descriptor]) {
      expect(out).toContain(s)
    }
    expect(out).toContain(`Chain ID ${world.chainId}`)
    expect(world.sidechain.rpcUrl).toBe(`http://127.0.0.1:${base}/`)
    const provider = new JsonRpcProvider(world.sidechain.rpcUrl, BigInt(world.chainId), { staticNetwork: true })
    expect((await provider.getNetwork()).chainId).toBe(BigInt(world.chainId))
    provider.destroy()
    for (const s of world.signers) expect((await fetch(s.healthUrl)).status).toBe(200)
  })

  it('runs anvil as the EVM main chain with the Vault (the federation\'s members, threshold, side chain id) and the demo token; world.json and the table say so', async () => {
    const evm = world.evm!
    expect(evm).toBeDefined()
    expect(evm.rpcUrl).toBe(`http://127.0.0.1:${base + 40}/`)
    expect(evm.chainId).toBe(31337)
    expect(evm.confirmations).toBe(5)
    for (const s of [evm.rpcUrl, evm.vault, evm.tokens[0]!.address, evm.demo.address]) expect(out).toContain(s)
    expect(out).toContain('chain id 31337')
    const c = mainChain(world)
    expect(await c.getChainId()).toBe(31337)
    // A block a second.
    const h0 = await c.getBlockNumber()
    await sleep(2_500)
    expect(await c.getBlockNumber()).toBeGreaterThan(h0)
    const vault = getAddress(evm.vault) as Hex
    // The members are the EVM addresses of the bridge's federation keys, in member order.
    const provider = new JsonRpcProvider(world.sidechain.rpcUrl, BigInt(world.chainId), { staticNetwork: true })
    try {
      const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, provider)
      const [pubkeys, threshold] = (await bridge.getFederation!()) as [string[], bigint]
      const expected = pubkeys.map((k) => getAddress(toHex(evmAddressOfKey(Buffer.from(k.slice(2), 'hex')))))
      expect(await c.readContract({ address: vault, abi: VaultArtifact.abi, functionName: 'members' })).toEqual(expected)
      expect(await c.readContract({ address: vault, abi: VaultArtifact.abi, functionName: 'threshold' })).toBe(threshold)
      expect(evm.members).toEqual(expected)
      // The bridge's genesis names this vault on this chain.
      const [chainIds, vaults] = (await bridge.getEvmChains!()) as [bigint[], string[]]
      expect(chainIds).toEqual([31337n])
      expect(vaults.map((v) => getAddress(v))).toEqual([vault])
      // Each member can pay for its vault submissions.
      for (const m of expected) expect(await c.getBalance({ address: m as Hex })).toBeGreaterThan(10n ** 18n)
    } finally {
      provider.destroy()
    }
    expect(await c.readContract({ address: vault, abi: VaultArtifact.abi, functionName: 'sideChainId' })).toBe(REGTEST_CHAIN_ID)
    const token = getAddress(evm.tokens[0]!.address) as Hex
    expect(await c.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })).toBe(6)
    expect(await c.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [evm.demo.address as Hex] })).toBe(1_000_000n * 10n ** 6n)
    // Every signer runs its EVM duty against the main chain.
    for (const s of world.signers) {
      const h = (await (await fetch(s.healthUrl)).json()) as { duties: { evm?: { status: string; mainChainId: string } } }
      expect(h.duties.evm?.mainChainId).toBe('31337')
    }
  })

  it('no native coin at genesis: the demo account was funded by a real peg-in, and every wei in the state is pegged (issue 11 item 2)', async () => {
    expect(out).toContain('funding the demo account')
    const provider = new JsonRpcProvider(world.sidechain.rpcUrl, BigInt(world.chainId), { staticNetwork: true })
    try {
      const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, provider)
      const [fedSats, mintedLessBurned] = (await bridge.getReserves!()) as [bigint, bigint, bigint]
      expect(await provider.getBalance(world.demo.sidechainAddress)).toBe(DEMO_FUNDING_SATS * 10n ** 10n)
      expect(mintedLessBurned).toBe(DEMO_FUNDING_SATS * 10n ** 10n)
      expect(fedSats).toBe(DEMO_FUNDING_SATS)
      // Every balance in the state summed (members' included: they hold nothing) is exactly minted − burned.
      const audit = (await provider.send('causeway_audit', [])) as { sumOfBalances: string }
      expect(BigInt(audit.sumOfBalances)).toBe(mintedLessBurned)
      for (const m of world.federation.members) expect(await provider.getBalance(m)).toBe(0n)
    } finally {
      provider.destroy()
    }
  })

  it('a second start fails at once: the data directory is locked; another directory on the same ports is refused', async () => {
    const t0 = Date.now()
    const again = await run(['regtest', 'up', '--datadir', datadir, '--base-port', String(base)])
    expect(again.code).toBe(1)
    expect(JSON.parse(again.stdout).code).toBe('WORLD_LOCKED')
    expect(again.stderr).toContain('already running')
    const other = await run(['regtest', 'up', '--datadir', path.join(dir, 'other'), '--base-port', String(base)])
    expect(other.code).toBe(1)
    expect(JSON.parse(other.stdout).code).toBe('WORLD_PORT_IN_USE')
    expect(other.stderr).toContain(String(base))
    expect(Date.now() - t0).toBeLessThan(45_000) // two CLI starts (tsx) and no world started: about 3 s on a quiet machine
  })

  it('regtest mine mines on demand; regtest pay and demo refuse a wrong address and a missing world', async () => {
    const rpc = new BitcoinRpcClient({ url: world.bitcoin.rpcUrl, username: world.bitcoin.rpcUser, password: world.bitcoin.rpcPassword })
    const before = await rpc.getBlockCount()
    const r = await run(['regtest', 'mine', '3', '--world', datadir])
    expect(r.code).toBe(0)
    const hashes = JSON.parse(r.stdout).blocks as string[]
    expect(hashes).toHaveLength(3)
    expect(await rpc.getBlockCount()).toBeGreaterThanOrEqual(before + 3)
    expect(await rpc.getBlockHash((await rpc.call<{ height: number }>('getblockheader', [hashes[2], true])).height)).toBe(hashes[2])
    const bad = await run(['regtest', 'mine', 'lots', '--world', datadir])
    expect(bad.code).toBe(2)
    // regtest pay and demo refuse what they cannot do, with codes.
    const mainnet = await run(['regtest', 'pay', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '0.1', '--world', datadir])
    expect(mainnet.code).toBe(1)
    expect(JSON.parse(mainnet.stdout).code).toBe('CLI_BAD_ADDRESS')
    const nowhere = await run(['regtest', 'demo', '--world', path.join(dir, 'nowhere')])
    expect(nowhere.code).toBe(1)
    expect(JSON.parse(nowhere.stdout).code).toBe('WORLD_NOT_FOUND')
  })

  it('npm run demo: a round trip through the world preserves value (exit 0)', async () => {
    const r = await run(['regtest', 'demo', '--world', datadir, '--json'], 400_000)
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(result.ok).toBe(true)
    expect(BigInt(result.valueOutSats)).toBe(BigInt(result.valueInSats) - BigInt(result.pegOutFeeSats))
    expect(BigInt(result.pegOutFeeSats)).toBeGreaterThan(0n)
    expect(r.stderr).toContain('[17/17] summary')
    expect(r.stderr).toContain('Value preserved')
    // The EVM round trips: ETH and the demo token, out = in exactly, relayed by the signers (not the demo).
    expect(result.evm.map((t: { asset: string }) => t.asset)).toEqual(['ETH', 'DUSD'])
    for (const t of result.evm as { valueIn: string; minted: string; valueOut: string; mainGasWei: string; selfRelayed: boolean }[]) {
      expect(BigInt(t.minted)).toBe(BigInt(t.valueIn))
      expect(BigInt(t.valueOut)).toBe(BigInt(t.valueIn))
      expect(BigInt(t.mainGasWei)).toBeGreaterThan(0n)
      expect(t.selfRelayed).toBe(false)
    }
  }, 420_000)

  it("README's user walkthrough runs as written against the world (placeholders filled from earlier answers)", async () => {
    const block = readmeBlocks().find((b) => b.lang === 'sh' && b.section.startsWith('For users'))!
    const lines = shellCommands(block)
    expect(lines.length).toBeGreaterThanOrEqual(8)
    const values = new Map<string, string>()
    for (const line of lines) {
      const filled = line.replace(/<([a-z-]+)>/g, (m, name: string) => {
        const v = values.get(name)
        if (v === undefined) throw new Error(`README walkthrough: ${line} needs <${name}>, which no earlier line gave`)
        return v
      })
      expect(filled.startsWith('npx causeway ')).toBe(true)
      // Run from the directory holding .causeway, as a user does (the CLI's default --world).
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...filled.slice('npx causeway '.length).split(/\s+/)], { cwd: dir, timeout: 240_000 }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr }),
        )
      })
      expect(r.code, `${filled}\n${r.stdout}\n${r.stderr}`).toBe(0)
      const grab = (name: string, re: RegExp) => {
        const m = re.exec(r.stdout)
        if (m !== null) values.set(name, m[1]!)
      }
      grab('address', /^address:\s+(0x[0-9a-fA-F]{40})$/m)
      grab('key', /^private key:\s+(0x[0-9a-f]{64})$/m)
      grab('btc-address', /^Bitcoin address \(regtest\):\s+(rb1\w+)$/m)
      grab('deposit-address', /^Send BTC to (rb1\w+)$/m)
      grab('txid', /"txid":"([0-9a-f]{64})"/)
      grab('id', /^peg-out request (\d+) queued/m)
      if (filled.includes('pegin register')) expect(r.stdout).toContain('minted 0.50000000 BTC')
      if (filled.includes('audit')) expect(r.stdout).toContain('audit: OK')
    }
    expect([...values.keys()].sort()).toEqual(['address', 'btc-address', 'deposit-address', 'id', 'key', 'txid'])
  }, 400_000)

  it('Ctrl-C stops every process; a restart resumes the same chains', async () => {
    const provider = new JsonRpcProvider(world.sidechain.rpcUrl, BigInt(world.chainId), { staticNetwork: true })
    const sideHeight = await provider.getBlockNumber()
    const side1 = (await provider.getBlock(1))!.hash
    provider.destroy()
    const rpc = new BitcoinRpcClient({ url: world.bitcoin.rpcUrl, username: world.bitcoin.rpcUser, password: world.bitcoin.rpcPassword })
    const btc1 = await rpc.getBlockHash(1)
    const main1 = await mainChainSnapshot(world)
    up!.kill('SIGINT')
    expect(await waitExit(up!, 60_000)).toBe(true)
    expect(up!.exitCode).toBe(0)
    expect(out).toContain('stopped.')
    for (const p of allPorts(worldPorts(base))) expect(await loopbackPortFree(p), `port ${p} still in use`).toBe(true)
    expect(existsSync(path.join(datadir, 'world.lock'))).toBe(false)

    const seconds = await startUp()
    console.log(`regtest up (restart) ready in ${seconds.toFixed(1)} s`)
    expect(out).toContain('resumed')
    expect(out).not.toContain('funding the demo account') // the peg-in funding happens once
    const p2 = new JsonRpcProvider(world.sidechain.rpcUrl, BigInt(world.chainId), { staticNetwork: true })
    expect((await p2.getBlock(1))!.hash).toBe(side1)
    expect(await p2.getBlockNumber()).toBeGreaterThanOrEqual(sideHeight)
    p2.destroy()
    expect(await rpc.getBlockHash(1)).toBe(btc1)
    // The same main chain: its first block, the vault's code, the balances; its height at least what it was.
    const main2 = await mainChainSnapshot(world)
    expect(main2.block1).toBe(main1.block1)
    expect(main2.height).toBeGreaterThanOrEqual(main1.height)
    expect(main2.vaultCode).toBe(main1.vaultCode)
    expect(main2.vaultCode!.length).toBeGreaterThan(1000)
    expect({ ...main2, height: 0n }).toEqual({ ...main1, height: 0n })
  }, 240_000)

  it('a second Ctrl-C while stopping does not orphan anything; if the world is SIGKILLed its validators and signers stop by themselves', async () => {
    up!.kill('SIGINT')
    await sleep(20)
    up!.kill('SIGINT') // while it is stopping its children
    expect(await waitExit(up!, 60_000)).toBe(true)
    // The ordered stop ran to its end (a second signal landing in the last instant of exit may still show as the
    // exit signal: what matters is that nothing was left running).
    expect(out).toContain('stopped.')
    expect(up!.exitCode === 0 || up!.signalCode === 'SIGINT').toBe(true)
    for (const p of allPorts(worldPorts(base))) expect(await loopbackPortFree(p), `port ${p} still in use`).toBe(true)

    await startUp()
    up!.kill('SIGKILL')
    await waitExit(up!, 10_000)
    const members = [...worldPorts(base).rpc, ...worldPorts(base).p2p, ...worldPorts(base).signer]
    let busy = members
    const released = async () => {
      const free = await Promise.all(busy.map((p) => loopbackPortFree(p)))
      busy = busy.filter((_, i) => !free[i])
      return busy.length === 0 || undefined
    }
    await pollUntil("the members' ports released", released, { timeoutMs: 30_000, intervalMs: 500 }).catch(timeoutIsFine)
    expect(busy).toEqual([])
    // bcoin cannot watch for its parent; the next start finds it by its API key, stops it and resumes.
    expect(await loopbackPortFree(worldPorts(base).bitcoinRpc)).toBe(false)
    await startUp()
    expect(out).toContain("stopping this world's bcoin left running")
    expect(out).toContain("stopping this world's anvil left running")
    expect(out).toContain('resumed')
  }, 300_000)

  it('a world set up before the EVM peg (no evm in setup.json) still starts, without anvil, and says it has no EVM peg', async () => {
    up!.kill('SIGINT')
    expect(await waitExit(up!, 60_000)).toBe(true)
    const file = path.join(datadir, 'setup.json')
    const setup = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    delete setup.evm
    writeFileSync(file, JSON.stringify(setup, null, 2) + '\n')
    await startUp()
    expect(out).toContain('it has no EVM main chain and no EVM peg')
    expect(out).toContain('EVM main chain  none')
    expect((await readWorldFile(datadir)).evm).toBeUndefined()
    expect(await loopbackPortFree(base + 40)).toBe(true)
  }, 200_000)
})
