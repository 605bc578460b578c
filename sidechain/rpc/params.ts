// Parsing of every JSON-RPC param shape into Uint8Array/bigint values, strict as geth is (quantities without
// leading zeros, DATA of even length, exact address and hash lengths); each failure names the param.
import { CausewayError } from '../../spv/base/errors.js'
import { hexToBytes } from '../../spv/base/bytes.js'
import type { BlockTag, CallRequest } from '../node/api.js'
import type { LogCriteria } from './log-query.js'

/** A block as eth_* methods name it: a number or tag, or (EIP-1898) a block hash. */
export type BlockRef = BlockTag | { readonly hash: Uint8Array }

const TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'earliest', 'safe', 'finalized'])
const UINT64_MAX = (1n << 64n) - 1n

/** Throws RPC_INVALID_PARAMS with a message that names the param. */
export function invalidParam(label: string, problem: string): never {
  throw new CausewayError('RPC_INVALID_PARAMS', `invalid ${label}: ${problem}`, { details: { param: label } })
}

/**
 * Checks the positional params against the method's argument names: at most `names.length`, the first
 * `required` present and not null. Returns them padded with undefined to `names.length`.
 */
export function positional(params: readonly unknown[], names: readonly string[], required: number): unknown[] {
  if (params.length > names.length) {
    throw new CausewayError('RPC_INVALID_PARAMS', `too many arguments, want at most ${names.length}`)
  }
  for (let i = 0; i < required; i++) {
    if (params[i] === undefined || params[i] === null) {
      throw new CausewayError('RPC_INVALID_PARAMS', `missing value for required argument ${i} (${names[i]})`, {
        details: { param: names[i] },
      })
    }
  }
  return names.map((_, i) => params[i])
}

function hexBody(value: unknown, label: string): string {
  if (typeof value !== 'string') invalidParam(label, `expected a 0x-prefixed hex string, got ${describe(value)}`)
  if (!value.startsWith('0x') && !value.startsWith('0X')) invalidParam(label, 'hex string without 0x prefix')
  const body = value.slice(2)
  if (!/^[0-9a-fA-F]*$/.test(body)) invalidParam(label, 'invalid hex string')
  return body
}

/** A QUANTITY: `0x` hex, no leading zeros, at most `bits` bits. */
export function quantity(value: unknown, label: string, bits = 256): bigint {
  const body = hexBody(value, label)
  if (body.length === 0) invalidParam(label, 'hex string "0x"')
  if (body.length > 1 && body[0] === '0') invalidParam(label, 'hex number with leading zero digits')
  const n = BigInt(`0x${body}`)
  if (n >> BigInt(bits) !== 0n) invalidParam(label, `hex number > ${bits} bits`)
  return n
}

/** A QUANTITY used as a count or index: a safe integer no greater than `max`. */
export function quantityNumber(value: unknown, label: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = quantity(value, label, 64)
  if (n > BigInt(max)) invalidParam(label, `must be at most ${max}`)
  return Number(n)
}

/** geth's HexOrDecimal64: a QUANTITY, a decimal string or a JSON integer (eth_feeHistory's blockCount). */
export function hexOrDecimal(value: unknown, label: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) invalidParam(label, 'expected a non-negative integer')
    return BigInt(value)
  }
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) {
    const n = BigInt(value)
    if (n > UINT64_MAX) invalidParam(label, 'number > 64 bits')
    return n
  }
  return quantity(value, label, 64)
}

/** DATA: `0x` hex of even length; `maxBytes` bounds it. */
export function data(value: unknown, label: string, maxBytes?: number): Uint8Array {
  const body = hexBody(value, label)
  if (body.length % 2 !== 0) invalidParam(label, 'hex string of odd length')
  if (maxBytes !== undefined && body.length / 2 > maxBytes) invalidParam(label, `longer than ${maxBytes} bytes`)
  return hexToBytes(body, label)
}

function fixed(value: unknown, label: string, length: number, what: string): Uint8Array {
  const bytes = data(value, label)
  if (bytes.length !== length) invalidParam(label, `expected a ${length}-byte ${what}, got ${bytes.length} bytes`)
  return bytes
}

/** A 20-byte address (any letter case; the EIP-55 checksum is not enforced, as geth does not). */
export function address(value: unknown, label: string): Uint8Array {
  return fixed(value, label, 20, 'address')
}

/** A 32-byte hash. */
export function hash(value: unknown, label: string): Uint8Array {
  return fixed(value, label, 32, 'hash')
}

/** A storage slot or key: hex of at most 32 bytes, odd length allowed (ethers sends `0x0`), left-padded to 32. */
export function storageKey(value: unknown, label: string): Uint8Array {
  let body = hexBody(value, label)
  if (body.length % 2 === 1) body = `0${body}`
  if (body.length > 64) invalidParam(label, 'hex string too long, want at most 32 bytes')
  return hexToBytes(body.padStart(64, '0'), label, 32)
}

export function bool(value: unknown, label: string): boolean {
  if (typeof value !== 'boolean') invalidParam(label, `expected true or false, got ${describe(value)}`)
  return value
}

/** A block number or one of the tags latest, pending, earliest, safe, finalized. */
export function blockTag(value: unknown, label: string): BlockTag {
  if (typeof value === 'string' && TAGS.has(value)) return value as BlockTag
  if (typeof value === 'string' && !value.startsWith('0x') && !value.startsWith('0X')) {
    invalidParam(label, `expected a hex block number or one of latest, pending, earliest, safe, finalized, got "${value}"`)
  }
  return quantity(value, label, 64)
}

/** A block tag, or an EIP-1898 object `{ blockNumber }` / `{ blockHash, requireCanonical? }`. */
export function blockRef(value: unknown, label: string): BlockRef {
  if (!isObject(value)) return blockTag(value, label)
  const hasHash = value['blockHash'] !== undefined
  const hasNumber = value['blockNumber'] !== undefined
  if (hasHash === hasNumber) invalidParam(label, 'expected exactly one of blockHash and blockNumber')
  if (hasNumber) return blockTag(value['blockNumber'], `${label}.blockNumber`)
  if (value['requireCanonical'] !== undefined) bool(value['requireCanonical'], `${label}.requireCanonical`)
  return { hash: hash(value['blockHash'], `${label}.blockHash`) }
}

/** A transaction object for eth_call and eth_estimateGas. Unknown fields are ignored, as geth does. */
export function callRequest(value: unknown, label: string): CallRequest {
  if (!isObject(value)) invalidParam(label, `expected a transaction object, got ${describe(value)}`)
  const field = <T>(name: string, parse: (v: unknown, l: string) => T): T | undefined =>
    value[name] === undefined || value[name] === null ? undefined : parse(value[name], `${label}.${name}`)
  const input = field('input', data)
  const legacyData = field('data', data)
  if (input !== undefined && legacyData !== undefined && !sameBytes(input, legacyData)) {
    invalidParam(label, 'both "data" and "input" are set and not equal; use "input"')
  }
  const gasPrice = field('gasPrice', quantity)
  const maxFeePerGas = field('maxFeePerGas', quantity)
  const maxPriorityFeePerGas = field('maxPriorityFeePerGas', quantity)
  if (gasPrice !== undefined && (maxFeePerGas !== undefined || maxPriorityFeePerGas !== undefined)) {
    invalidParam(label, 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified')
  }
  const request: CallRequest = {
    from: field('from', address),
    to: field('to', address),
    gas: field('gas', (v, l) => quantity(v, l, 64)),
    gasPrice,
    maxFeePerGas,
    maxPriorityFeePerGas,
    value: field('value', quantity),
    data: input ?? legacyData,
    nonce: field('nonce', (v, l) => quantity(v, l, 64)),
    accessList: field('accessList', accessList),
  }
  // Drop absent fields so the node can tell "not given" with `in` as well as with `=== undefined`.
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as CallRequest
}

function accessList(value: unknown, label: string): NonNullable<CallRequest['accessList']> {
  if (!Array.isArray(value)) invalidParam(label, `expected an array, got ${describe(value)}`)
  return value.map((item: unknown, i) => {
    const at = `${label}[${i}]`
    if (!isObject(item)) invalidParam(at, `expected { address, storageKeys }, got ${describe(item)}`)
    const keys = item['storageKeys'] ?? []
    if (!Array.isArray(keys)) invalidParam(`${at}.storageKeys`, 'expected an array of 32-byte hashes')
    return {
      address: address(item['address'], `${at}.address`),
      storageKeys: keys.map((k: unknown, j) => hash(k, `${at}.storageKeys[${j}]`)),
    }
  })
}

/** A log filter object: `fromBlock`/`toBlock` or `blockHash`, `address` (one or many), `topics` (≤ 4 positions). */
export function logCriteria(value: unknown, label: string): LogCriteria {
  if (value === undefined || value === null) return { addresses: [], topics: [] }
  if (!isObject(value)) invalidParam(label, `expected a filter object, got ${describe(value)}`)
  const present = (name: string): boolean => value[name] !== undefined && value[name] !== null
  const criteria: { -readonly [K in keyof LogCriteria]: LogCriteria[K] } = { addresses: [], topics: [] }
  if (present('blockHash')) {
    if (present('fromBlock') || present('toBlock')) invalidParam(label, 'cannot specify both blockHash and fromBlock/toBlock')
    criteria.blockHash = hash(value['blockHash'], `${label}.blockHash`)
  }
  if (present('fromBlock')) criteria.fromBlock = blockTag(value['fromBlock'], `${label}.fromBlock`)
  if (present('toBlock')) criteria.toBlock = blockTag(value['toBlock'], `${label}.toBlock`)
  if (present('address')) {
    const a = value['address']
    criteria.addresses = Array.isArray(a)
      ? a.map((x: unknown, i) => address(x, `${label}.address[${i}]`))
      : [address(a, `${label}.address`)]
  }
  if (present('topics')) {
    const topics = value['topics']
    if (!Array.isArray(topics)) invalidParam(`${label}.topics`, `expected an array, got ${describe(topics)}`)
    if (topics.length > 4) invalidParam(`${label}.topics`, 'too many topics: at most 4 positions')
    criteria.topics = topics.map((t: unknown, i) => topicPosition(t, `${label}.topics[${i}]`))
  }
  return criteria
}

/** One topic position: null (any), a hash, or an array of hashes (any of them; a null inside means any). */
function topicPosition(value: unknown, label: string): readonly Uint8Array[] | null {
  if (value === null || value === undefined) return null
  if (!Array.isArray(value)) return [hash(value, label)]
  if (value.some((v) => v === null)) return null
  return value.map((v: unknown, i) => hash(v, `${label}[${i}]`))
}

/** eth_feeHistory reward percentiles: numbers in [0, 100], non-decreasing. */
export function percentiles(value: unknown, label: string): number[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) invalidParam(label, `expected an array of numbers, got ${describe(value)}`)
  if (value.length > 100) invalidParam(label, 'at most 100 percentiles')
  let last = -1
  return value.map((p: unknown, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      invalidParam(`${label}[${i}]`, `invalid reward percentile ${JSON.stringify(p)}, want a number in [0, 100]`)
    }
    if (p < last) invalidParam(`${label}[${i}]`, `non-monotonic reward percentile ${p} after ${last}`)
    last = p
    return p
  })
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `"${value.length > 80 ? `${value.slice(0, 80)}…` : value}"`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
