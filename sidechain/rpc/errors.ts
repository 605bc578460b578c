// The JSON-RPC edge's error mapping: every CausewayError code the node or this layer throws becomes one EIP-1474
// error number in one table, keeping the node's message; reverts become geth's code 3 with the revert data.
import { CausewayError } from '../../spv/base/errors.js'
import { hexToBytes, toHex, type Hex } from '../../spv/base/bytes.js'

/** EIP-1474 error numbers (plus 3, geth's "execution reverted", which ethers and viem decode). */
export const RpcCode = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** "Invalid input": geth also uses it for every transaction the pool refuses (nonce too low, …). */
  INVALID_INPUT: -32000,
  RESOURCE_NOT_FOUND: -32001,
  METHOD_NOT_SUPPORTED: -32004,
  LIMIT_EXCEEDED: -32005,
  EXECUTION_REVERTED: 3,
})

export interface RpcErrorObject {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

/**
 * CausewayError code (exact, or a prefix ending in `_`) → EIP-1474 number. The first match wins, so exact codes
 * come before the prefixes. `internal: true` hides the message from the caller ("internal error") and logs it.
 */
const TABLE: readonly { readonly match: string; readonly rpc: number; readonly internal?: true }[] = [
  { match: 'RPC_PARSE_ERROR', rpc: RpcCode.PARSE_ERROR },
  { match: 'RPC_INVALID_REQUEST', rpc: RpcCode.INVALID_REQUEST },
  { match: 'RPC_METHOD_NOT_FOUND', rpc: RpcCode.METHOD_NOT_FOUND },
  // geth answers eth_subscribe over HTTP with -32601 "notifications not supported".
  { match: 'RPC_NOTIFICATIONS_UNSUPPORTED', rpc: RpcCode.METHOD_NOT_FOUND },
  { match: 'RPC_INVALID_PARAMS', rpc: RpcCode.INVALID_PARAMS },
  // The byte helpers of spv/base name the bad field; reaching here they were caller input.
  { match: 'BAD_HEX', rpc: RpcCode.INVALID_PARAMS },
  { match: 'BAD_LENGTH', rpc: RpcCode.INVALID_PARAMS },
  { match: 'BAD_NUMBER', rpc: RpcCode.INVALID_PARAMS },
  { match: 'RPC_UNKNOWN_BLOCK', rpc: RpcCode.RESOURCE_NOT_FOUND },
  { match: 'RPC_NOT_FOUND', rpc: RpcCode.RESOURCE_NOT_FOUND },
  // geth: -32000 "filter not found"; tools match that message.
  { match: 'RPC_FILTER_NOT_FOUND', rpc: RpcCode.INVALID_INPUT },
  { match: 'RPC_UNSUPPORTED', rpc: RpcCode.METHOD_NOT_SUPPORTED },
  { match: 'RPC_LIMIT_EXCEEDED', rpc: RpcCode.LIMIT_EXCEEDED },
  { match: 'RPC_INTERNAL', rpc: RpcCode.INTERNAL_ERROR, internal: true },
  { match: 'EXEC_REVERTED', rpc: RpcCode.EXECUTION_REVERTED },
  { match: 'MEMPOOL_', rpc: RpcCode.INVALID_INPUT },
  { match: 'EXEC_', rpc: RpcCode.INVALID_INPUT },
  { match: 'TX_', rpc: RpcCode.INVALID_INPUT },
  { match: 'STORE_', rpc: RpcCode.INTERNAL_ERROR, internal: true },
  { match: 'INTERNAL', rpc: RpcCode.INTERNAL_ERROR, internal: true },
]

/** The EIP-1474 number for a CausewayError code; any other coded refusal is -32000 "invalid input". */
export function rpcCodeFor(code: string): { rpc: number; internal: boolean } {
  for (const row of TABLE) {
    const hit = row.match.endsWith('_') ? code.startsWith(row.match) : code === row.match
    if (hit) return { rpc: row.rpc, internal: row.internal === true }
  }
  return { rpc: RpcCode.INVALID_INPUT, internal: false }
}

/**
 * The JSON-RPC error object for anything a method threw. `internal` is true when the caller only sees
 * "internal error" and the cause must be logged (unknown exceptions, storage failures).
 */
export function toRpcError(e: unknown): { error: RpcErrorObject; internal: boolean } {
  if (!(e instanceof CausewayError)) {
    return { error: { code: RpcCode.INTERNAL_ERROR, message: 'internal error' }, internal: true }
  }
  const { rpc, internal } = rpcCodeFor(e.code)
  if (internal) return { error: { code: rpc, message: 'internal error' }, internal: true }
  if (rpc === RpcCode.EXECUTION_REVERTED) return { error: revertError(revertDataOf(e)), internal: false }
  return { error: { code: rpc, message: e.message }, internal: false }
}

/** The CausewayError to throw when a call reverted with `data` (the revert bytes, possibly empty). */
export function revertedError(data: Uint8Array): CausewayError {
  return new CausewayError('EXEC_REVERTED', revertMessage(data), { details: { data: toHex(data) } })
}

/** geth's shape: code 3, "execution reverted[: reason]", data = the revert bytes as hex. */
export function revertError(data: Hex): RpcErrorObject {
  return { code: RpcCode.EXECUTION_REVERTED, message: revertMessage(hexToBytes(data, 'revert data')), data }
}

function revertDataOf(e: CausewayError): Hex {
  const data = e.details?.['data']
  if (typeof data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(data)) return data.toLowerCase() as Hex
  if (data instanceof Uint8Array) return toHex(data)
  return '0x'
}

/** "execution reverted", with the decoded reason when the data is Error(string) or Panic(uint256). */
export function revertMessage(data: Uint8Array): string {
  const reason = decodeRevertReason(data)
  return reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`
}

const ERROR_SELECTOR = 0x08c379a0 // bytes4(keccak256("Error(string)"))
const PANIC_SELECTOR = 0x4e487b71 // bytes4(keccak256("Panic(uint256)"))

/** Solidity's panic codes, worded as geth words them. */
const PANIC_REASONS: ReadonlyMap<bigint, string> = new Map([
  [0x00n, 'generic panic'],
  [0x01n, 'assert(false)'],
  [0x11n, 'arithmetic underflow or overflow'],
  [0x12n, 'division or modulo by zero'],
  [0x21n, 'enum overflow'],
  [0x22n, 'invalid encoded storage byte array accessed'],
  [0x31n, 'out-of-bounds array access; popping on an empty array'],
  [0x32n, 'out-of-bounds access of an array or bytesN'],
  [0x41n, 'out of memory'],
  [0x51n, 'uninitialized function'],
])

/** The human reason inside ABI-encoded revert data, or undefined when it is a custom error or malformed. */
export function decodeRevertReason(data: Uint8Array): string | undefined {
  if (data.length < 4) return undefined
  const selector = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0
  const body = data.subarray(4)
  if (selector === PANIC_SELECTOR) {
    if (body.length !== 32) return undefined
    const code = word(body, 0)
    const reason = PANIC_REASONS.get(code)
    return reason ?? `unknown panic code: 0x${code.toString(16)}`
  }
  if (selector !== ERROR_SELECTOR || body.length < 64) return undefined
  const offset = word(body, 0)
  if (offset + 32n > BigInt(body.length)) return undefined
  const length = word(body, Number(offset))
  const start = Number(offset) + 32
  if (BigInt(start) + length > BigInt(body.length)) return undefined
  return new TextDecoder().decode(body.subarray(start, start + Number(length)))
}

function word(bytes: Uint8Array, at: number): bigint {
  let v = 0n
  for (let i = at; i < at + 32; i++) v = (v << 8n) | BigInt(bytes[i] ?? 0)
  return v
}
