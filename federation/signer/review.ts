// The decision a signer makes before it signs a batch (ARCHITECTURE.md decision 8), as one pure function: recompute
// the batch from what the signer itself knows (its ledger of verified UTXOs and the burned requests), compare with
// the transaction it is shown, check every input is unspent on its own Bitcoin node and was never signed into
// another transaction, and apply its policy. Any refusal is a coded error the daemon writes to its log.
import { buildBatch, buildConsolidation, compareBatch, type Batch, type Federation, type PegOutRequest, type FederationUtxo } from '../../peg/bitcoin/index.js'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { hashToDisplayHex } from '../../spv/base/bytes.js'
import { outpointKey } from './ledger.js'
import { Transaction } from 'bitcoinjs-lib'

function shownInputCount(unsignedTx: Uint8Array): number {
  try {
    return Transaction.fromBuffer(Buffer.from(unsignedTx)).ins.length
  } catch {
    return 0 // buildConsolidation then refuses, and the review with it
  }
}

/** What a signer accepts to sign on Bitcoin (its configuration's `bitcoin.policy`). */
export interface BitcoinPolicy {
  /** Most satoshis one batch may pay out (outputs other than change). */
  readonly maxPerTxSats: bigint
  /** Most satoshis all batches signed in any 24 hours may pay out. */
  readonly maxPer24hSats: bigint
  /** Highest fee rate (sat/vB) the signer accepts. */
  readonly maxFeeRate: bigint
}

export interface ReviewInput {
  readonly batchId: bigint
  /** The unsigned transaction the bridge shows (from its PegOutBatched event). */
  readonly shownUnsignedTx: Uint8Array
  readonly feeRate: bigint
  /** The signer's own UTXO set just before the batch, in the bridge's order. */
  readonly utxos: readonly FederationUtxo[]
  /** The requests the batch claims to pay, as the signer saw them burned; undefined if it has not seen them all. */
  readonly requests: readonly PegOutRequest[] | undefined
  /**
   * A consolidation (the bridge's PegOutBatched with requestCount 0): the first UTXOs joined into one output to the
   * federation, rebuilt with as many inputs as the shown transaction has. It pays no one.
   */
  readonly consolidation?: boolean
  readonly fed: Federation
  readonly chainId: bigint
  readonly policy: BitcoinPolicy
  /** Satoshis this signer released in the last 24 hours. */
  readonly paidLast24h: bigint
  /** The txid (display hex) this signer already signed spending an outpoint, if any. */
  readonly signedSpending: (outpoint: string) => string | undefined
  /** Outpoints its own Bitcoin node reports unspent. */
  readonly unspent: (outpoint: string) => boolean
}

/** Returns the batch to sign, or throws the coded reason to refuse it. */
export function reviewBatch(input: ReviewInput): Batch {
  if (input.requests === undefined && input.consolidation !== true) {
    fail('SIGNER_UNKNOWN_REQUESTS', `batch ${input.batchId} pays requests this signer has not seen burned on its own node`)
  }
  if (input.feeRate > input.policy.maxFeeRate) {
    fail('SIGNER_POLICY_FEE_RATE', `batch ${input.batchId} uses ${input.feeRate} sat/vB, above this signer's limit of ${input.policy.maxFeeRate}`)
  }
  let expected: Batch
  try {
    expected =
      input.consolidation === true
        ? buildConsolidation(input.utxos, { fed: input.fed, chainId: input.chainId, feeRateSatPerVb: input.feeRate, inputCount: shownInputCount(input.shownUnsignedTx) })
        : buildBatch(input.utxos, input.requests!, { fed: input.fed, chainId: input.chainId, feeRateSatPerVb: input.feeRate })
  } catch (e) {
    const code = e instanceof CausewayError ? e.code : 'UNKNOWN'
    fail('SIGNER_CANNOT_RECOMPUTE', `batch ${input.batchId}: this signer's own recomputation fails (${code}): ${(e as Error).message}`, undefined, e)
  }
  compareBatch(expected, input.shownUnsignedTx)
  const txid = hashToDisplayHex(expected.txid)
  for (const u of expected.inputs) {
    const key = outpointKey(u.txid, u.vout)
    const earlier = input.signedSpending(key)
    if (earlier !== undefined && earlier !== txid) {
      fail('SIGNER_DOUBLE_SPEND', `batch ${input.batchId} spends ${hashToDisplayHex(u.txid)}:${u.vout}, which this signer already signed into ${earlier}`, {
        outpoint: key,
        earlier,
      })
    }
    if (!input.unspent(key)) {
      fail('SIGNER_INPUT_SPENT', `batch ${input.batchId} spends ${hashToDisplayHex(u.txid)}:${u.vout}, which this signer's Bitcoin node does not report unspent`)
    }
  }
  const paid = expected.outputs.filter((o) => o.requestId !== null).reduce((s, o) => s + o.valueSats, 0n)
  if (paid > input.policy.maxPerTxSats) {
    fail('SIGNER_POLICY_MAX_TX', `batch ${input.batchId} pays out ${paid} sats, above this signer's limit of ${input.policy.maxPerTxSats} per transaction`)
  }
  if (input.paidLast24h + paid > input.policy.maxPer24hSats) {
    fail('SIGNER_POLICY_MAX_DAY', `batch ${input.batchId} would bring this signer's last 24 hours to ${input.paidLast24h + paid} sats, above its limit of ${input.policy.maxPer24hSats}`)
  }
  return expected
}
