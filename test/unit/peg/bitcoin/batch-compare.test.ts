// A signer's refusals: every way a shown transaction can differ from the batch the signer computed, each with its
// own code, and the exact batch passing.
import { Transaction } from 'bitcoinjs-lib'
import { describe, expect, it } from 'vitest'
import { concatBytes } from '../../../../spv/base/bytes.js'
import { assembleBatch, buildBatch, compareBatch, signBatch } from '../../../../peg/bitcoin/index.js'
import { codeOf, expectCode } from '../../../helpers/expect.js'
import { alice, CHAIN_ID, destinations, fed, memberPrivs, txidOf, utxo } from './fixtures.js'

const utxos = [utxo('a', 100_000n, alice), utxo('b', 80_000n), utxo('c', 500_000n)]
const requests = [
  { id: 10n, scriptPubKey: destinations.p2wpkh, valueSats: 90_000n },
  { id: 11n, scriptPubKey: destinations.p2sh, valueSats: 40_000n },
]
const batch = buildBatch(utxos, requests, { fed, chainId: CHAIN_ID, feeRateSatPerVb: 2n })
const attacker = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x66))

/** The batch's transaction with `edit` applied. */
function tampered(edit: (tx: Transaction) => void): Uint8Array {
  const tx = Transaction.fromBuffer(batch.unsignedTx)
  edit(tx)
  return tx.toBuffer()
}

describe('compareBatch', () => {
  it('passes the exact batch', () => {
    expect(batch.inputs).toHaveLength(2)
    expect(batch.outputs).toHaveLength(3)
    expect(() => compareBatch(batch, batch.unsignedTx)).not.toThrow()
    expect(() => compareBatch(batch, batch.unsignedTx.slice())).not.toThrow()
  })

  it.each([
    ['an input replaced by a foreign outpoint', 'PEG_BATCH_FOREIGN_INPUT', (tx: Transaction) => (tx.ins[1]!.hash = txidOf('elsewhere'))],
    ['an input with another vout', 'PEG_BATCH_FOREIGN_INPUT', (tx: Transaction) => (tx.ins[0]!.index = 1)],
    ['an added foreign input', 'PEG_BATCH_FOREIGN_INPUT', (tx: Transaction) => tx.addInput(txidOf('extra'), 0, 0xfffffffd)],
    ['an added federation input the batch does not spend', 'PEG_BATCH_FOREIGN_INPUT', (tx: Transaction) => tx.addInput(utxos[2]!.txid, 0, 0xfffffffd)],
    ['an extra output to the attacker', 'PEG_BATCH_EXTRA_OUTPUT', (tx: Transaction) => tx.addOutput(attacker, 1_000n)],
    ['an extra zero output', 'PEG_BATCH_EXTRA_OUTPUT', (tx: Transaction) => tx.addOutput(Uint8Array.of(0x6a), 0n)],
    ['a request paid more', 'PEG_BATCH_AMOUNT_MISMATCH', (tx: Transaction) => (tx.outs[0]!.value += 1n)],
    ['a request paid less', 'PEG_BATCH_AMOUNT_MISMATCH', (tx: Transaction) => (tx.outs[1]!.value -= 500n)],
    ['less change (more fee)', 'PEG_BATCH_AMOUNT_MISMATCH', (tx: Transaction) => (tx.outs[2]!.value -= 10_000n)],
    ['a request redirected to the attacker', 'PEG_BATCH_SCRIPT_MISMATCH', (tx: Transaction) => (tx.outs[0]!.script = attacker)],
    ['the change redirected to the attacker', 'PEG_BATCH_SCRIPT_MISMATCH', (tx: Transaction) => (tx.outs[2]!.script = attacker)],
    ['outputs swapped', 'PEG_BATCH_MISMATCH', (tx: Transaction) => ([tx.outs[0], tx.outs[1]] = [tx.outs[1]!, tx.outs[0]!])],
    ['inputs swapped', 'PEG_BATCH_MISMATCH', (tx: Transaction) => ([tx.ins[0], tx.ins[1]] = [tx.ins[1]!, tx.ins[0]!])],
    ['the change output dropped', 'PEG_BATCH_MISMATCH', (tx: Transaction) => tx.outs.pop()],
    ['an input dropped', 'PEG_BATCH_MISMATCH', (tx: Transaction) => tx.ins.pop()],
    ['an input spent twice', 'PEG_BATCH_MISMATCH', (tx: Transaction) => (tx.ins[1] = { ...tx.ins[0]! })],
    ['version 1', 'PEG_BATCH_MISMATCH', (tx: Transaction) => (tx.version = 1)],
    ['a locktime', 'PEG_BATCH_MISMATCH', (tx: Transaction) => (tx.locktime = 800_000)],
    ['a final sequence', 'PEG_BATCH_MISMATCH', (tx: Transaction) => (tx.ins[0]!.sequence = 0xffffffff)],
    ['a scriptSig', 'PEG_BATCH_MISMATCH', (tx: Transaction) => (tx.ins[0]!.script = Uint8Array.of(0x51))],
    ['a witness', 'PEG_BATCH_MISMATCH', (tx: Transaction) => tx.setWitness(0, [Uint8Array.of(1)])],
  ])('%s → %s', (_, code, edit) => {
    expectCode(() => compareBatch(batch, tampered(edit)), code)
  })

  it('the first, most serious difference wins when several are made', () => {
    const several = tampered((tx) => {
      tx.version = 1
      tx.outs[0]!.script = attacker
      tx.addOutput(attacker, 5n)
      tx.ins[0]!.hash = txidOf('elsewhere')
    })
    expect(codeOf(() => compareBatch(batch, several))).toBe('PEG_BATCH_FOREIGN_INPUT')
  })

  it('refuses the signed transaction (a witness) and junk bytes as PEG_BATCH_MISMATCH', () => {
    const signed = assembleBatch(batch, fed, CHAIN_ID, new Map([0, 1].map((m) => [m, signBatch(batch, memberPrivs[m]!, fed, CHAIN_ID)])))
    expectCode(() => compareBatch(batch, signed), 'PEG_BATCH_MISMATCH')
    expectCode(() => compareBatch(batch, new Uint8Array(64).fill(0x5a)), 'PEG_BATCH_MISMATCH')
    expectCode(() => compareBatch(batch, concatBytes(batch.unsignedTx, Uint8Array.of(0))), 'PEG_BATCH_MISMATCH')
    expectCode(() => compareBatch(batch, new Uint8Array(0)), 'PEG_BATCH_MISMATCH')
  })

  it('a batch built from other state (one more request) is refused', () => {
    const other = buildBatch(utxos, [...requests, { id: 12n, scriptPubKey: attacker, valueSats: 30_000n }], {
      fed,
      chainId: CHAIN_ID,
      feeRateSatPerVb: 2n,
    })
    expect(codeOf(() => compareBatch(batch, other.unsignedTx))).not.toBeUndefined()
  })
})
