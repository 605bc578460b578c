// Starts a real federation for tests: n validator processes and optional full nodes (`causeway node --config`),
// each with its own data directory and free loopback ports, optionally with a TCP proxy on every validator-to-
// validator link so a test can cut and heal links.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { pointFromScalar } from 'tiny-secp256k1'
import { freePort } from './ports.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'
import { managedChild, type ManagedChild } from './managed-child.js'
import { quorumFor } from '../../sidechain/consensus/quorum.js'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

/** The test-only prefund plain side-chain tests (no bridge, so no way to peg in) ask for: 10^6 coins. */
export const TEST_PREFUND_WEI = 10n ** 24n

/** The test side chain's id (every federation started here). */
export const TEST_SIDE_CHAIN_ID = 0xca05e1n

/** A validator or full node process (the managed child's controls) and where it lives. */
export interface MemberProcess extends Pick<ManagedChild, 'name' | 'output' | 'running' | 'start' | 'kill' | 'stop'> {
  readonly rpcUrl: string
  readonly configFile: string
  readonly datadir: string
}

export interface Federation {
  readonly validators: readonly MemberProcess[]
  readonly fullNodes: readonly MemberProcess[]
  readonly chainId: bigint
  /** The validators' quorum every node was configured with. */
  readonly threshold: number
  /** Key of the test account: prefunded with testPrefundWei at genesis when the options ask for it, else empty. */
  readonly fundedKey: string
  /** Validator keys (hex) and their real p2p URLs (not through proxies), by index. */
  readonly validatorKeys: readonly string[]
  readonly p2pUrls: readonly string[]
  readonly feeAddress: string
  /** Cut or heal the link between validators a and b (both directions); needs `proxies: true`. */
  cut(a: number, b: number): void
  heal(a: number, b: number): void
  close(): Promise<void>
}

export interface FederationOptions {
  /** Default 4: n = 3f + 1 with f = 1. */
  readonly validators?: number
  /** The validators' quorum; default quorumFor(n) (3 of 4). */
  readonly threshold?: number
  /**
   * Set a node's `consensus.toleratesNoByzantineValidator`, which a threshold with 3k ≤ 2n (e.g. 2 of 3) needs: for
   * tests about something other than Byzantine faults, where a fourth process only costs time.
   */
  readonly toleratesNoByzantineValidator?: boolean
  readonly fullNodes?: number
  readonly proxies?: boolean
  readonly roundMs?: number
  /** Start only these validators at first (default all). */
  readonly startValidators?: readonly number[]
  readonly startFullNodes?: boolean
  /** The chain's bridge section (sidechain/bridge/config.ts), if the chain has a Bitcoin bridge. */
  readonly bridge?: unknown
  /**
   * A TEST-ONLY genesis prefund of the test account (fundedKey), in wei: unpegged native coin, which a real chain
   * never has (ARCHITECTURE.md decision 1) and `causeway audit` reports as unbacked. Absent: no prefund.
   */
  readonly testPrefundWei?: bigint
  /** More TEST-ONLY genesis allocations (address, wei): unpegged, reported by `causeway audit` as unbacked. */
  readonly alloc?: readonly { readonly address: string; readonly balance: bigint }[]
  /** Validator keys to use (hex), e.g. from `federation init`; default random. */
  readonly validatorKeys?: readonly string[]
  /** eth_getLogs bounds of every node (config `rpc.maxLogs`, `rpc.maxLogRange`); default the node's. */
  readonly logLimits?: { readonly maxLogs?: number; readonly maxLogRange?: number }
}

function member(name: string, configFile: string, datadir: string, rpcUrl: string): MemberProcess {
  const child = managedChild(name, { args: ['node', '--config', configFile], readyMarker: '"federation node ready"' })
  return { ...child, rpcUrl, configFile, datadir }
}

export async function startFederation(options: FederationOptions = {}): Promise<Federation> {
  const n = options.validators ?? 4
  const k = options.threshold ?? quorumFor(n)
  const tolerates = options.toleratesNoByzantineValidator === true ? { toleratesNoByzantineValidator: true } : {}
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-fed-'))
  const keys = options.validatorKeys?.map((k) => Buffer.from(k.replace(/^0x/, ''), 'hex')) ?? Array.from({ length: n }, () => randomBytes(32))
  const pubs = keys.map((key) => pointFromScalar(key, true)!)
  const p2pPorts = await Promise.all(keys.map(() => freePort()))
  const rpcPorts = await Promise.all(keys.map(() => freePort()))
  const fundedKey = randomBytes(32)
  const { createAddressFromPrivateKey } = await import('@ethereumjs/util')
  const funded = createAddressFromPrivateKey(fundedKey).toString()
  const feeAddress = createAddressFromPrivateKey(randomBytes(32)).toString()
  const chainId = TEST_SIDE_CHAIN_ID
  const chain = {
    name: 'regtest',
    chainId: `0x${chainId.toString(16)}`,
    genesisTime: Math.floor(Date.now() / 1000) - 10,
    feeAddress,
    alloc: [
      ...(options.testPrefundWei === undefined ? [] : [{ address: funded, balance: options.testPrefundWei.toString() }]),
      ...(options.alloc ?? []).map((a) => ({ address: a.address, balance: a.balance.toString() })),
    ],
    ...(options.bridge === undefined ? {} : { bridge: options.bridge }),
  }
  // Proxies on every directed validator link (i talks to j through proxy[i][j]).
  const proxies: (TcpProxy | undefined)[][] = Array.from({ length: n }, () => Array<TcpProxy | undefined>(n).fill(undefined))
  if (options.proxies === true) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) proxies[i]![j] = await startTcpProxy({ host: '127.0.0.1', port: p2pPorts[j]! })
  }
  const validatorsFor = (i: number | undefined) =>
    pubs.map((p, j) => ({ publicKey: hex(p), p2p: `http://127.0.0.1:${i !== undefined && proxies[i]![j] !== undefined ? proxies[i]![j]!.port : p2pPorts[j]}/` }))
  const validators = keys.map((key, i) => {
    const datadir = path.join(dir, `v${i}`)
    const configFile = path.join(dir, `v${i}.json`)
    writeFileSync(
      configFile,
      JSON.stringify(
        {
          chain,
          validators: validatorsFor(i),
          threshold: k,
          validatorKey: hex(key),
          datadir,
          rpc: { host: '127.0.0.1', port: rpcPorts[i], ...options.logLimits },
          p2p: { host: '127.0.0.1', port: p2pPorts[i] },
          consensus: { roundMs: options.roundMs ?? 3000, roundIncrementMs: 1000, ...tolerates },
        },
        null,
        2,
      ),
    )
    return member(`validator ${i}`, configFile, datadir, `http://127.0.0.1:${rpcPorts[i]}/`)
  })
  const fullNodes: MemberProcess[] = []
  for (let f = 0; f < (options.fullNodes ?? 0); f++) {
    const datadir = path.join(dir, `full${f}`)
    const configFile = path.join(dir, `full${f}.json`)
    const rpc = await freePort()
    writeFileSync(
      configFile,
      JSON.stringify({ chain, validators: validatorsFor(undefined), threshold: k, consensus: tolerates, datadir, rpc: { host: '127.0.0.1', port: rpc, ...options.logLimits }, p2p: { host: '127.0.0.1', port: await freePort() } }, null, 2),
    )
    fullNodes.push(member(`full node ${f}`, configFile, datadir, `http://127.0.0.1:${rpc}/`))
  }
  const fed: Federation = {
    validators,
    fullNodes,
    chainId,
    threshold: k,
    fundedKey: hex(fundedKey),
    validatorKeys: keys.map((k) => hex(k)),
    p2pUrls: p2pPorts.map((p) => `http://127.0.0.1:${p}/`),
    feeAddress,
    cut(a, b) {
      proxies[a]![b]!.cut('blackhole')
      proxies[b]![a]!.cut('blackhole')
    },
    heal(a, b) {
      proxies[a]![b]!.heal()
      proxies[b]![a]!.heal()
    },
    async close() {
      await Promise.all([...validators, ...fullNodes].map((m) => m.stop()))
      for (const row of proxies) for (const p of row) await p?.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await Promise.all(validators.filter((_, i) => options.startValidators === undefined || options.startValidators.includes(i)).map((v) => v.start()))
    if (options.startFullNodes !== false) for (const f of fullNodes) await f.start()
  } catch (e) {
    await fed.close()
    throw e
  }
  return fed
}
