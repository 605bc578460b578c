// The node configuration file (`causeway node --config FILE`): parsed once at start with a schema that names the
// bad field, into frozen parameters. One file per node: the chain (same for all), the validator set (same for
// all), and this node's own key, data directory and ports.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { fail } from '../../spv/base/errors.js'
import { hexToBytes } from '../../spv/base/bytes.js'
import { DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, type ChainParams } from '../chain/params.js'
import type { GenesisAlloc } from '../chain/genesis.js'
import { parseBridgeConfig } from '../bridge/config.js'
import { publicKeyOf, type ValidatorSet } from '../consensus/certificate.js'
import { checkThreshold } from '../consensus/quorum.js'

/** The option that accepts a validator set with 3k ≤ 2n (its name is what it claims: see checkThreshold). */
export const TOLERATES_NO_BYZANTINE_OPTION = 'consensus.toleratesNoByzantineValidator'

const hex = (bytes?: number) =>
  z.string().regex(bytes === undefined ? /^0x([0-9a-fA-F]{2})*$/ : new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), bytes === undefined ? 'expected 0x-prefixed hex' : `expected 0x and ${bytes * 2} hex digits`)
const quantity = z.union([z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, 'expected a decimal or 0x-hex integer'), z.number().int().nonnegative()])
const port = z.number().int().min(0).max(65535)

export const nodeConfigSchema = z
  .object({
    chain: z.object({
      name: z.string().min(1).max(32),
      chainId: quantity,
      genesisTime: z.number().int().positive(),
      gasLimit: quantity.optional(),
      minBaseFee: quantity.optional(),
      feeAddress: hex(20),
      alloc: z.array(z.object({ address: hex(20), balance: quantity })).default([]),
      /** The Bitcoin bridge (sidechain/bridge/config.ts); part of the genesis, so the same on every node. */
      bridge: z.unknown().optional(),
    }),
    validators: z.array(z.object({ publicKey: hex(33), p2p: z.string().url() })).min(1),
    /** Precommits that finalize a block (the validators' quorum): 3k > 2n, i.e. at least ⌊2n/3⌋ + 1. */
    threshold: z.number().int().positive(),
    validatorKey: hex(32).optional(),
    validatorKeyFile: z.string().optional(),
    datadir: z.string().min(1),
    rpc: z.object({
      host: z.string().default('127.0.0.1'),
      port,
      /** Most logs one eth_getLogs answers over a range of blocks (a one-block range is always answered whole). */
      maxLogs: z.number().int().positive().optional(),
      /** Widest block range one eth_getLogs may scan. */
      maxLogRange: z.number().int().positive().optional(),
      /** Most gas one eth_call / eth_estimateGas runs with (geth's --rpc.gascap; default 50,000,000). */
      gasCap: z.number().int().positive().optional(),
      /** Wall-clock bound of one eth_call / eth_estimateGas in ms (geth's --rpc.evmtimeout; default 5,000; 0: none). */
      evmTimeoutMs: z.number().int().nonnegative().optional(),
    }),
    p2p: z.object({ host: z.string().default('127.0.0.1'), port }),
    /** Where to fetch final blocks and forward transactions; default: every validator's p2p URL but our own. */
    peers: z.array(z.string().url()).optional(),
    consensus: z
      .object({
        roundMs: z.number().int().positive().optional(),
        roundIncrementMs: z.number().int().nonnegative().optional(),
        /** Sign with a missing or stale sign log (risks a double sign; see Engine). */
        unsafeSignWithoutHistory: z.boolean().optional(),
        /**
         * Accept a threshold with 3k ≤ 2n (e.g. 2 of 3): safe only while no validator ever signs two blocks at one
         * height — one such faulty validator can then finalize two blocks at one height.
         */
        toleratesNoByzantineValidator: z.boolean().optional(),
      })
      .default({}),
  })
  .strict()

export type NodeConfigFile = z.infer<typeof nodeConfigSchema>

export interface NodeConfig {
  readonly params: ChainParams
  readonly alloc: readonly GenesisAlloc[]
  readonly set: ValidatorSet
  /** Validator p2p URLs, by index. */
  readonly validatorUrls: readonly string[]
  /** This node's validator index and key; undefined for a full node. */
  readonly validator: { readonly index: number; readonly key: Uint8Array } | undefined
  readonly datadir: string
  readonly rpc: { readonly host: string; readonly port: number; readonly maxLogs?: number; readonly maxLogRange?: number; readonly gasCap?: number; readonly evmTimeoutMs?: number }
  readonly p2p: { readonly host: string; readonly port: number }
  readonly peers: readonly string[]
  readonly consensus: { readonly roundMs?: number; readonly roundIncrementMs?: number; readonly unsafeSignWithoutHistory?: boolean; readonly toleratesNoByzantineValidator?: boolean }
}

const big = (q: string | number): bigint => BigInt(q)

/** Validates a parsed JSON configuration; errors name the field (NODE_BAD_CONFIG). */
export async function parseNodeConfig(json: unknown, baseDir: string): Promise<NodeConfig> {
  const result = nodeConfigSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]!
    fail('NODE_BAD_CONFIG', `configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: issue.path.join('.') })
  }
  const c = result.data
  const n = c.validators.length
  // Two quorums must share more than f validators (3k > 2n), or a faulty one in both can finalize two blocks at one
  // height (CONSENSUS_BAD_THRESHOLD); a set that trusts every validator may say so, but never with 2k ≤ n.
  checkThreshold(n, c.threshold, { tolerateNoByzantine: c.consensus.toleratesNoByzantineValidator === true, optionName: TOLERATES_NO_BYZANTINE_OPTION })
  const keys = c.validators.map((v, i) => hexToBytes(v.publicKey, `validators[${i}].publicKey`, 33))
  let key: Uint8Array | undefined
  if (c.validatorKey !== undefined) key = hexToBytes(c.validatorKey, 'validatorKey', 32)
  else if (c.validatorKeyFile !== undefined) {
    const file = path.resolve(baseDir, c.validatorKeyFile)
    const text = (await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => fail('NODE_BAD_CONFIG', `validatorKeyFile ${file}: ${e.code ?? e.message}`))).trim()
    key = hexToBytes(text, 'validatorKeyFile', 32)
  }
  let validator: NodeConfig['validator']
  if (key !== undefined) {
    const pub = publicKeyOf(key)
    const index = keys.findIndex((k) => k.every((b, i) => b === pub[i]))
    if (index < 0) fail('NODE_BAD_CONFIG', 'configuration: the validator key is not one of the configured validators')
    validator = { index, key }
  }
  const validatorUrls = c.validators.map((v) => v.p2p)
  const peers = c.peers ?? validatorUrls.filter((_, i) => i !== validator?.index)
  return {
    params: Object.freeze({
      name: c.chain.name,
      chainId: big(c.chain.chainId),
      gasLimit: c.chain.gasLimit === undefined ? DEFAULT_GAS_LIMIT : big(c.chain.gasLimit),
      minBaseFee: c.chain.minBaseFee === undefined ? DEFAULT_MIN_BASE_FEE : big(c.chain.minBaseFee),
      feeAddress: hexToBytes(c.chain.feeAddress, 'chain.feeAddress', 20),
      genesisTime: BigInt(c.chain.genesisTime),
      ...(c.chain.bridge === undefined ? {} : { bridge: parseBridgeConfig(c.chain.bridge, big(c.chain.chainId)) }),
    }),
    alloc: c.chain.alloc.map((a, i) => ({ address: hexToBytes(a.address, `chain.alloc[${i}].address`, 20), balance: big(a.balance) })),
    set: Object.freeze({ keys, threshold: c.threshold }),
    validatorUrls,
    validator,
    datadir: path.resolve(baseDir, c.datadir),
    rpc: c.rpc,
    p2p: c.p2p,
    peers,
    consensus: c.consensus,
  }
}

export async function loadNodeConfig(file: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    fail('NODE_BAD_CONFIG', `cannot read configuration ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    fail('NODE_BAD_CONFIG', `configuration ${file} is not JSON: ${(e as Error).message}`)
  }
  return parseNodeConfig(json, path.dirname(path.resolve(file)))
}
