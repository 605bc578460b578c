// Log queries as eth_getLogs, poll filters and `logs` subscriptions share them: a parsed filter object, its block
// range resolved against the node's head (clamped as geth does) and the address/topic match rule.
import { CausewayError } from '../../spv/base/errors.js'
import { equalBytes } from '../../spv/base/bytes.js'
import type { BlockTag, LogFilter, NodeApi, StoredLog } from '../node/api.js'
import { logMatches } from '../chain/chain-store.js'

/** A filter object after parsing: every topic position is null (any) or a set of allowed topics. */
export interface LogCriteria {
  readonly fromBlock?: BlockTag
  readonly toBlock?: BlockTag
  /** EIP-234: exactly one block, by hash; excludes fromBlock/toBlock. */
  readonly blockHash?: Uint8Array
  /** Any of these; empty = any address. */
  readonly addresses: readonly Uint8Array[]
  readonly topics: readonly (readonly Uint8Array[] | null)[]
}

export interface BlockRange {
  readonly from: bigint
  readonly to: bigint
}

/**
 * The block range a filter covers now. Tags resolve through the node; a toBlock past the head is clamped to it;
 * undefined when the range is empty (a fromBlock past the head). fromBlock after toBlock, both numbers, is an
 * error, as is an unknown blockHash.
 */
export async function resolveLogRange(api: NodeApi, c: LogCriteria): Promise<BlockRange | undefined> {
  if (c.blockHash !== undefined) {
    const block = await api.getBlockByHash(c.blockHash)
    if (block === undefined) throw new CausewayError('RPC_UNKNOWN_BLOCK', 'unknown block')
    return { from: block.header.number, to: block.header.number }
  }
  const from = c.fromBlock ?? 'latest'
  const to = c.toBlock ?? 'latest'
  if (typeof from === 'bigint' && typeof to === 'bigint' && from > to) {
    throw new CausewayError('RPC_INVALID_PARAMS', `invalid block range: fromBlock ${from} is after toBlock ${to}`)
  }
  const head = api.blockNumber()
  const start = typeof from === 'bigint' ? from : api.resolveBlockTag(from)
  const endTag = typeof to === 'bigint' ? to : api.resolveBlockTag(to)
  const end = endTag > head ? head : endTag
  return start > end ? undefined : { from: start, to: end }
}

/** The node-level filter for a range and the criteria's addresses and topics. */
export function toLogFilter(c: LogCriteria, range: BlockRange): LogFilter {
  return {
    fromBlock: range.from,
    toBlock: range.to,
    addresses: c.addresses,
    topics: c.topics,
  }
}

/**
 * Logs matching `c`, optionally narrowed to `window` (poll filters ask only for blocks they have not reported).
 * The node enforces its own range and result limits (RPC_LIMIT_EXCEEDED).
 */
export async function queryLogs(api: NodeApi, c: LogCriteria, window?: BlockRange): Promise<readonly StoredLog[]> {
  const range = await resolveLogRange(api, c)
  if (range === undefined) return []
  const from = window !== undefined && window.from > range.from ? window.from : range.from
  const to = window !== undefined && window.to < range.to ? window.to : range.to
  if (from > to) return []
  const logs = await api.getLogs(toLogFilter(c, { from, to }))
  // A blockHash query is about that block only, even if the number now names another one.
  const blockHash = c.blockHash
  return blockHash === undefined ? logs : logs.filter((l) => equalBytes(l.blockHash, blockHash))
}

/** The eth_getLogs match rule (geth's), shared with the node's own log query: chain/chain-store.ts logMatches. */
export function matchesLog(c: LogCriteria, log: StoredLog): boolean {
  return logMatches(log, { addresses: c.addresses, topics: c.topics })
}
