// The bridge as the user commands read and call it: typed views (parameters, federation, reserves), its events over
// the whole chain, and a write that is dry-run first so a refusal is the bridge's own BridgeError code and costs
// nothing. Everything goes through the session's BridgeClient (federation/signer/bridge-client.ts).
import { readSplitting } from '../federation/signer/log-ranges.js'
import type { TransactionReceipt } from 'ethers'
import { bridgeAbi } from '../sidechain/bridge/abi.js'
import { BRIDGE, type BridgeLog } from '../federation/signer/bridge-client.js'
import { createFederation, type Federation } from '../peg/bitcoin/index.js'
import { bytesToHex, displayHexToHash, hashToDisplayHex, hexToBytes } from '../spv/base/bytes.js'
import { CausewayError } from '../spv/base/errors.js'
import type { Session } from './connect.js'
import { asCausewayError, type Progress } from './report.js'

/** The node serves logs over at most this many blocks per call (sidechain/node/node.ts maxLogRange). */
const LOG_RANGE = 10_000

export interface BridgeParams {
  readonly confirmations: number
  readonly minPegInSats: bigint
  readonly minPegOutSats: bigint
  readonly batchIntervalBlocks: number
  readonly feeRateFloor: bigint
  readonly feeRateCeiling: bigint
}

export async function bridgeParams(s: Session): Promise<BridgeParams> {
  const p = await s.read.getBridgeParams()
  return {
    confirmations: Number(p[0]),
    minPegInSats: p[1]!,
    minPegOutSats: p[2]!,
    batchIntervalBlocks: Number(p[3]),
    feeRateFloor: p[4]!,
    feeRateCeiling: p[5]!,
  }
}

export interface FederationView {
  readonly fed: Federation
  readonly threshold: number
  readonly address: string
  readonly descriptor: string
  readonly members: readonly string[]
}

export async function federationView(s: Session): Promise<FederationView> {
  const [pubkeys, threshold, address, descriptor, members] = await s.read.getFederation()
  const fed = createFederation(
    pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)),
    Number(threshold),
  )
  return { fed, threshold: Number(threshold), address, descriptor, members: [...members] }
}

export interface Reserves {
  readonly federationSats: bigint
  readonly nativeSupplyWei: bigint
  readonly pendingPegOutSats: bigint
}

/** The bridge's getReserves, at `blockTag` (default latest). */
export async function reserves(s: Session, blockTag?: number): Promise<Reserves> {
  const [federationSats, nativeSupplyWei, pendingPegOutSats] = await s.read.getReserves(blockTag === undefined ? {} : { blockNumber: BigInt(blockTag) })
  return { federationSats, nativeSupplyWei, pendingPegOutSats }
}

/** The bridge's best Bitcoin block (display-order hash) and height. */
export async function bridgeBest(s: Session): Promise<{ hash: string; height: number }> {
  const [hash, height] = await s.read.getBtcBestBlock()
  return { hash: hashToDisplayHex(hexToBytes(hash, 'hash', 32)), height: Number(height) }
}

/** Confirmations of a Bitcoin block (display-order hash) on the bridge's best chain; ≤ 0 when it is not on it. */
export async function bridgeConfirmations(s: Session, blockHashDisplay: string): Promise<number> {
  return Number(await s.read.getBtcConfirmations([`0x${bytesToHex(displayHexToHash(blockHashDisplay))}`]))
}

/** A display-order txid as the bridge's bytes32 (internal order). */
export const txidArg = (display: string): `0x${string}` => `0x${bytesToHex(displayHexToHash(display))}`

/** A bytes32 txid from the bridge (internal order) in display order. */
export const displayTxid = (bytes32: string): string => hashToDisplayHex(hexToBytes(bytes32, 'txid', 32))

/**
 * Bridge events from block `from` to the head, decoded, in chain order; optionally only `event` and with its
 * first indexed topic equal to `topic1` (hex32).
 */
export async function bridgeLogs(s: Session, filter: { event?: string; topic1?: string; from?: number } = {}): Promise<BridgeLog[]> {
  const head = await s.provider.getBlockNumber()
  const topics: (string | null)[] = []
  if (filter.event !== undefined) topics.push(bridgeAbi.getEvent(filter.event)!.topicHash)
  if (filter.topic1 !== undefined) {
    if (topics.length === 0) topics.push(null)
    topics.push(filter.topic1)
  }
  const out: BridgeLog[] = []
  for (let from = filter.from ?? 0; from <= head; from += LOG_RANGE) {
    const to = Math.min(head, from + LOG_RANGE - 1)
    const raw = await readSplitting(from, to, (a, b) => s.provider.getLogs({ address: BRIDGE, fromBlock: a, toBlock: b, topics }))
    for (const l of raw) {
      const parsed = bridgeAbi.parseLog({ topics: [...l.topics], data: l.data })
      if (parsed !== null) out.push({ blockNumber: l.blockNumber, logIndex: l.index, name: parsed.name, args: parsed.args })
    }
  }
  out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
  return out
}

/** The bridge events of a receipt, decoded. */
export function receiptEvents(receipt: TransactionReceipt): BridgeLog[] {
  const out: BridgeLog[] = []
  for (const l of receipt.logs) {
    if (l.address.toLowerCase() !== BRIDGE.toLowerCase()) continue
    const parsed = bridgeAbi.parseLog({ topics: [...l.topics], data: l.data })
    if (parsed !== null) out.push({ blockNumber: l.blockNumber, logIndex: l.index, name: parsed.name, args: parsed.args })
  }
  return out
}

/**
 * Calls a bridge method in a side-chain transaction signed by the session's key: dry-run first (a refusal throws
 * the bridge's code and nothing is sent), then sent and waited for (progress on stderr).
 */
export async function sendBridge(s: Session, method: string, args: readonly unknown[], progress: Progress, value?: bigint): Promise<TransactionReceipt> {
  const fn = s.bridge.contract.getFunction(method)
  const overrides = value === undefined ? {} : { value }
  let gas: bigint
  try {
    await fn.staticCall(...args, { ...overrides, from: s.bridge.wallet.address })
    gas = await fn.estimateGas(...args, overrides)
  } catch (e) {
    throw asCausewayError(e) ?? e
  }
  const tx = await fn.send(...args, { ...overrides, gasLimit: gas + gas / 5n + 10_000n })
  progress(`sent ${method} in side-chain transaction ${tx.hash}; waiting for its block…`)
  const receipt = (await tx.wait(1, 120_000)) as TransactionReceipt | null
  if (receipt === null || receipt.status !== 1) {
    throw new CausewayError('CLI_TX_FAILED', `side-chain transaction ${tx.hash} (${method}) failed`, { details: { hash: tx.hash } })
  }
  return receipt
}
