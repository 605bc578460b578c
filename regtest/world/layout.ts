// Where a local world keeps everything under its one data directory, and which loopback ports it uses. Ports are
// fixed offsets from one base port (default 8545, so validator 0 answers on the port every Ethereum tool tries
// first), so a restarted world answers on the same URLs and a second world on a busy port fails at once.
import path from 'node:path'

export const DEFAULT_BASE_PORT = 8545
/**
 * The world's federation: 4 members, each a validator and a peg signer. Validators finalize with quorum 3
 * (quorumFor(4): n = 3f + 1 with f = 1, so one faulty validator of any kind is tolerated); the peg's multisig is
 * 3 of 4, its own setting (federation/init.ts).
 */
export const MEMBERS = 4
export const SIGNER_THRESHOLD = 3

export interface WorldPorts {
  /** Validator i's JSON-RPC and WebSocket. */
  readonly rpc: readonly number[]
  readonly p2p: readonly number[]
  /** Signer i's /health and /metrics. */
  readonly signer: readonly number[]
  readonly bitcoinRpc: number
  /** Given to bcoin so it never falls back to its default port; nothing listens on it. */
  readonly bitcoinP2p: number
  /** The EVM main chain's JSON-RPC (anvil; main-chain.ts). */
  readonly anvil: number
}

/**
 * Offsets from the base port. 0–3 validators' RPC, 10–13 their p2p, 20–23 signers, 30–31 bcoin, 40 the EVM main
 * chain (anvil, chain id 31337; the signers' EVM duty runs inside the signers, so it needs no port of its own).
 * Offsets 41–49 stay free for more main chains and 50 for the wallet page, so they can join the same world without
 * moving anything.
 */
export function worldPorts(base: number): WorldPorts {
  const row = (offset: number) => Array.from({ length: MEMBERS }, (_, i) => base + offset + i)
  return { rpc: row(0), p2p: row(10), signer: row(20), bitcoinRpc: base + 30, bitcoinP2p: base + 31, anvil: base + 40 }
}

/** Every port a world listens on; `evm` false for a world set up before the EVM peg (no anvil). */
export const allPorts = (p: WorldPorts, evm = true): number[] => [...p.rpc, ...p.p2p, ...p.signer, p.bitcoinRpc, p.bitcoinP2p, ...(evm ? [p.anvil] : [])]

export interface WorldLayout {
  readonly dir: string
  readonly lock: string
  /** What the first start decided (keys, chain, ports): read back on every restart. */
  readonly setup: string
  readonly bitcoin: string
  /** The process id of the world's bcoin, to wait for it when a restart stops one left running. */
  readonly bitcoinPid: string
  readonly federation: string
  /** The EVM main chain's directory: anvil's `state.json` (its whole chain, resumed on restart) and its home. */
  readonly anvil: string
  readonly anvilState: string
  /** The process id of the world's anvil, to stop one left running when the world's process was killed. */
  readonly anvilPid: string
  readonly logs: string
  validatorDir(i: number): string
  validatorConfig(i: number): string
  signerDir(i: number): string
  signerConfig(i: number): string
  log(name: string): string
}

export function worldLayout(dir: string): WorldLayout {
  const d = path.resolve(dir)
  return {
    dir: d,
    lock: path.join(d, 'world.lock'),
    setup: path.join(d, 'setup.json'),
    bitcoin: path.join(d, 'bitcoin'),
    bitcoinPid: path.join(d, 'bitcoin.pid'),
    federation: path.join(d, 'federation'),
    anvil: path.join(d, 'anvil'),
    anvilState: path.join(d, 'anvil', 'state.json'),
    anvilPid: path.join(d, 'anvil.pid'),
    logs: path.join(d, 'logs'),
    validatorDir: (i) => path.join(d, `validator-${i}`),
    validatorConfig: (i) => path.join(d, `validator-${i}.json`),
    signerDir: (i) => path.join(d, `signer-${i}`),
    signerConfig: (i) => path.join(d, `signer-${i}.json`),
    log: (name) => path.join(d, 'logs', `${name}.log`),
  }
}
