// Where the user commands find the world: `--world DIR` (default ./.causeway, its world.json written by
// `causeway regtest up`), overridden by `--rpc` and `--bitcoin-rpc` (+ user/password); and which key signs
// (`--key`, env CAUSEWAY_KEY, `--keystore FILE`, else the local world's demo key). Every node is probed once
// at the start, so an unreachable one is CLI_NODE_UNREACHABLE naming its URL instead of a stack trace.
import type { Command } from 'commander'
import { JsonRpcProvider, Wallet } from 'ethers'
import { BitcoinRpcClient } from '../federation/bitcoin/rpc-client.js'
import { obtainPassphrase, readKeystore } from '../federation/keystore.js'
import { bridgeReaderAt, type BridgeReader } from '../client/bridge.js'
import { BridgeClient } from '../federation/signer/bridge-client.js'
import { CausewayError, isCausewayError } from '../spv/base/errors.js'
import { DEFAULT_WORLD_DIR, readWorldFile, type WorldFile } from './world-file.js'

export const KEY_ENV = 'CAUSEWAY_KEY'
export const KEYSTORE_PASSPHRASE_ENV = 'CAUSEWAY_KEYSTORE_PASSPHRASE'
const PROBE_TIMEOUT_MS = 10_000

export interface EndpointFlags {
  readonly world?: string
  readonly rpc?: string
  readonly bitcoinRpc?: string
  readonly bitcoinRpcUser?: string
  readonly bitcoinRpcPassword?: string
}

export interface KeyFlags {
  readonly key?: string
  readonly keystore?: string
}

/** Adds the endpoint options (and --json) every user command takes. */
export function withEndpointOptions(cmd: Command, bitcoin = true): Command {
  cmd
    .option('--world <dir>', 'data directory of a local world (reads <dir>/world.json)', DEFAULT_WORLD_DIR)
    .option('--rpc <url>', 'side-chain JSON-RPC URL (overrides the world file)')
  if (bitcoin) {
    cmd
      .option('--bitcoin-rpc <url>', 'Bitcoin node JSON-RPC URL (overrides the world file)')
      .option('--bitcoin-rpc-user <user>', 'Bitcoin RPC user')
      .option('--bitcoin-rpc-password <password>', 'Bitcoin RPC password (bcoin: its API key)')
  }
  return cmd.option('--json', 'print one JSON object on stdout instead of text')
}

/** Adds the signing-key options. */
export function withKeyOptions(cmd: Command): Command {
  return cmd
    .option('--key <hex>', `side-chain private key that signs (or env ${KEY_ENV}; default: the local world's demo key)`)
    .option('--keystore <file>', `encrypted keystore holding the key (passphrase from env ${KEYSTORE_PASSPHRASE_ENV} or a prompt)`)
}

export interface BitcoinEndpoint {
  readonly url: string
  readonly user: string | undefined
  readonly password: string | undefined
}

export interface Endpoints {
  readonly worldDir: string
  /** The world file when there is one (explicit endpoints work without it). */
  readonly world: WorldFile | undefined
  readonly rpcUrl: string
  readonly bitcoin: BitcoinEndpoint | undefined
}

/** Reads the world file (if any) and applies the explicit endpoints over it. */
export async function resolveEndpoints(flags: EndpointFlags, needs: { bitcoin: boolean }): Promise<Endpoints> {
  const worldDir = flags.world ?? DEFAULT_WORLD_DIR
  let world: WorldFile | undefined
  try {
    world = await readWorldFile(worldDir)
  } catch (e) {
    // Without a world file, explicit endpoints are enough.
    const covered = flags.rpc !== undefined && (!needs.bitcoin || flags.bitcoinRpc !== undefined)
    if (!(isCausewayError(e, 'WORLD_NOT_FOUND') && covered)) throw e
  }
  const rpcUrl = flags.rpc ?? world!.sidechain.rpcUrl
  let bitcoin: BitcoinEndpoint | undefined
  if (flags.bitcoinRpc !== undefined) {
    bitcoin = { url: flags.bitcoinRpc, user: flags.bitcoinRpcUser, password: flags.bitcoinRpcPassword }
  } else if (world !== undefined) {
    bitcoin = { url: world.bitcoin.rpcUrl, user: flags.bitcoinRpcUser ?? world.bitcoin.rpcUser, password: flags.bitcoinRpcPassword ?? world.bitcoin.rpcPassword }
  }
  return { worldDir, world, rpcUrl, bitcoin }
}

function unreachable(what: string, url: string, e: unknown): CausewayError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause
  const why = cause?.code ?? cause?.message ?? (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? `no answer within ${PROBE_TIMEOUT_MS} ms` : (e as Error).message)
  return new CausewayError('CLI_NODE_UNREACHABLE', `the ${what} at ${url} is unreachable (${why}); is the world running? (see --world, --rpc, --bitcoin-rpc)`, { details: { url }, cause: e })
}

/** The side chain's chain id, asked once: CLI_NODE_UNREACHABLE when the node does not answer. */
export async function probeSidechain(url: string): Promise<bigint> {
  let body: { result?: string; error?: { message?: string } }
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    })
    body = (await r.json()) as typeof body
  } catch (e) {
    throw unreachable('side-chain node', url, e)
  }
  if (typeof body.result !== 'string') throw new CausewayError('CLI_NODE_BAD_ANSWER', `the side-chain node at ${url} did not give its chain id: ${body.error?.message ?? JSON.stringify(body)}`)
  return BigInt(body.result)
}

/** A Bitcoin RPC client whose node answered getblockcount. */
export async function connectBitcoin(endpoint: BitcoinEndpoint | undefined): Promise<BitcoinRpcClient> {
  if (endpoint === undefined) throw new CausewayError('CLI_NO_BITCOIN_RPC', 'no Bitcoin node: give --bitcoin-rpc (or --world with a world.json)')
  const btc = new BitcoinRpcClient({
    url: endpoint.url,
    ...(endpoint.user === undefined ? {} : { username: endpoint.user }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
  })
  try {
    await btc.getBlockCount()
  } catch (e) {
    if (isCausewayError(e, 'BTC_RPC_UNREACHABLE')) throw unreachable('Bitcoin node', btc.url, e.cause ?? e)
    throw e
  }
  return btc
}

export interface Session {
  readonly endpoints: Endpoints
  readonly chainId: bigint
  readonly provider: JsonRpcProvider
  /** The bridge: views, logs, and writes signed by the session's key (a throw-away one when none was given). */
  readonly bridge: BridgeClient
  /** The bridge's views, typed by its ABI (client/bridge.ts). */
  readonly read: BridgeReader
  close(): void
}

/** Connects to the side-chain node of `endpoints` (probing it first). */
export async function openSession(endpoints: Endpoints, privateKey?: string): Promise<Session> {
  const chainId = await probeSidechain(endpoints.rpcUrl)
  // Views and logs need no key; BridgeClient wants one, so read-only sessions get a key that never signs.
  const bridge = new BridgeClient(endpoints.rpcUrl, privateKey ?? Wallet.createRandom().privateKey, chainId)
  return { endpoints, chainId, provider: bridge.provider, bridge, read: bridgeReaderAt(endpoints.rpcUrl), close: () => bridge.close() }
}

export interface ResolvedKey {
  readonly privateKey: string
  readonly address: string
  readonly source: 'flag' | 'env' | 'keystore' | 'world'
}

function keyFromHex(hex: string, source: ResolvedKey['source']): ResolvedKey {
  const h = hex.trim().startsWith('0x') ? hex.trim() : `0x${hex.trim()}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw new CausewayError('CLI_BAD_KEY', `the ${source === 'env' ? KEY_ENV : '--key'} value is not a private key (64 hex digits)`)
  try {
    const w = new Wallet(h)
    return { privateKey: w.privateKey, address: w.address, source }
  } catch (e) {
    throw new CausewayError('CLI_BAD_KEY', `the ${source === 'env' ? KEY_ENV : '--key'} value is not a valid secp256k1 private key`, { cause: e })
  }
}

/** The signing key: --key, else --keystore, else env CAUSEWAY_KEY, else the world's demo key (CLI_NO_KEY without). */
export async function resolveKey(flags: KeyFlags, world: WorldFile | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedKey> {
  if (flags.key !== undefined) return keyFromHex(flags.key, 'flag')
  if (flags.keystore !== undefined) {
    const passphrase = await obtainPassphrase(env, KEYSTORE_PASSPHRASE_ENV)
    try {
      const k = await readKeystore(flags.keystore, passphrase)
      return keyFromHex(Buffer.from(k.privateKey).toString('hex'), 'keystore')
    } catch (e) {
      if (isCausewayError(e, 'SIGNER_BAD_PASSPHRASE')) throw new CausewayError('CLI_BAD_PASSPHRASE', `wrong passphrase for keystore ${flags.keystore}`, { cause: e })
      if (isCausewayError(e, 'SIGNER_BAD_KEYSTORE')) throw new CausewayError('CLI_BAD_KEYSTORE', e.message, { cause: e })
      throw e
    }
  }
  const fromEnv = env[KEY_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return keyFromHex(fromEnv, 'env')
  if (world !== undefined) return keyFromHex(world.demo.sidechainKey, 'world')
  throw new CausewayError('CLI_NO_KEY', `no key to sign with: give --key, --keystore or env ${KEY_ENV}`)
}
