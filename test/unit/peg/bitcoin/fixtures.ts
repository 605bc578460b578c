// Shared fixtures of the peg tests: member keys (fixed, derived from labels), a 2-of-3 federation, side-chain
// recipients, and Bitcoin transactions crafted with bitcoinjs-lib that pay whatever the test needs.
import { createHash } from 'node:crypto'
import { Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import { addressNetworkFor, BCOIN_REGTEST_BECH32, createFederation, type Federation } from '../../../../peg/bitcoin/index.js'

export const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest())

/** A private key from a label (sha256 of it; fine for tests, never for real keys). */
export function testKey(label: string): Uint8Array {
  return sha256(`causeway peg test key: ${label}`)
}

export function pubOf(priv: Uint8Array): Uint8Array {
  return ecc.pointFromScalar(priv, true)!
}

export const CHAIN_ID = 13_239_777n // the regtest federation chain (README)
export const OTHER_CHAIN_ID = 13_239_776n // the development chain

export const memberPrivs = [testKey('member 0'), testKey('member 1'), testKey('member 2')]
export const memberPubs = memberPrivs.map(pubOf)
export const fed: Federation = createFederation(memberPubs, 2)

export const alice = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i)
export const bob = Uint8Array.from({ length: 20 }, (_, i) => 0xb0 + i)

export const rbNet = addressNetworkFor(regtest, BCOIN_REGTEST_BECH32)
export const bcrtNet = addressNetworkFor(regtest)

/** A transaction spending a made-up outpoint (`seed`) to `outputs`; its raw bytes and txid (internal order). */
export function fundingTx(outputs: readonly { script: Uint8Array; value: bigint }[], seed = 1): { raw: Uint8Array; txid: Uint8Array } {
  const tx = new Transaction()
  tx.version = 2
  tx.addInput(sha256(`funding input ${seed}`), seed % 7, 0xfffffffe)
  for (const o of outputs) tx.addOutput(o.script, o.value)
  return { raw: tx.toBuffer(), txid: tx.getHash() }
}

/** A made-up txid (internal order). */
export function txidOf(label: string | number): Uint8Array {
  return sha256(`txid ${label}`)
}

/** A federation UTXO at a made-up outpoint. */
export function utxo(label: string | number, valueSats: bigint, recipient: Uint8Array | null = null, vout = 0) {
  return { txid: txidOf(label), vout, valueSats, recipient }
}

/** Peg-out destinations of every supported type (regtest). */
export const destinations = {
  p2wpkh: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x31)),
  p2tr: Uint8Array.of(0x51, 0x20, ...pubOf(testKey('peg-out taproot')).subarray(1)),
  p2pkh: Uint8Array.of(0x76, 0xa9, 0x14, ...new Uint8Array(20).fill(0x32), 0x88, 0xac),
  p2sh: Uint8Array.of(0xa9, 0x14, ...new Uint8Array(20).fill(0x33), 0x87),
  p2wsh: Uint8Array.of(0x00, 0x20, ...new Uint8Array(32).fill(0x34)),
}
