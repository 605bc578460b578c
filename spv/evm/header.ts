// EVM block headers: parsed from `eth_getBlockByNumber` JSON, RLP-encoded and hashed (keccak256) for every header
// layout up to Prague, so a header's identity can be checked without trusting the node that served it.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { fail } from '../base/errors.js'
import {
  UINT256_MAX,
  UINT64_MAX,
  asBytes,
  asList,
  asRecord,
  asUint,
  decodeRlp,
  encodeRlp,
  isPresent,
  jsonBytes,
  jsonUint,
  uintToRlpBytes,
} from './rlp.js'

export const EVM_BAD_HEADER = 'EVM_BAD_HEADER'
const BAD = EVM_BAD_HEADER

/**
 * A block header with the JSON-RPC field names. Optional fields appear with the hard fork that added them;
 * `mixHash` is `prevRandao` after the Merge (EIP-4399), where `difficulty` is 0 and `nonce` is zero.
 */
export interface EvmHeader {
  readonly parentHash: Uint8Array
  /** `ommersHash` in the Yellow Paper. */
  readonly sha3Uncles: Uint8Array
  /** `beneficiary` / `coinbase`. */
  readonly miner: Uint8Array
  readonly stateRoot: Uint8Array
  readonly transactionsRoot: Uint8Array
  readonly receiptsRoot: Uint8Array
  readonly logsBloom: Uint8Array
  readonly difficulty: bigint
  readonly number: bigint
  readonly gasLimit: bigint
  readonly gasUsed: bigint
  readonly timestamp: bigint
  /** Not limited to 32 bytes here: proof-of-authority chains (Clique and its descendants) put signatures in it. */
  readonly extraData: Uint8Array
  readonly mixHash: Uint8Array
  readonly nonce: Uint8Array
  /** London, EIP-1559. */
  readonly baseFeePerGas?: bigint
  /** Shanghai, EIP-4895. */
  readonly withdrawalsRoot?: Uint8Array
  /** Cancun, EIP-4844. */
  readonly blobGasUsed?: bigint
  /** Cancun, EIP-4844. */
  readonly excessBlobGas?: bigint
  /** Cancun, EIP-4788. */
  readonly parentBeaconBlockRoot?: Uint8Array
  /** Prague, EIP-7685. */
  readonly requestsHash?: Uint8Array
}

/** The header layout, named by the hard fork that introduced it ('legacy' is everything before London). */
export type EvmHeaderLayout = 'legacy' | 'london' | 'shanghai' | 'cancun' | 'prague'

type FieldName = keyof EvmHeader
type FieldSpec =
  | { readonly name: FieldName; readonly kind: 'bytes'; readonly length?: number }
  | { readonly name: FieldName; readonly kind: 'uint'; readonly max: bigint }

const b = (name: FieldName, length?: number): FieldSpec =>
  length === undefined ? { name, kind: 'bytes' } : { name, kind: 'bytes', length }
const u = (name: FieldName, max: bigint): FieldSpec => ({ name, kind: 'uint', max })

/** The fields in RLP order. Block number, gas and time are uint64 in every client; difficulty and base fee uint256. */
const FIELDS: readonly FieldSpec[] = [
  b('parentHash', 32),
  b('sha3Uncles', 32),
  b('miner', 20),
  b('stateRoot', 32),
  b('transactionsRoot', 32),
  b('receiptsRoot', 32),
  b('logsBloom', 256),
  u('difficulty', UINT256_MAX),
  u('number', UINT64_MAX),
  u('gasLimit', UINT64_MAX),
  u('gasUsed', UINT64_MAX),
  u('timestamp', UINT64_MAX),
  b('extraData'),
  b('mixHash', 32),
  b('nonce', 8),
  u('baseFeePerGas', UINT256_MAX),
  b('withdrawalsRoot', 32),
  u('blobGasUsed', UINT64_MAX),
  u('excessBlobGas', UINT64_MAX),
  b('parentBeaconBlockRoot', 32),
  b('requestsHash', 32),
]

/**
 * Each fork appends its fields after the previous fork's, so a header carries a prefix of these groups and no
 * gaps (a later field without the earlier ones is not a header of any fork). Cancun's three fields come together.
 */
const FORK_GROUPS: readonly { readonly layout: EvmHeaderLayout; readonly fields: readonly FieldName[] }[] = [
  { layout: 'london', fields: ['baseFeePerGas'] },
  { layout: 'shanghai', fields: ['withdrawalsRoot'] },
  { layout: 'cancun', fields: ['blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot'] },
  { layout: 'prague', fields: ['requestsHash'] },
]

const LAYOUT_FIELD_COUNT: Readonly<Record<EvmHeaderLayout, number>> = {
  legacy: 15,
  london: 16,
  shanghai: 17,
  cancun: 20,
  prague: 21,
}

/** The layout a set of present optional fields describes; an inconsistent set throws `EVM_BAD_HEADER`. */
function layoutOf(present: (name: FieldName) => boolean): EvmHeaderLayout {
  let layout: EvmHeaderLayout = 'legacy'
  let ended = false
  for (const group of FORK_GROUPS) {
    const have = group.fields.filter(present)
    if (have.length === 0) {
      ended = true
      continue
    }
    if (ended || have.length !== group.fields.length) {
      const missing = FORK_GROUPS.slice(0, FORK_GROUPS.indexOf(group) + 1)
        .flatMap((g) => g.fields)
        .filter((f) => !present(f))
      fail(BAD, `header: ${have.join(', ')} present without ${missing.join(', ')}`, { missing, present: have })
    }
    layout = group.layout
  }
  return layout
}

/** Which hard fork's layout the header has, checking that its optional fields are consistent. */
export function evmHeaderLayout(h: EvmHeader): EvmHeaderLayout {
  return layoutOf((name) => h[name] !== undefined)
}

/** Parses an `eth_getBlockByNumber` / `eth_getBlockByHash` result; a missing or malformed field is named. */
export function evmHeaderFromRpc(block: object): EvmHeader {
  const json = asRecord(block, BAD, 'block')
  const layout = layoutOf((name) => isPresent(json, name))
  const out: Record<string, unknown> = {}
  for (const spec of FIELDS.slice(0, LAYOUT_FIELD_COUNT[layout])) {
    out[spec.name] =
      spec.kind === 'uint'
        ? jsonUint(json, spec.name, BAD, 'block', spec.max)
        : jsonBytes(json, spec.name, BAD, 'block', spec.length)
  }
  return out as unknown as EvmHeader
}

/** The header's RLP list (Yellow Paper §4.3 plus the fields each fork appended). */
export function encodeEvmHeader(h: EvmHeader): Uint8Array {
  const layout = evmHeaderLayout(h)
  const items: Uint8Array[] = []
  for (const spec of FIELDS.slice(0, LAYOUT_FIELD_COUNT[layout])) {
    const v = h[spec.name]
    if (spec.kind === 'uint') {
      if (typeof v !== 'bigint' || v < 0n || v > spec.max) {
        fail(BAD, `header.${spec.name}: expected an unsigned integer in range`, { field: spec.name })
      }
      items.push(uintToRlpBytes(v))
    } else {
      if (!(v instanceof Uint8Array)) fail(BAD, `header.${spec.name}: expected bytes`, { field: spec.name })
      if (spec.length !== undefined && v.length !== spec.length) {
        fail(BAD, `header.${spec.name}: expected ${spec.length} bytes, got ${v.length}`, { field: spec.name })
      }
      items.push(v)
    }
  }
  return encodeRlp(items)
}

/** The block hash: keccak256 of the header's RLP. */
export function evmHeaderHash(h: EvmHeader): Uint8Array {
  return keccak_256(encodeEvmHeader(h))
}

/** Decodes a header's RLP; only canonical encodings of a known layout are accepted, so re-encoding gives `rlp` back. */
export function decodeEvmHeader(rlp: Uint8Array): EvmHeader {
  const items = asList(decodeRlp(rlp, BAD, 'header'), BAD, 'header')
  const count = items.length
  if (!Object.values(LAYOUT_FIELD_COUNT).includes(count)) {
    fail(BAD, `header: ${count} fields is no known layout (15, 16, 17, 20 or 21)`, { count })
  }
  const out: Record<string, unknown> = {}
  FIELDS.slice(0, count).forEach((spec, i) => {
    const item = items[i]
    const label = `header.${spec.name}`
    out[spec.name] = spec.kind === 'uint' ? asUint(item, BAD, label, spec.max) : asBytes(item, BAD, label, spec.length)
  })
  return out as unknown as EvmHeader
}
