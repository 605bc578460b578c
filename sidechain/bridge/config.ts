// The bridge's parameters (ARCHITECTURE.md decisions 5–7): the federation, the Bitcoin network and checkpoint,
// confirmations, minimums, the batch interval and the fee-rate bounds. They are part of the chain's identity:
// genesis writes them into the bridge's storage (so the state root binds them), and the precompile reads them
// from there, never from a node's local configuration.
import { z } from 'zod'
import * as ecc from 'tiny-secp256k1'
import { bytesToHex, hexToBytes } from '../../spv/base/bytes.js'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { getBitcoinNetwork, type BitcoinNetwork } from '../../spv/bitcoin/networks.js'
import type { Checkpoint } from '../../spv/bitcoin/validate.js'
import { checkpointEntry } from '../../spv/bitcoin/validate.js'
import { addressNetworkFor, createFederation, type AddressNetwork, type Federation } from '../../peg/bitcoin/index.js'
import { keccak256 } from '../exec/crypto.js'

export interface BridgeConfig {
  readonly chainId: bigint
  readonly federation: Federation
  /** Side-chain addresses of the members, in member order: the Ethereum address of each member's peg key. */
  readonly members: readonly Uint8Array[]
  readonly network: BitcoinNetwork
  readonly addressNetwork: AddressNetwork
  readonly checkpoint: Checkpoint
  /** Confirmations a peg-in (or a peg-out's confirmation) needs on the bridge's best chain. */
  readonly confirmations: number
  readonly allowTaproot: boolean
  /** Deposits below this are held for the recipient, not minted (PROTOCOL.md "Below the minimum"). */
  readonly minPegInSats: bigint
  readonly minPegOutSats: bigint
  /** Side-chain blocks between batches. */
  readonly batchIntervalBlocks: number
  /** Most requests in one batch; the rest wait for the next. */
  readonly maxBatchRequests: number
  /**
   * Most inputs one batch transaction may take (issue 11 item 1), further bounded by what stays standard and storable
   * for this federation (peg/bitcoin/batch-limits.ts maxInputsFor). Past it the bridge consolidates first.
   */
  readonly maxBatchInputs: number
  /** Bounds of the fee rate the bridge uses (sat/vB): the median of the members' reports, clamped. */
  readonly feeRateFloor: bigint
  readonly feeRateCeiling: bigint
  /** A member's fee-rate report counts for this many seconds of block time; then it is ignored (issue 11 item 7). */
  readonly feeReportMaxAgeSeconds: number
  /** The EVM main chains the bridge serves (peg/evm/PROTOCOL.md), when the configuration has an `evm` section. */
  readonly evm?: EvmBridgeConfig
}

/** One EVM main chain: its chain id and the vault contract the bridge accepts logs from. */
export interface EvmChainConfig {
  readonly chainId: bigint
  readonly vault: Uint8Array
}

export interface EvmBridgeConfig {
  readonly chains: readonly EvmChainConfig[]
}

/** Most EVM main chains one bridge serves (PROTOCOL.md "Parties and keys"). */
export const MAX_EVM_CHAINS = 8

const hex = z.string().regex(/^(0x)?[0-9a-fA-F]*$/, 'must be hex')
const uint = z.union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/, 'must be an unsigned integer')])

/** The bridge section of a chain's configuration file (JSON), also the form stored at genesis. */
export const bridgeConfigSchema = z.object({
  federation: z.object({
    pubkeys: z.array(hex).min(1).max(15),
    threshold: z.number().int().min(1),
  }),
  bitcoin: z.object({
    network: z.enum(['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest']),
    /** The address prefix of the Bitcoin node in use when it differs from the network's (bcoin regtest: `rb`). */
    bech32: z.string().min(1).max(10).optional(),
    checkpoint: z.object({
      height: z.number().int().nonnegative(),
      header: hex,
      chainWork: uint,
      periodStartTime: z.number().int().optional(),
      periodStartBits: z.number().int().optional(),
      lastRegularBits: z.number().int().optional(),
      prevTimes: z.array(z.number().int()).max(10).optional(),
    }),
    confirmations: z.number().int().min(1).max(1000).default(6),
    /** Accept taproot peg-out addresses (false for Bitcoin nodes that predate taproot, like bcoin 1.0.2). */
    allowTaproot: z.boolean().default(true),
  }),
  minPegInSats: uint.default(10_000),
  minPegOutSats: uint.default(20_000),
  batchIntervalBlocks: z.number().int().min(1).max(100_000).default(5),
  maxBatchRequests: z.number().int().min(1).max(500).default(200),
  maxBatchInputs: z.number().int().min(2).max(1000).default(100),
  feeRateFloor: uint.default(1),
  feeRateCeiling: uint.default(50),
  feeReportMaxAgeSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(1800),
  /** Optional: the EVM main chains (peg/evm/PROTOCOL.md). Absent, the stored bytes are those of before it existed. */
  evm: z
    .object({
      chains: z.array(z.object({ chainId: uint, vault: hex })).min(1).max(MAX_EVM_CHAINS),
    })
    .optional(),
})

export type BridgeConfigJson = z.input<typeof bridgeConfigSchema>

/** The Ethereum address of a secp256k1 public key (compressed or not). */
export function evmAddressOfKey(pubkey: Uint8Array): Uint8Array {
  const full = ecc.pointCompress(pubkey, false)
  return keccak256(full.subarray(1)).slice(12)
}

/** Parses and checks the bridge configuration; errors name the bad field (BRIDGE_BAD_CONFIG). */
export function parseBridgeConfig(json: unknown, chainId: bigint): BridgeConfig {
  const parsed = bridgeConfigSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    fail('BRIDGE_BAD_CONFIG', `bridge configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  const c = parsed.data
  const pubkeys = c.federation.pubkeys.map((k, i) => hexToBytes(k, `bridge.federation.pubkeys[${i}]`, 33))
  let federation: Federation
  try {
    federation = createFederation(pubkeys, c.federation.threshold)
  } catch (e) {
    const code = e instanceof CausewayError ? e.code : 'PEG_FEDERATION_INVALID'
    fail('BRIDGE_BAD_CONFIG', `bridge configuration: federation: ${(e as Error).message} (${code})`, undefined, e)
  }
  const network = getBitcoinNetwork(c.bitcoin.network)
  const checkpoint: Checkpoint = {
    height: c.bitcoin.checkpoint.height,
    header: hexToBytes(c.bitcoin.checkpoint.header, 'bridge.bitcoin.checkpoint.header', 80),
    chainWork: BigInt(c.bitcoin.checkpoint.chainWork),
    ...(c.bitcoin.checkpoint.periodStartTime === undefined ? {} : { periodStartTime: c.bitcoin.checkpoint.periodStartTime }),
    ...(c.bitcoin.checkpoint.periodStartBits === undefined ? {} : { periodStartBits: c.bitcoin.checkpoint.periodStartBits }),
    ...(c.bitcoin.checkpoint.lastRegularBits === undefined ? {} : { lastRegularBits: c.bitcoin.checkpoint.lastRegularBits }),
    ...(c.bitcoin.checkpoint.prevTimes === undefined ? {} : { prevTimes: c.bitcoin.checkpoint.prevTimes }),
  }
  try {
    checkpointEntry(network, checkpoint, true)
  } catch (e) {
    fail('BRIDGE_BAD_CONFIG', `bridge configuration: bitcoin.checkpoint: ${(e as Error).message}`, undefined, e)
  }
  const config: BridgeConfig = {
    chainId,
    federation,
    members: pubkeys.map(evmAddressOfKey),
    network,
    addressNetwork: addressNetworkFor(network, c.bitcoin.bech32),
    checkpoint,
    confirmations: c.bitcoin.confirmations,
    allowTaproot: c.bitcoin.allowTaproot,
    minPegInSats: BigInt(c.minPegInSats),
    minPegOutSats: BigInt(c.minPegOutSats),
    batchIntervalBlocks: c.batchIntervalBlocks,
    maxBatchRequests: c.maxBatchRequests,
    maxBatchInputs: c.maxBatchInputs,
    feeRateFloor: BigInt(c.feeRateFloor),
    feeRateCeiling: BigInt(c.feeRateCeiling),
    feeReportMaxAgeSeconds: c.feeReportMaxAgeSeconds,
  }
  if (config.feeRateFloor < 1n || config.feeRateCeiling < config.feeRateFloor) {
    fail('BRIDGE_BAD_CONFIG', 'bridge configuration: feeRateFloor must be ≥ 1 and ≤ feeRateCeiling')
  }
  if (config.minPegInSats < 1n || config.minPegOutSats < 1n) fail('BRIDGE_BAD_CONFIG', 'bridge configuration: minimums must be positive')
  if (c.evm === undefined) return Object.freeze(config)
  return Object.freeze({ ...config, evm: parseEvmSection(c.evm.chains) })
}

function parseEvmSection(chains: readonly { chainId: string | number; vault: string }[]): EvmBridgeConfig {
  const seen = new Set<bigint>()
  const out = chains.map((ch, i) => {
    const chainId = BigInt(ch.chainId)
    if (chainId < 1n || chainId >= 1n << 64n) fail('BRIDGE_BAD_CONFIG', `bridge configuration: evm.chains[${i}].chainId must be in [1, 2^64)`)
    if (seen.has(chainId)) fail('BRIDGE_BAD_CONFIG', `bridge configuration: evm.chains[${i}].chainId ${chainId} appears twice`)
    seen.add(chainId)
    let vault: Uint8Array
    try {
      vault = hexToBytes(ch.vault, `bridge.evm.chains[${i}].vault`, 20)
    } catch (e) {
      fail('BRIDGE_BAD_CONFIG', `bridge configuration: evm.chains[${i}].vault: ${(e as Error).message}`, undefined, e)
    }
    if (vault.every((b) => b === 0)) fail('BRIDGE_BAD_CONFIG', `bridge configuration: evm.chains[${i}].vault must not be the zero address`)
    return Object.freeze({ chainId, vault })
  })
  return Object.freeze({ chains: Object.freeze(out) })
}

/** The canonical JSON form of a parsed configuration (what genesis stores), so every node stores the same bytes. */
export function canonicalBridgeConfig(c: BridgeConfig): Uint8Array {
  const cp = c.checkpoint
  const json = {
    federation: { pubkeys: c.federation.pubkeys.map((k) => bytesToHex(k)), threshold: c.federation.threshold },
    bitcoin: {
      network: c.network.name,
      bech32: c.addressNetwork.bech32,
      checkpoint: {
        height: cp.height,
        header: bytesToHex(cp.header),
        chainWork: cp.chainWork.toString(),
        ...(cp.periodStartTime === undefined ? {} : { periodStartTime: cp.periodStartTime }),
        ...(cp.periodStartBits === undefined ? {} : { periodStartBits: cp.periodStartBits }),
        ...(cp.lastRegularBits === undefined ? {} : { lastRegularBits: cp.lastRegularBits }),
        ...(cp.prevTimes === undefined ? {} : { prevTimes: [...cp.prevTimes] }),
      },
      confirmations: c.confirmations,
      allowTaproot: c.allowTaproot,
    },
    minPegInSats: c.minPegInSats.toString(),
    minPegOutSats: c.minPegOutSats.toString(),
    batchIntervalBlocks: c.batchIntervalBlocks,
    maxBatchRequests: c.maxBatchRequests,
    maxBatchInputs: c.maxBatchInputs,
    feeRateFloor: c.feeRateFloor.toString(),
    feeRateCeiling: c.feeRateCeiling.toString(),
    feeReportMaxAgeSeconds: c.feeReportMaxAgeSeconds,
    // Only when present, last: a configuration without it stores exactly the bytes it stored before (state roots).
    ...(c.evm === undefined ? {} : { evm: { chains: c.evm.chains.map((ch) => ({ chainId: ch.chainId.toString(), vault: bytesToHex(ch.vault) })) } }),
  }
  return new TextEncoder().encode(JSON.stringify(json))
}

const decoded = new Map<string, BridgeConfig>()

/** Decodes the stored form (cached: the precompile reads it on every call). */
export function decodeBridgeConfig(bytes: Uint8Array, chainId: bigint): BridgeConfig {
  const key = `${chainId}:${bytesToHex(bytes)}`
  let c = decoded.get(key)
  if (c === undefined) {
    c = parseBridgeConfig(JSON.parse(new TextDecoder().decode(bytes)), chainId)
    if (decoded.size > 16) decoded.clear()
    decoded.set(key, c)
  }
  return c
}
