// Mines synthetic headers for tests on networks with an easy target (regtest, or test networks given a regtest
// powLimit): grinds the nonce until the hash meets nBits.
import { encodeHeader } from '../../spv/bitcoin/header.js'
import { hash256 } from '../../spv/bitcoin/hash.js'
import { decodeCompact } from '../../spv/bitcoin/pow.js'
import { bytesToBigIntLE } from '../../spv/base/bytes.js'

export interface MineParams {
  readonly prevHash: Uint8Array
  readonly time: number
  readonly bits: number
  readonly version?: number
  /** Distinguishes sibling blocks with the same parent and time. */
  readonly tag?: number
}

export function mineHeader(p: MineParams): { raw: Uint8Array; hash: Uint8Array } {
  const target = decodeCompact(p.bits).target
  const merkleRoot = new Uint8Array(32)
  new DataView(merkleRoot.buffer).setUint32(0, p.tag ?? 0, true)
  for (let nonce = 0; nonce < 0xffffffff; nonce++) {
    const raw = encodeHeader({ version: p.version ?? 0x20000000, prevHash: p.prevHash, merkleRoot, time: p.time, bits: p.bits, nonce })
    const hash = hash256(raw)
    if (bytesToBigIntLE(hash) <= target) return { raw, hash }
  }
  throw new Error('no nonce found')
}

/** Mines `count` headers after `prevHash`, `spacing` seconds apart, all with `bits`. */
export function mineChain(prevHash: Uint8Array, startTime: number, count: number, bits: number, spacing = 600, tag = 0): Uint8Array[] {
  const out: Uint8Array[] = []
  let prev = prevHash
  for (let i = 0; i < count; i++) {
    const { raw, hash } = mineHeader({ prevHash: prev, time: startTime + (i + 1) * spacing, bits, tag })
    out.push(raw)
    prev = hash
  }
  return out
}
