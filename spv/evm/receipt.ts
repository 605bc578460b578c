// EVM transaction receipts in their consensus encoding (the leaves of a block's receipts trie): parsed from
// `eth_getTransactionReceipt` JSON, encoded and strictly decoded, legacy and EIP-2718 typed.
import { fail } from '../base/errors.js'
import {
  UINT64_MAX,
  asBytes,
  asList,
  asRecord,
  asUint,
  decodeRlp,
  encodeRlp,
  isPresent,
  jsonBytes,
  jsonHex,
  jsonUint,
  uintToRlpBytes,
} from './rlp.js'

export const EVM_RECEIPT_MALFORMED = 'EVM_RECEIPT_MALFORMED'

/**
 * Receipt types whose payload we know: 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844, 4 EIP-7702. EIP-2718 lets
 * each type define its own receipt, so an unknown type is refused rather than guessed at.
 */
export const RECEIPT_TYPES: readonly number[] = [0, 1, 2, 3, 4]

export interface ReceiptLog {
  readonly address: Uint8Array
  /** 0 to 4 topics (LOG0 … LOG4), 32 bytes each. */
  readonly topics: readonly Uint8Array[]
  readonly data: Uint8Array
}

/** Exactly one of `status` (EIP-658, Byzantium on) and `root` (the post-transaction state root, before it) is set. */
export interface Receipt {
  readonly type: number
  readonly status?: 0 | 1
  readonly root?: Uint8Array
  readonly cumulativeGasUsed: bigint
  readonly logsBloom: Uint8Array
  readonly logs: readonly ReceiptLog[]
}

const MAX_TOPICS = 4
const BAD = EVM_RECEIPT_MALFORMED
const what = 'receipt'

/**
 * Parses an `eth_getTransactionReceipt` result, keeping the consensus fields. Some nodes report a `status` for
 * pre-Byzantium receipts instead of their `root`; such a receipt cannot rebuild its block's receiptsRoot, which is
 * where the mistake shows.
 */
export function receiptFromRpc(json: object): Receipt {
  const r = asRecord(json, BAD, what)
  // Nodes before Berlin (EIP-2718) report no `type`: such receipts are legacy.
  const type = isPresent(r, 'type') ? Number(jsonUint(r, 'type', BAD, what, 0xffn)) : 0
  if (!RECEIPT_TYPES.includes(type)) {
    fail(BAD, `receipt.type: unsupported type ${type}`, { field: 'type', type })
  }
  const hasStatus = isPresent(r, 'status')
  const hasRoot = isPresent(r, 'root') && r['root'] !== '0x'
  if (hasStatus === hasRoot) {
    fail(BAD, `receipt: needs exactly one of status and root`, { field: hasStatus ? 'root' : 'status' })
  }
  const outcome: { status?: 0 | 1; root?: Uint8Array } = {}
  if (hasStatus) {
    outcome.status = Number(jsonUint(r, 'status', BAD, what, 1n)) as 0 | 1
  } else {
    if (type !== 0) fail(BAD, 'receipt.root: typed receipts carry a status, not a root', { field: 'root' })
    outcome.root = jsonBytes(r, 'root', BAD, what, 32)
  }
  const logsJson = r['logs']
  if (!Array.isArray(logsJson)) fail(BAD, 'receipt.logs: expected an array', { field: 'logs' })
  const logs = logsJson.map((l: unknown, i: number): ReceiptLog => {
    const label = `receipt.logs[${i}]`
    const log = asRecord(l, BAD, label)
    const topicsJson = log['topics']
    if (!Array.isArray(topicsJson) || topicsJson.length > MAX_TOPICS) {
      fail(BAD, `${label}.topics: expected at most ${MAX_TOPICS} topics`, { field: `logs[${i}].topics` })
    }
    return {
      address: jsonBytes(log, 'address', BAD, label, 20),
      topics: topicsJson.map((t: unknown, j: number) => jsonHex(t, BAD, `${label}.topics[${j}]`, 32)),
      data: jsonBytes(log, 'data', BAD, label),
    }
  })
  return {
    type,
    ...outcome,
    cumulativeGasUsed: jsonUint(r, 'cumulativeGasUsed', BAD, what, UINT64_MAX),
    logsBloom: jsonBytes(r, 'logsBloom', BAD, what, 256),
    logs,
  }
}

/**
 * The consensus encoding: rlp([statusOrRoot, cumulativeGasUsed, logsBloom, logs]) for legacy receipts, and
 * `type || rlp(...)` for typed ones (EIP-2718). A status is 0x01 for success and the empty string for failure
 * (EIP-658).
 */
export function encodeReceipt(r: Receipt): Uint8Array {
  checkReceipt(r)
  const statusOrRoot = r.root !== undefined ? r.root : r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0)
  const payload = encodeRlp([
    statusOrRoot,
    uintToRlpBytes(r.cumulativeGasUsed),
    r.logsBloom,
    r.logs.map((l) => [l.address, [...l.topics], l.data]),
  ])
  if (r.type === 0) return payload
  const out = new Uint8Array(payload.length + 1)
  out[0] = r.type
  out.set(payload, 1)
  return out
}

/** Decodes a consensus-encoded receipt; only canonical encodings are accepted (re-encoding gives `bytes` back). */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) fail(BAD, 'receipt: empty input')
  const first = bytes[0]!
  // EIP-2718: a first byte in [0, 0x7f] is a type; a legacy receipt is an RLP list and starts at 0xc0 or above.
  let type = 0
  let payload = bytes
  if (first <= 0x7f) {
    type = first
    payload = bytes.subarray(1)
    if (type === 0 || !RECEIPT_TYPES.includes(type)) fail(BAD, `receipt: unsupported type ${type}`, { type })
  } else if (first < 0xc0) {
    fail(BAD, 'receipt: neither an RLP list nor a typed receipt')
  }
  const items = asList(decodeRlp(payload, BAD, what), BAD, what)
  if (items.length !== 4) fail(BAD, `receipt: expected 4 fields, got ${items.length}`)
  const statusOrRoot = asBytes(items[0], BAD, 'receipt.status')
  const outcome: { status?: 0 | 1; root?: Uint8Array } = {}
  if (statusOrRoot.length === 0) outcome.status = 0
  else if (statusOrRoot.length === 1 && statusOrRoot[0] === 1) outcome.status = 1
  else if (statusOrRoot.length === 32 && type === 0) outcome.root = statusOrRoot
  else fail(BAD, 'receipt.status: neither a status (EIP-658) nor a state root', { field: 'status' })
  const logs = asList(items[3], BAD, 'receipt.logs').map((item, i): ReceiptLog => {
    const label = `receipt.logs[${i}]`
    const log = asList(item, BAD, label)
    if (log.length !== 3) fail(BAD, `${label}: expected 3 fields, got ${log.length}`)
    const topics = asList(log[1], BAD, `${label}.topics`)
    if (topics.length > MAX_TOPICS) fail(BAD, `${label}.topics: more than ${MAX_TOPICS}`)
    return {
      address: asBytes(log[0], BAD, `${label}.address`, 20),
      topics: topics.map((t, j) => asBytes(t, BAD, `${label}.topics[${j}]`, 32)),
      data: asBytes(log[2], BAD, `${label}.data`),
    }
  })
  return {
    type,
    ...outcome,
    cumulativeGasUsed: asUint(items[1], BAD, 'receipt.cumulativeGasUsed', UINT64_MAX),
    logsBloom: asBytes(items[2], BAD, 'receipt.logsBloom', 256),
    logs,
  }
}

function checkReceipt(r: Receipt): void {
  if (!RECEIPT_TYPES.includes(r.type)) fail(BAD, `receipt.type: unsupported type ${r.type}`, { field: 'type' })
  if ((r.status === undefined) === (r.root === undefined)) fail(BAD, 'receipt: needs exactly one of status and root')
  if (r.status !== undefined && r.status !== 0 && r.status !== 1) {
    fail(BAD, 'receipt.status: must be 0 or 1', { field: 'status' })
  }
  if (r.root !== undefined && (r.type !== 0 || r.root.length !== 32)) {
    fail(BAD, 'receipt.root: a 32-byte root, on a legacy receipt only', { field: 'root' })
  }
  if (r.cumulativeGasUsed < 0n || r.cumulativeGasUsed > UINT64_MAX) {
    fail(BAD, 'receipt.cumulativeGasUsed: out of range', { field: 'cumulativeGasUsed' })
  }
  if (r.logsBloom.length !== 256) fail(BAD, 'receipt.logsBloom: expected 256 bytes', { field: 'logsBloom' })
  r.logs.forEach((l, i) => {
    if (l.address.length !== 20) {
      fail(BAD, `receipt.logs[${i}].address: expected 20 bytes`, { field: `logs[${i}].address` })
    }
    if (l.topics.length > MAX_TOPICS || l.topics.some((t) => t.length !== 32)) {
      fail(BAD, `receipt.logs[${i}].topics: at most ${MAX_TOPICS} topics of 32 bytes`, { field: `logs[${i}].topics` })
    }
  })
}
