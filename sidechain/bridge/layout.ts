// Every key of the bridge's account storage that is not a main-chain family's, in one place (after bcoin's
// layout.js). Each family keeps its own keys in its own namespace (bitcoin/layout.ts: the single letters listed
// there, frozen as they are; the next family, EVM, takes keys under the byte 'e', and any later one another
// byte no family uses — test/unit/sidechain/bridge/family-namespaces.test.ts checks they stay apart). Values are stored by AccountStorage
// (storage.ts).
//
//   C                        -> the bridge configuration (canonical JSON, written at genesis)
//   n + name                 -> a counter (bigint, 32 bytes): see COUNTERS (the supply's, and the Bitcoin
//                               family's, which predate namespaces)
import { prefixedKey } from '../../spv/base/bytes.js'

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export const key = prefixedKey

export function u64(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false)
  return b
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, false)
  return b
}

export const COUNTERS = {
  /** Wei minted by peg-ins, ever. */
  minted: 'minted',
  /** Wei burned by peg-outs, ever. */
  burned: 'burned',
  /** Satoshis in the federation's UTXOs, including those an unconfirmed batch spends. */
  federationSats: 'fedsats',
  /** Satoshis requested by peg-outs not yet confirmed on Bitcoin. */
  pendingSats: 'pending',
  nextRequestId: 'rid',
  /** The first request id not yet in a batch. */
  queueStart: 'qstart',
  nextBatchId: 'bid',
  /** Side-chain block of the last batch (or of the first queued request, to time the interval). */
  lastBatchBlock: 'lastbatch',
  /** Consolidations made and not yet confirmed: their outputs will head the UTXO set. */
  consolidating: 'consol',
  utxoHead: 'uhead',
  utxoTail: 'utail',
  nextUtxoSeq: 'useq',
} as const

export type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS]

export const bridgeLayout = {
  config: enc('C'),
  counter: (name: CounterName) => key('n', enc(name)),
} as const

/** The first byte of every key outside a family's namespace. */
export const CORE_PREFIXES = ['C', 'n'] as const
