// The hash and signature-recovery functions ethereumjs runs with, plugged in as Common.customCrypto and used for
// the state trie: libsecp256k1 and a native Keccak (both through their npm bindings, which fall back to pure
// JavaScript where no native build loads). Recovering a sender and hashing trie nodes are the largest costs of
// admitting and executing a transaction; measured here, recovery took ~0.06 ms natively against ~0.4 ms in WASM
// (tiny-secp256k1) and ~2.5 ms in pure JS, and Keccak of a trie node ~4 µs against ~9 µs.
import { createRequire } from 'node:module'
import path from 'node:path'
import secp256k1 from 'secp256k1'
import createKeccakHash from 'keccak'
import { CausewayError } from '../../spv/base/errors.js'
import type { CustomCrypto } from '@ethereumjs/common'
import { lazyKzg } from './kzg.js'

function toRecovery(v: bigint, chainId: bigint | undefined): number {
  // As @ethereumjs/util's calculateSigRecovery: y-parity directly, legacy 27/28, or EIP-155 chainId·2+35/36.
  const recovery = v === 0n || v === 1n ? v : chainId === undefined ? v - 27n : v - (chainId * 2n + 35n)
  if (recovery !== 0n && recovery !== 1n) throw new CausewayError('TX_BAD_SIGNATURE', 'invalid signature v value')
  return Number(recovery)
}

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  if (b.length > 32) throw new CausewayError('TX_BAD_SIGNATURE', 'signature component longer than 32 bytes')
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

/** ecrecover with ethereumjs's contract: the 64-byte uncompressed public key without its 0x04 prefix. */
export function ecrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const sig = new Uint8Array(64)
  sig.set(pad32(r), 0)
  sig.set(pad32(s), 32)
  let pub: Uint8Array
  try {
    pub = secp256k1.ecdsaRecover(sig, toRecovery(v, chainId), msgHash, false)
  } catch (e) {
    throw new CausewayError('TX_BAD_SIGNATURE', 'invalid signature: no public key recovers', { cause: e })
  }
  return pub.subarray(1)
}

interface NativeKeccakState {
  initialize(rate: number, capacity: number): void
  absorb(data: Buffer): void
  absorbLastFewBits(bits: number): void
  squeeze(length: number): Buffer
}

/**
 * The keccak package's native sponge, used directly: its public createKeccakHash builds a stream Transform around
 * it for every digest, which cost more than the hashing (~7 µs against ~1 µs for a trie node). One state is reused,
 * re-initialized per digest (hashing is synchronous, so calls never interleave).
 */
function loadNativeKeccak(): ((data: Uint8Array) => Uint8Array) | undefined {
  try {
    const require = createRequire(import.meta.url)
    const dir = path.dirname(require.resolve('keccak/package.json'))
    const State = (require('node-gyp-build') as (dir: string) => unknown)(dir)
    if (typeof State !== 'function') return undefined
    const state = new (State as new () => NativeKeccakState)()
    return (data) => {
      state.initialize(1088, 512) // Keccak-256: rate 1088 bits, capacity 512
      state.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      state.absorbLastFewBits(0x01) // Keccak padding (SHA3-256 would use 0x06)
      const digest = state.squeeze(32)
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
    }
  } catch {
    return undefined
  }
}

const nativeKeccak = loadNativeKeccak()

/** Whether Keccak runs on the keccak package's native sponge (an internal of that package, pinned exactly for it). */
export const nativeKeccakLoaded = nativeKeccak !== undefined

/** Keccak-256 (Ethereum's, not SHA3-256). */
export const keccak256: (data: Uint8Array) => Uint8Array =
  nativeKeccak ??
  ((data) => {
    const digest = createKeccakHash('keccak256').update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest()
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
  })

/** With kzg for the 0x0a point-evaluation precompile (EIP-4844); every Common of the chain carries it. */
export const customCrypto: CustomCrypto = { ecrecover, keccak256, kzg: lazyKzg }
