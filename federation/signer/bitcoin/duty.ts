// The Bitcoin duty of a federation signer (ARCHITECTURE.md decision 8). Each round it
//   1. watches: reads the bridge's new events from its own side-chain node (all blocks there are final) into its
//      own ledger of the federation wallet, and yields each new batch, with its inputs checked on its own Bitcoin node
//      and its signing log read, for the daemon to review (review.ts, pure), sign (log first) and submit; a batch it
//      refused is yielded again on later rounds (rereview.ts backoff) while the bridge still waits for its signatures;
//   2. delivers: relays Bitcoin headers and proofs of transactions paying the federation (peg-ins, batch
//      confirmations) to the bridge, resends logged signatures the bridge lacks, broadcasts complete batch
//      transactions (once: it checks its node's mempool and chain first), asks the bridge to batch when a batch is
//      due, and reports its fee-rate estimate.
// Restarted, it replays the events, finds its log, and resubmits what it signed instead of signing again.
import { Transaction } from 'bitcoinjs-lib'
import type { Logger } from 'pino'
import { Gauge } from 'prom-client'
import { bytesToHex, hashToDisplayHex, hexToBytes } from '../../../spv/base/bytes.js'
import { federationScriptPubKey, signBatch, utxoScriptPubKey, type Batch, type Federation, type FederationUtxo } from '../../../peg/bitcoin/index.js'
import { REQUEST_STATUS } from '../../../peg/bitcoin/status.js'
import type { BitcoinRpcClient } from '../../bitcoin/rpc-client.js'
import type { MemberKey } from '../../keystore.js'
import type { BridgeClient, BridgeLog } from '../bridge-client.js'
import type { SignerConfig } from '../config.js'
import { refusalOf, type Duty, type DutyHealth, type Refusal, type Verdict } from '../duty.js'
import { FederationLedger, outpointKey } from '../ledger.js'
import { ledgerEventOf } from '../ledger-events.js'
import { familyMetrics, type FamilyMetrics, type SignerMetrics } from '../metrics.js'
import { Relayer } from '../relayer.js'
import { rereviewDelayMs, type PendingReview } from '../rereview.js'
import { reviewBatch, type ReviewInput } from '../review.js'
import type { SigningLog } from '../signing-log.js'
import { submitSignatures, type SubmitDeps } from './submit.js'
import { RELAY_STAGGER_MS, Turns } from './turns.js'

/** Signatures logged this long ago and still not on the bridge are sent again. */
const RESUBMIT_AFTER_MS = 10_000
/** How often the signer asks its Bitcoin node for a fee estimate (and reports it when it moved). */
const FEE_CHECK_MS = 30_000
/** An unchanged estimate is reported again this often: the bridge ignores reports older than its configured age. */
const FEE_REPORT_REFRESH_MS = 600_000
/** A deferred queue is logged at most this often (it is asked about every round). */
const DEFER_LOG_MS = 60_000

const b32 = (hex: string): Uint8Array => hexToBytes(hex, 'bytes32', 32)

interface BatchInfo {
  readonly batchId: bigint
  readonly txid: string
  readonly requestCount: number
  /** Present while this signer has not signed it and the bridge may still take its signatures. */
  review?: PendingReview
  signedTx?: Uint8Array
  /** When this signer first saw the batch complete (broadcast turns count from it). */
  signedSeenAt?: number
  confirmed: boolean
}

/** A batch to review, with every answer of this signer's own nodes and log its review needs. */
export interface BitcoinItem {
  readonly batch: BatchInfo
  readonly review: PendingReview
  readonly input: ReviewInput
}

export interface BitcoinSigned {
  readonly batch: BatchInfo
  readonly review: PendingReview
  readonly signatures: readonly Uint8Array[]
}

export interface BitcoinDutyDeps {
  readonly config: SignerConfig
  readonly key: MemberKey
  readonly member: number
  readonly fed: Federation
  readonly chainId: bigint
  readonly btc: BitcoinRpcClient
  readonly bridge: BridgeClient
  /** The Bitcoin family's log (keys `bitcoin!…`). */
  readonly signingLog: SigningLog
  readonly log: Logger
  readonly metrics: SignerMetrics
}

export class BitcoinDuty implements Duty<BitcoinItem, Batch, BitcoinSigned> {
  readonly family = 'bitcoin' as const
  private readonly ledger = new FederationLedger()
  private readonly batches = new Map<bigint, BatchInfo>()
  private readonly scripts = new Set<string>()
  private cursor = -1
  private lastRequestId = 0n
  private lastBatchedRequest = 0n
  private lastFeeReport = 0n
  private lastFeeReportAt = 0
  private lastDeferLog = 0
  private lastResubmit = 0
  private lastFeeCheck = 0
  private readonly relayer: Relayer
  private readonly turns: Turns
  private readonly m: FamilyMetrics & { readonly btcHeight: Gauge; readonly bridgeHeight: Gauge }
  private readonly submitDeps: SubmitDeps

  constructor(private readonly d: BitcoinDutyDeps) {
    this.scripts.add(bytesToHex(federationScriptPubKey(d.fed)))
    this.relayer = new Relayer({
      btc: d.btc,
      bridge: d.bridge,
      confirmations: 1,
      isFederationScript: (hex) => this.scripts.has(hex),
      pendingBatchTxids: () => new Set([...this.batches.values()].filter((b) => b.signedTx !== undefined && !b.confirmed).map((b) => b.txid)),
      log: (level, msg, fields) => d.log[level](fields ?? {}, msg),
    })
    this.turns = new Turns(d.member, d.config.relay, () => this.relayer.lagging())
    const registers = [d.metrics.registry]
    this.m = {
      ...familyMetrics(d.metrics, 'bitcoin'),
      btcHeight: new Gauge({ name: 'causeway_signer_bitcoin_height', help: 'Height of this signer\'s Bitcoin node', registers }),
      bridgeHeight: new Gauge({ name: 'causeway_signer_bridge_btc_height', help: 'Height of the bridge\'s best Bitcoin block', registers }),
    }
    this.submitDeps = { bridge: d.bridge, signingLog: d.signingLog, fed: d.fed, member: d.member, log: d.log }
  }

  // Bridge events first: a new batch is reviewed and signed before anything else this round.
  async *watch(): AsyncGenerator<BitcoinItem> {
    yield* this.syncEvents()
    yield* this.rereviewRefused()
  }

  review(item: BitcoinItem): Verdict<Batch> {
    try {
      return { approved: reviewBatch(item.input) }
    } catch (e) {
      return { refused: refusalOf(e) }
    }
  }

  async sign(item: BitcoinItem, batch: Batch): Promise<BitcoinSigned> {
    const sigs = signBatch(batch, this.d.key.privateKey, this.d.fed, this.d.chainId)
    const paid = batch.outputs.filter((o) => o.requestId !== null).reduce((s, o) => s + o.valueSats, 0n)
    await this.d.signingLog.recordSigned({
      batchId: item.batch.batchId.toString(),
      txid: hashToDisplayHex(batch.txid),
      outpoints: batch.inputs.map((u) => outpointKey(u.txid, u.vout)),
      signatures: sigs.map((s) => bytesToHex(s)),
      paidSats: paid.toString(),
      at: Date.now(),
      submitted: false,
    })
    this.m.signed.inc()
    this.d.log.info({ batchId: item.batch.batchId.toString(), txid: hashToDisplayHex(batch.txid), inputs: batch.inputs.length, outputs: batch.outputs.length }, 'signed a batch')
    return { batch: item.batch, review: item.review, signatures: sigs }
  }

  async submit(s: BitcoinSigned): Promise<void> {
    await submitSignatures(this.submitDeps, s.batch.batchId, s.signatures)
    this.reviewed(s.batch, s.review, 'done')
  }

  async refuse(item: BitcoinItem, refusal: Refusal): Promise<void> {
    const { batch: b, review } = item
    const { code, message } = refusal
    // The others may have completed (and broadcast) the batch while this review ran: its inputs then look spent
    // in the node's mempool. Nothing is left to refuse.
    if (code === 'SIGNER_INPUT_SPENT' && (await this.d.bridge.read.getBatch([b.batchId])).status !== REQUEST_STATUS.batched) {
      this.reviewed(b, review, 'done')
      return
    }
    this.m.refused.inc(code)
    if (await this.d.signingLog.recordRefusal(b.batchId, code, message, Date.now())) {
      this.d.log.warn({ code, batchId: b.batchId.toString(), reason: message }, 'refused to sign a batch')
    }
    this.reviewed(b, review, { refused: code })
  }

  async deliver(): Promise<void> {
    if (await this.turns.relayDue()) {
      this.m.headers.inc(await this.relayer.relayHeaders())
      this.m.registrations.inc(await this.relayer.relayTransactions())
    }
    await this.resubmitUnconfirmed()
    await this.broadcastSigned()
    // The same turns as relaying: one member asks for the batch, the others only if it does not.
    if (this.lastRequestId > this.lastBatchedRequest && this.turns.flushDue()) {
      const r = await this.d.bridge.send('flushPegOuts', [], ['PEG_BATCH_NOT_DUE', 'PEG_BATCH_DEFERRED'])
      if ('hash' in r) this.d.log.info({}, 'asked the bridge to batch the peg-out queue')
      else if (r.refused === 'PEG_BATCH_DEFERRED' && Date.now() - this.lastDeferLog > DEFER_LOG_MS) {
        this.lastDeferLog = Date.now()
        this.d.log.info({ code: r.refused }, 'the due peg-outs wait for reserves (a batch or consolidation in flight, or fragmented reserves); asked again each round')
      }
    }
    if (Date.now() - this.lastFeeCheck > FEE_CHECK_MS) {
      this.lastFeeCheck = Date.now()
      await this.reportFeeRate()
      this.m.btcHeight.set(await this.d.btc.getBlockCount())
    }
  }

  health(): DutyHealth {
    return { details: { sidechainBlock: this.cursor, pendingBatches: [...this.batches.values()].filter((b) => !b.confirmed).map((b) => b.batchId.toString()) } }
  }

  private async *syncEvents(): AsyncGenerator<BitcoinItem> {
    const head = await this.d.bridge.blockNumber()
    for (let from = this.cursor + 1; from <= head; from += 1000) {
      const to = Math.min(head, from + 999)
      for (const ev of await this.d.bridge.logs(from, to)) yield* this.apply(ev)
      this.cursor = to
      this.m.sidechainBlock.set(to)
    }
  }

  private async *apply(ev: BridgeLog): AsyncGenerator<BitcoinItem> {
    const a = ev.args
    switch (ev.name) {
      case 'BtcHeadersReceived':
        this.m.bridgeHeight.set(Number(a.height))
        break
      case 'DepositAddressRegistered':
        this.scripts.add((a.btcScript as string).slice(2))
        break
      case 'PegOutRequested':
        if ((a.id as bigint) > this.lastRequestId) this.lastRequestId = a.id as bigint
        break
      case 'PegOutBatched': {
        const batchId = a.batchId as bigint
        const count = Number(a.requestCount)
        // Reviewed against the wallet as it stands before this batch spends its inputs (applied below); the snapshot
        // is kept so a later re-review sees the same wallet.
        const review: PendingReview = {
          unsignedTx: hexToBytes(a.unsignedTx, 'unsignedTx'),
          feeRate: a.feeRate as bigint,
          firstRequestId: a.firstRequestId as bigint,
          utxosBefore: this.ledger.utxos(),
          attempts: 0,
          nextAt: 0,
        }
        const info: BatchInfo = { batchId, txid: hashToDisplayHex(b32(a.txid)), requestCount: count, review, confirmed: false }
        this.batches.set(batchId, info)
        yield* this.reviewOnce(info)
        const last = (a.firstRequestId as bigint) + BigInt(count) - 1n
        if (last > this.lastBatchedRequest) this.lastBatchedRequest = last
        this.turns.batched()
        break
      }
      case 'PegOutSigned': {
        const b = this.batches.get(a.batchId as bigint)
        if (b !== undefined) {
          b.signedTx = hexToBytes(a.signedTx, 'signedTx')
          b.signedSeenAt = Date.now()
          delete b.review
        }
        break
      }
      case 'PegOutConfirmed': {
        const b = this.batches.get(a.batchId as bigint)
        if (b !== undefined) {
          b.confirmed = true
          delete b.review
        }
        break
      }
    }
    // Peg-ins, requests, batches and change enter the wallet as the audit replays them (ledger-events.ts).
    const event = ledgerEventOf(ev)
    if (event !== undefined) this.ledger.apply(event)
  }

  /**
   * Batches this signer refused and the bridge still holds unsigned by it are reviewed again once their backoff
   * has passed: the reason may be gone (its Bitcoin node caught up, the 24-hour window moved, a burn arrived).
   */
  private async *rereviewRefused(): AsyncGenerator<BitcoinItem> {
    const now = Date.now()
    for (const b of this.batches.values()) {
      if (b.review === undefined || b.confirmed || b.signedTx !== undefined || now < b.review.nextAt) continue
      yield* this.reviewOnce(b)
    }
  }

  /**
   * One review of a batch: yields it for review unless it was signed before (its logged signatures are sent again if
   * the bridge lacks them) or is no longer signable by this member. submit() or refuse() then settles it.
   */
  private async *reviewOnce(b: BatchInfo): AsyncGenerator<BitcoinItem> {
    const review = b.review
    if (review === undefined) return
    const input = await this.reviewInput(b, review)
    if (input === 'done') this.reviewed(b, review, 'done')
    else yield { batch: b, review, input }
  }

  /** Ends the re-reviews when there is nothing left to do; after a refusal, schedules the next one. */
  private reviewed(b: BatchInfo, review: PendingReview, outcome: 'done' | { refused: string }): void {
    review.attempts++
    if (outcome === 'done') {
      delete b.review
      return
    }
    const delay = rereviewDelayMs(review.attempts)
    review.nextAt = Date.now() + delay
    if (review.attempts > 1) {
      this.d.log.warn({ code: outcome.refused, batchId: b.batchId.toString(), attempt: review.attempts, nextInMs: delay }, 'batch still refused on re-review; will review it again')
    }
  }

  /** What the review needs from this signer's log and nodes; 'done' when signed before or no longer signable by it. */
  private async reviewInput(b: BatchInfo, review: PendingReview): Promise<ReviewInput | 'done'> {
    const { batchId } = b
    const { unsignedTx, feeRate, firstRequestId } = review
    const logged = await this.d.signingLog.signed(batchId)
    if (logged !== undefined) {
      if (!logged.submitted) await submitSignatures(this.submitDeps, batchId, logged.signatures.map((s) => hexToBytes(s, 'signature')))
      return 'done'
    }
    const view = await this.d.bridge.read.getBatch([batchId])
    if (Number(view.status) !== REQUEST_STATUS.batched || (Number(view.signers) & (1 << this.d.member)) !== 0) return 'done'
    const shown = Transaction.fromBuffer(Buffer.from(unsignedTx))
    const unspent = new Set<string>()
    const spentBy = new Map<string, string>()
    const known = new Map(review.utxosBefore.map((u) => [outpointKey(u.txid, u.vout), u] as const))
    for (const input of shown.ins) {
      const keyStr = outpointKey(new Uint8Array(input.hash), input.index)
      const prior = await this.d.signingLog.spentBy(keyStr)
      if (prior !== undefined) spentBy.set(keyStr, prior)
      const ours = known.get(keyStr)
      if (ours !== undefined && (await this.confirmsOnBitcoin(ours))) unspent.add(keyStr)
    }
    return {
      batchId,
      shownUnsignedTx: unsignedTx,
      feeRate,
      utxos: review.utxosBefore,
      requests: this.ledger.requestRange(firstRequestId, b.requestCount),
      consolidation: b.requestCount === 0,
      fed: this.d.fed,
      chainId: this.d.chainId,
      policy: this.d.config.bitcoin.policy,
      paidLast24h: await this.d.signingLog.paidSince(Date.now()),
      signedSpending: (o) => spentBy.get(o),
      unspent: (o) => unspent.has(o),
    }
  }

  /** The UTXO is unspent on this signer's own Bitcoin node, with the value and script the ledger says. */
  private async confirmsOnBitcoin(u: FederationUtxo): Promise<boolean> {
    const out = await this.d.btc.getTxOut(hashToDisplayHex(u.txid), u.vout, true)
    if (out === null) return false
    return out.valueSats === u.valueSats && bytesToHex(out.scriptPubKey) === bytesToHex(utxoScriptPubKey(this.d.fed, this.d.chainId, u.recipient))
  }

  /** Signatures logged but not seen on the bridge (their transaction failed or was lost): send them again. */
  private async resubmitUnconfirmed(): Promise<void> {
    if (Date.now() - this.lastResubmit < RESUBMIT_AFTER_MS) return
    this.lastResubmit = Date.now()
    for (const e of await this.d.signingLog.unsubmitted()) {
      if (Date.now() - e.at < RESUBMIT_AFTER_MS) continue
      const id = BigInt(e.batchId)
      const view = await this.d.bridge.read.getBatch([id])
      if (Number(view.status) !== REQUEST_STATUS.batched || (Number(view.signers) & (1 << this.d.member)) !== 0) {
        await this.d.signingLog.markSubmitted(id)
        continue
      }
      await submitSignatures(this.submitDeps, id, e.signatures.map((sig) => hexToBytes(sig, 'signature')))
    }
  }

  private async broadcastSigned(): Promise<void> {
    for (const b of this.batches.values()) {
      if (b.signedTx === undefined || b.confirmed) continue
      if ((await this.d.signingLog.broadcastAt(b.txid)) !== undefined) continue
      // Turns as for relaying: member i waits i × RELAY_STAGGER_MS, so normally member 0 broadcasts alone and the
      // others find it in their node's mempool (they share no other channel to say who sent it).
      if (Date.now() - (b.signedSeenAt ?? 0) < this.d.member * RELAY_STAGGER_MS) continue
      // Once only: not if its node already has it (in the mempool or a block).
      const inMempool = (await this.d.btc.getMempoolEntry(b.txid)) !== null
      const inChain = !inMempool && (await this.d.btc.getTransactionBlockHash(b.txid).catch(() => null)) !== null
      if (!inMempool && !inChain) {
        await this.d.btc.sendRawTransaction(b.signedTx)
        this.m.broadcasts.inc()
        this.d.log.info({ batchId: b.batchId.toString(), txid: b.txid }, 'broadcast a batch transaction')
      }
      await this.d.signingLog.recordBroadcast(b.txid, Date.now())
    }
  }

  private async reportFeeRate(): Promise<void> {
    const est = await this.d.btc.estimateSmartFee(6).catch(() => null)
    if (est === null) return
    const rate = (est.satPerKvB + 999n) / 1000n
    if (rate <= 0n) return
    const moved = this.lastFeeReport === 0n || rate * 10n < this.lastFeeReport * 8n || rate * 10n > this.lastFeeReport * 12n
    // Reported again even if unchanged before the bridge's age limit (default 1800 s) could drop it.
    const stale = Date.now() - this.lastFeeReportAt >= FEE_REPORT_REFRESH_MS
    if (!moved && !stale) return
    const r = await this.d.bridge.send('reportFeeRate', [rate])
    if ('hash' in r) {
      this.lastFeeReport = rate
      this.lastFeeReportAt = Date.now()
    }
  }
}
