// The batch as a PSBT, and a second, independent signing path: bitcoinjs-lib's PSBT signer and finalizer, given the
// members' tweaked keys (ecpair), must produce the very transaction assembleBatch produces — same RFC6979
// signatures, same order in the witness — and bcoin must validate it.
import { Psbt } from 'bitcoinjs-lib'
import { ECPairFactory } from 'ecpair'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import {
  assembleBatch,
  batchToPsbt,
  buildBatch,
  depositTweak,
  signBatch,
  tweakPrivateKey,
  utxoScriptPubKey,
  verifyBatchSignatures,
} from '../../../../peg/bitcoin/index.js'
import { verifyWithBcoin } from '../../../helpers/bcoin-script.js'
import { expectCode } from '../../../helpers/expect.js'
import { alice, bob, CHAIN_ID, destinations, fed, memberPrivs, memberPubs, utxo } from './fixtures.js'

const ECPair = ECPairFactory(ecc)
const utxos = [utxo('p1', 70_000n, alice), utxo('p2', 40_000n), utxo('p3', 90_000n, bob, 2)]
const batch = buildBatch(
  utxos,
  [
    { id: 1n, scriptPubKey: destinations.p2wsh, valueSats: 100_000n },
    { id: 2n, scriptPubKey: destinations.p2sh, valueSats: 60_000n },
  ],
  { fed, chainId: CHAIN_ID, feeRateSatPerVb: 4n },
)

describe('batchToPsbt', () => {
  it('holds the batch’s unsigned transaction', () => {
    const psbt = Psbt.fromBuffer(batchToPsbt(batch, fed, CHAIN_ID))
    expect(psbt.txInputs.map((i) => `${bytesToHex(i.hash)}:${i.index}:${i.sequence}`)).toEqual(
      batch.inputs.map((u) => `${bytesToHex(u.txid)}:${u.vout}:${0xfffffffd}`),
    )
    expect(psbt.txOutputs.map((o) => [bytesToHex(o.script), o.value])).toEqual(batch.outputs.map((o) => [bytesToHex(o.scriptPubKey), o.valueSats]))
    expect(psbt.version).toBe(2)
    expect(psbt.locktime).toBe(0)
  })

  it('signed and finalized by bitcoinjs-lib with the tweaked keys, it is exactly assembleBatch’s transaction', () => {
    const psbt = Psbt.fromBuffer(batchToPsbt(batch, fed, CHAIN_ID))
    for (const m of [2, 1]) {
      batch.inputs.forEach((u, i) => {
        const d = u.recipient === null ? memberPrivs[m]! : tweakPrivateKey(memberPrivs[m]!, depositTweak(memberPubs[m]!, CHAIN_ID, u.recipient))
        psbt.signInput(i, ECPair.fromPrivateKey(d))
      })
    }
    psbt.finalizeAllInputs()
    const viaPsbt = psbt.extractTransaction().toBuffer()
    const ours = assembleBatch(batch, fed, CHAIN_ID, new Map([1, 2].map((m) => [m, signBatch(batch, memberPrivs[m]!, fed, CHAIN_ID)])))
    expect(bytesToHex(viaPsbt)).toBe(bytesToHex(ours))
    const verdict = verifyWithBcoin(viaPsbt, batch.inputs.map((u) => ({ script: utxoScriptPubKey(fed, CHAIN_ID, u.recipient), value: u.valueSats })))
    expect(verdict.standard).toBe(true)
  })
})

describe('verifyBatchSignatures', () => {
  it('checks a whole bundle for one member', () => {
    const sigs = signBatch(batch, memberPrivs[0]!, fed, CHAIN_ID)
    expect(verifyBatchSignatures(batch, fed, CHAIN_ID, 0, sigs)).toEqual([true, true, true])
    expect(verifyBatchSignatures(batch, fed, CHAIN_ID, 1, sigs)).toEqual([false, false, false])
    expect(verifyBatchSignatures(batch, fed, CHAIN_ID, 0, [sigs[0]!, sigs[0]!, sigs[2]!])).toEqual([true, false, true])
    expectCode(() => verifyBatchSignatures(batch, fed, CHAIN_ID, 0, sigs.slice(1)), 'PEG_SIGNATURES_MALFORMED')
    expectCode(() => verifyBatchSignatures(batch, fed, CHAIN_ID, 0, [sigs[0]!, new Uint8Array(70), sigs[2]!]), 'PEG_SIGNATURES_MALFORMED')
    expectCode(() => verifyBatchSignatures(batch, fed, CHAIN_ID, 7, sigs), 'PEG_NOT_A_MEMBER')
  })
})
