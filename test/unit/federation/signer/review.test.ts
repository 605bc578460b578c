// A signer's review of a batch (federation/signer/review.ts) and its signing log on disk: the honest batch
// passes; a tampered amount, an extra output, a foreign input, an outpoint already signed into another
// transaction, a spent input, requests it never saw and its policy limits are each refused with their own code;
// the log keeps what was signed across a reopen.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Transaction, payments } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { afterAll, describe, expect, it } from 'vitest'
import { buildBatch, createFederation, type FederationUtxo, type PegOutRequest } from '../../../../peg/bitcoin/index.js'
import { hashToDisplayHex } from '../../../../spv/base/bytes.js'
import { outpointKey } from '../../../../federation/signer/ledger.js'
import { reviewBatch, type ReviewInput } from '../../../../federation/signer/review.js'
import { SigningLog } from '../../../../federation/signer/signing-log.js'
import { expectCode } from '../../../helpers/expect.js'

const fed = createFederation([1, 2, 3].map((i) => ecc.pointFromScalar(new Uint8Array(32).fill(i), true)!), 2)
const chainId = 0xca05e1n
const utxos: FederationUtxo[] = [
  { txid: new Uint8Array(32).fill(1), vout: 0, valueSats: 50_000_000n, recipient: null },
  { txid: new Uint8Array(32).fill(2), vout: 1, valueSats: 30_000_000n, recipient: new Uint8Array(20).fill(7) },
]
const requests: PegOutRequest[] = [
  { id: 1n, scriptPubKey: payments.p2wpkh({ hash: Buffer.alloc(20, 1) }).output!, valueSats: 40_000_000n },
  { id: 2n, scriptPubKey: payments.p2wpkh({ hash: Buffer.alloc(20, 2) }).output!, valueSats: 20_000_000n },
]
const honest = buildBatch(utxos, requests, { fed, chainId, feeRateSatPerVb: 3n })
const allUnspent = new Set(utxos.map((u) => outpointKey(u.txid, u.vout)))

function input(over: Partial<ReviewInput> = {}): ReviewInput {
  return {
    batchId: 1n,
    shownUnsignedTx: honest.unsignedTx,
    feeRate: 3n,
    utxos,
    requests,
    fed,
    chainId,
    policy: { maxPerTxSats: 100_000_000n, maxPer24hSats: 200_000_000n, maxFeeRate: 100n },
    paidLast24h: 0n,
    signedSpending: () => undefined,
    unspent: (o) => allUnspent.has(o),
    ...over,
  }
}

function tampered(edit: (tx: Transaction) => void): Uint8Array {
  const tx = Transaction.fromBuffer(Buffer.from(honest.unsignedTx))
  edit(tx)
  return new Uint8Array(tx.toBuffer())
}

describe('reviewBatch', () => {
  it('passes the batch its own recomputation gives', () => {
    expect(reviewBatch(input()).txid).toEqual(honest.txid)
  })

  it('refuses a tampered amount, an extra output, a foreign input', () => {
    expectCode(() => reviewBatch(input({ shownUnsignedTx: tampered((t) => (t.outs[0]!.value -= 1n)) })), 'PEG_BATCH_AMOUNT_MISMATCH')
    expectCode(() => reviewBatch(input({ shownUnsignedTx: tampered((t) => t.addOutput(Buffer.from(requests[0]!.scriptPubKey), 1000n)) })), 'PEG_BATCH_EXTRA_OUTPUT')
    expectCode(() => reviewBatch(input({ shownUnsignedTx: tampered((t) => (t.ins[0]!.hash = Buffer.alloc(32, 9))) })), 'PEG_BATCH_FOREIGN_INPUT')
  })

  it('refuses a second transaction spending an outpoint it already signed', () => {
    const key = outpointKey(utxos[0]!.txid, 0)
    expectCode(() => reviewBatch(input({ signedSpending: (o) => (o === key ? 'aa'.repeat(32) : undefined) })), 'SIGNER_DOUBLE_SPEND')
    // The same transaction again (a restart) is not a double spend.
    expect(() => reviewBatch(input({ signedSpending: (o) => (o === key ? hashToDisplayHex(honest.txid) : undefined) }))).not.toThrow()
  })

  it('refuses spent inputs, unseen requests, and what its policy forbids', () => {
    expectCode(() => reviewBatch(input({ unspent: () => false })), 'SIGNER_INPUT_SPENT')
    expectCode(() => reviewBatch(input({ requests: undefined })), 'SIGNER_UNKNOWN_REQUESTS')
    expectCode(() => reviewBatch(input({ policy: { maxPerTxSats: 10_000_000n, maxPer24hSats: 1n << 60n, maxFeeRate: 100n } })), 'SIGNER_POLICY_MAX_TX')
    expectCode(() => reviewBatch(input({ paidLast24h: 150_000_000n })), 'SIGNER_POLICY_MAX_DAY')
    expectCode(() => reviewBatch(input({ feeRate: 500n })), 'SIGNER_POLICY_FEE_RATE')
  })
})

describe('SigningLog', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-signlog-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps signatures, spent outpoints and 24-hour totals across a reopen, and refuses a second opener', async () => {
    let log = await SigningLog.open(dir)
    await expect(SigningLog.open(dir)).rejects.toMatchObject({ code: 'SIGNER_DATADIR_LOCKED' })
    const now = Date.now()
    await log.recordSigned({ batchId: '7', txid: 'ab'.repeat(32), outpoints: ['x:0', 'y:1'], signatures: ['3045'], paidSats: '1000', at: now, submitted: false })
    await log.recordSigned({ batchId: '6', txid: 'cd'.repeat(32), outpoints: ['z:0'], signatures: ['3045'], paidSats: '5000', at: now - 25 * 3600_000, submitted: true })
    await log.close()
    log = await SigningLog.open(dir)
    expect(await log.spentBy('y:1')).toBe('ab'.repeat(32))
    expect((await log.unsubmitted()).map((e) => e.batchId)).toEqual(['7'])
    expect(await log.paidSince(now)).toBe(1000n)
    await log.markSubmitted(7n)
    expect(await log.unsubmitted()).toEqual([])
    await log.close()
  })
})
