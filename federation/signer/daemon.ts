// The federation signer daemon (`causeway signer --config FILE`, ARCHITECTURE.md decision 8). Each round it
//   1. relays Bitcoin headers from its own Bitcoin node to the bridge;
//   2. reads the bridge's new events from its own side-chain node (all blocks there are final) into its own ledger
//      of the federation wallet, and for each new batch: recomputes it with peg/, checks its inputs on its own
//      Bitcoin node, applies its policy, writes its signatures to its `level` log, then submits them; a batch it
//      refused is reviewed again on later rounds (rereview.ts backoff) while the bridge still waits for its signatures;
//   3. relays proofs of transactions paying the federation (peg-ins, batch confirmations);
//   4. broadcasts complete batch transactions (once: it checks its node's mempool and chain first);
//   5. asks the bridge to batch when a batch is due, and reports its fee-rate estimate.
// Restarted, it replays the events, finds its log, and resubmits what it signed instead of signing again.
import { Transaction } from 'bitcoinjs-lib'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { pino, type Logger } from 'pino'
import { Counter, Gauge, Registry } from 'prom-client'
import { bytesToHex, hashToDisplayHex, hexToBytes } from '../../spv/base/bytes.js'
import { CausewayError, fail, isCausewayError } from '../../spv/base/errors.js'
import {
  createFederation,
  encodeSignatures,
  federationScriptPubKey,
  signBatch,
  utxoScriptPubKey,
  type Federation,
  type FederationUtxo,
} from '../../peg/bitcoin/index.js'
import { BitcoinRpcClient } from '../bitcoin/rpc-client.js'
import type { MemberKey } from '../keystore.js'
import { BridgeClient, type BridgeLog } from './bridge-client.js'
import type { SignerConfig } from './config.js'
import { FederationLedger, outpointKey } from './ledger.js'
import { ledgerEventOf } from './ledger-events.js'
import { Relayer } from './relayer.js'
import { reviewBatch } from './review.js'
import { rereviewDelayMs, type PendingReview } from './rereview.js'
import { signaturesGasLimit } from './gas.js'
import { REQUEST_STATUS } from '../../peg/bitcoin/status.js'
import { DUTY_GAS_DIVISOR } from '../../sidechain/exec/duty.js'
import { SigningLog } from './signing-log.js'

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

export interface SignerHandle {
  readonly url: string
  readonly memberIndex: number
  stop(): Promise<void>
}

/** How long member i waits (i × this) before relaying work another member has not done. */
export const RELAY_STAGGER_MS = 4_000
/** Signatures logged this long ago and still not on the bridge are sent again. */
const RESUBMIT_AFTER_MS = 10_000
/** How often the signer asks its Bitcoin node for a fee estimate (and reports it when it moved). */
const FEE_CHECK_MS = 30_000
/** An unchanged estimate is reported again this often: the bridge ignores reports older than its configured age. */
const FEE_REPORT_REFRESH_MS = 600_000
/** A deferred queue is logged at most this often (it is asked about every round). */
const DEFER_LOG_MS = 60_000

const b32 = (hex: string): Uint8Array => hexToBytes(hex, 'bytes32', 32)

export async function startSigner(config: SignerConfig, key: MemberKey, logger: Logger = pino({ base: { component: 'signer' } })): Promise<SignerHandle> {
  const log = logger
  const signingLog = await SigningLog.open(config.datadir)
  const btc = new BitcoinRpcClient({ url: config.bitcoin.rpcUrl, username: config.bitcoin.rpcUser, password: config.bitcoin.rpcPassword })
  let bridge: BridgeClient | undefined
  try {
    const chainId = await BridgeClient.chainIdOf(config.sidechain.rpcUrl)
    bridge = new BridgeClient(config.sidechain.rpcUrl, bytesToHex(key.privateKey).replace(/^/, '0x'), chainId)
    const [pubkeysHex, threshold] = await bridge.view<[string[], bigint]>('getFederation')
    const pubkeys = pubkeysHex.map((p) => hexToBytes(p, 'pubkey', 33))
    const memberIndex = pubkeys.findIndex((p) => bytesToHex(p) === bytesToHex(key.publicKey))
    if (memberIndex < 0) fail('SIGNER_NOT_MEMBER', `this keystore's key ${bytesToHex(key.publicKey)} is not a member of the bridge's federation`)
    const fed = createFederation(pubkeys, Number(threshold))
    await btc.getBlockCount() // fail fast if the Bitcoin node is not there
    const signer = new Signer(config, key, memberIndex, fed, chainId, btc, bridge, signingLog, log)
    const server = await signer.serveHttp()
    signer.run()
    log.info({ member: memberIndex, address: key.address, url: server.url }, 'signer started')
    return {
      url: server.url,
      memberIndex,
      async stop() {
        await signer.stop()
        await new Promise<void>((r) => server.server.close(() => r()))
        bridge?.close()
        await signingLog.close()
      },
    }
  } catch (e) {
    bridge?.close()
    await signingLog.close()
    throw e
  }
}

class Signer {
  private readonly ledger = new FederationLedger()
  private readonly batches = new Map<bigint, BatchInfo>()
  private readonly scripts = new Set<string>()
  private cursor = -1
  private lastRequestId = 0n
  private lastBatchedRequest = 0n
  private lastFeeReport = 0n
  private lastFeeReportAt = 0
  private stopped = false
  private loop: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private readonly relayer: Relayer
  private lastTickAt = 0
  private relayPendingSince = 0
  private flushPendingSince = 0
  private lastDeferLog = 0
  private lastResubmit = 0
  private lastFeeCheck = 0
  private lastError: string | undefined
  private readonly registry = new Registry()
  private readonly m

  constructor(
    private readonly config: SignerConfig,
    private readonly key: MemberKey,
    private readonly member: number,
    private readonly fed: Federation,
    private readonly chainId: bigint,
    private readonly btc: BitcoinRpcClient,
    private readonly bridge: BridgeClient,
    private readonly signingLog: SigningLog,
    private readonly log: Logger,
  ) {
    this.scripts.add(bytesToHex(federationScriptPubKey(fed)))
    this.relayer = new Relayer({
      btc,
      bridge,
      confirmations: 1,
      isFederationScript: (hex) => this.scripts.has(hex),
      pendingBatchTxids: () => new Set([...this.batches.values()].filter((b) => b.signedTx !== undefined && !b.confirmed).map((b) => b.txid)),
      log: (level, msg, fields) => this.log[level](fields ?? {}, msg),
    })
    const r = this.registry
    this.m = {
      btcHeight: new Gauge({ name: 'causeway_signer_bitcoin_height', help: 'Height of this signer\'s Bitcoin node', registers: [r] }),
      bridgeHeight: new Gauge({ name: 'causeway_signer_bridge_btc_height', help: 'Height of the bridge\'s best Bitcoin block', registers: [r] }),
      sidechainBlock: new Gauge({ name: 'causeway_signer_sidechain_block', help: 'Last side-chain block whose bridge events were read', registers: [r] }),
      signed: new Counter({ name: 'causeway_signer_batches_signed_total', help: 'Batches this signer signed', registers: [r] }),
      refused: new Counter({ name: 'causeway_signer_refusals_total', help: 'Batches this signer refused to sign, by code', labelNames: ['code'], registers: [r] }),
      broadcasts: new Counter({ name: 'causeway_signer_broadcasts_total', help: 'Complete transactions this signer broadcast', registers: [r] }),
      headers: new Counter({ name: 'causeway_signer_headers_relayed_total', help: 'Bitcoin headers relayed', registers: [r] }),
      registrations: new Counter({ name: 'causeway_signer_registrations_total', help: 'Bitcoin transactions registered with the bridge', registers: [r] }),
      errors: new Counter({ name: 'causeway_signer_round_errors_total', help: 'Rounds that ended in an error', registers: [r] }),
    }
  }

  async serveHttp(): Promise<{ url: string; server: ServerType }> {
    const app = new Hono()
    app.get('/health', (c) => {
      const age = Date.now() - this.lastTickAt
      const healthy = this.lastTickAt > 0 && age < Math.max(10_000, this.config.pollMs * 10) && this.lastError === undefined
      return c.json(
        {
          status: healthy ? 'ok' : 'degraded',
          member: this.member,
          address: this.key.address,
          lastRoundMsAgo: this.lastTickAt === 0 ? null : age,
          lastError: this.lastError ?? null,
          sidechainBlock: this.cursor,
          pendingBatches: [...this.batches.values()].filter((b) => !b.confirmed).map((b) => b.batchId.toString()),
        },
        healthy ? 200 : 503,
      )
    })
    app.get('/metrics', async (c) => c.text(await this.registry.metrics(), 200, { 'content-type': this.registry.contentType }))
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname: this.config.http.host, port: this.config.http.port }, (info) => {
        resolve({ url: `http://${this.config.http.host}:${info.port}`, server })
      })
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new CausewayError('PORT_IN_USE', `signer HTTP port ${this.config.http.port} is in use`) : e),
      )
    })
  }

  run(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.round()
          this.lastError = undefined
        } catch (e) {
          this.m.errors.inc()
          const code = isCausewayError(e) ? e.code : 'SIGNER_ROUND_FAILED'
          this.lastError = `${code}: ${(e as Error).message}`
          this.log.warn({ code, err: (e as Error).message }, 'signer round failed; retrying')
        }
        this.lastTickAt = Date.now()
        if (this.stopped) break
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.config.pollMs)
          this.wake = () => {
            clearTimeout(t)
            r()
          }
        })
      }
    })()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
  }

  /**
   * Relay turns: every member can relay, but member i steps in only once the bridge's Bitcoin chain has lagged
   * its own node's for i × RELAY_STAGGER_MS — normally member 0 relays alone and no duplicate transactions race.
   */
  private async relayDue(): Promise<boolean> {
    if (!this.config.relay) return false
    if (this.member === 0) return true
    const lagging = await this.relayer.lagging()
    const now = Date.now()
    if (!lagging) {
      this.relayPendingSince = 0
      return false
    }
    if (this.relayPendingSince === 0) this.relayPendingSince = now
    return now - this.relayPendingSince >= this.member * RELAY_STAGGER_MS
  }

  private flushDue(): boolean {
    const now = Date.now()
    if (this.flushPendingSince === 0) this.flushPendingSince = now
    if (now - this.flushPendingSince < this.member * RELAY_STAGGER_MS) return false
    return true
  }

  private async round(): Promise<void> {
    // Bridge events first: a new batch is reviewed and signed before anything else this round.
    await this.syncEvents()
    await this.rereviewRefused()
    if (await this.relayDue()) {
      this.m.headers.inc(await this.relayer.relayHeaders())
      this.m.registrations.inc(await this.relayer.relayTransactions())
    }
    await this.resubmitUnconfirmed()
    await this.broadcastSigned()
    // The same turns as relaying: one member asks for the batch, the others only if it does not.
    if (this.lastRequestId > this.lastBatchedRequest && this.flushDue()) {
      const r = await this.bridge.send('flushPegOuts', [], ['PEG_BATCH_NOT_DUE', 'PEG_BATCH_DEFERRED'])
      if ('hash' in r) this.log.info({}, 'asked the bridge to batch the peg-out queue')
      else if (r.refused === 'PEG_BATCH_DEFERRED' && Date.now() - this.lastDeferLog > DEFER_LOG_MS) {
        this.lastDeferLog = Date.now()
        this.log.info({ code: r.refused }, 'the due peg-outs wait for reserves (a batch or consolidation in flight, or fragmented reserves); asked again each round')
      }
    }
    if (Date.now() - this.lastFeeCheck > FEE_CHECK_MS) {
      this.lastFeeCheck = Date.now()
      await this.reportFeeRate()
      this.m.btcHeight.set(await this.btc.getBlockCount())
    }
  }

  private async syncEvents(): Promise<void> {
    const head = await this.bridge.blockNumber()
    for (let from = this.cursor + 1; from <= head; from += 1000) {
      const to = Math.min(head, from + 999)
      for (const ev of await this.bridge.logs(from, to)) await this.apply(ev)
      this.cursor = to
      this.m.sidechainBlock.set(to)
    }
  }

  private async apply(ev: BridgeLog): Promise<void> {
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
        await this.reviewOnce(info)
        const last = (a.firstRequestId as bigint) + BigInt(count) - 1n
        if (last > this.lastBatchedRequest) this.lastBatchedRequest = last
        this.flushPendingSince = 0
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
  private async rereviewRefused(): Promise<void> {
    const now = Date.now()
    for (const b of this.batches.values()) {
      if (b.review === undefined || b.confirmed || b.signedTx !== undefined || now < b.review.nextAt) continue
      await this.reviewOnce(b)
    }
  }

  /** One review of a batch; on a refusal, schedules the next one. Ends the re-reviews when there is nothing left to do. */
  private async reviewOnce(b: BatchInfo): Promise<void> {
    const review = b.review
    if (review === undefined) return
    const outcome = await this.considerBatch(b.batchId, review)
    review.attempts++
    if (outcome === 'done') {
      delete b.review
      return
    }
    const delay = rereviewDelayMs(review.attempts)
    review.nextAt = Date.now() + delay
    if (review.attempts > 1) {
      this.log.warn({ code: outcome.refused, batchId: b.batchId.toString(), attempt: review.attempts, nextInMs: delay }, 'batch still refused on re-review; will review it again')
    }
  }

  /**
   * Reviews a batch and, if it passes, signs it (log first) and submits the signatures. 'done': signed now or
   * before, or no longer signable by this member; otherwise the refusal's code.
   */
  private async considerBatch(batchId: bigint, review: PendingReview): Promise<'done' | { refused: string }> {
    const { unsignedTx, feeRate, firstRequestId } = review
    const count = this.batches.get(batchId)?.requestCount ?? 0
    const logged = await this.signingLog.signed(batchId)
    if (logged !== undefined) {
      if (!logged.submitted) await this.submit(batchId, logged.signatures.map((s) => hexToBytes(s, 'signature')))
      return 'done'
    }
    const view = await this.bridge.view<{ status: bigint; signers: bigint }>('getBatch', [batchId])
    if (Number(view.status) !== REQUEST_STATUS.batched || (Number(view.signers) & (1 << this.member)) !== 0) return 'done'
    const shown = Transaction.fromBuffer(Buffer.from(unsignedTx))
    const unspent = new Set<string>()
    const spentBy = new Map<string, string>()
    const known = new Map(review.utxosBefore.map((u) => [outpointKey(u.txid, u.vout), u] as const))
    for (const input of shown.ins) {
      const keyStr = outpointKey(new Uint8Array(input.hash), input.index)
      const prior = await this.signingLog.spentBy(keyStr)
      if (prior !== undefined) spentBy.set(keyStr, prior)
      const ours = known.get(keyStr)
      if (ours !== undefined && (await this.confirmsOnBitcoin(ours))) unspent.add(keyStr)
    }
    let batch
    try {
      batch = reviewBatch({
        batchId,
        shownUnsignedTx: unsignedTx,
        feeRate,
        utxos: review.utxosBefore,
        requests: this.ledger.requestRange(firstRequestId, count),
        consolidation: count === 0,
        fed: this.fed,
        chainId: this.chainId,
        policy: this.config.policy,
        paidLast24h: await this.signingLog.paidSince(Date.now()),
        signedSpending: (o) => spentBy.get(o),
        unspent: (o) => unspent.has(o),
      })
    } catch (e) {
      const code = isCausewayError(e) ? e.code : 'SIGNER_REVIEW_FAILED'
      // The others may have completed (and broadcast) the batch while this review ran: its inputs then look spent
      // in the node's mempool. Nothing is left to refuse.
      if (code === 'SIGNER_INPUT_SPENT' && Number((await this.bridge.view<{ status: bigint }>('getBatch', [batchId])).status) !== REQUEST_STATUS.batched) {
        return 'done'
      }
      this.m.refused.inc({ code })
      if (await this.signingLog.recordRefusal(batchId, code, (e as Error).message, Date.now())) {
        this.log.warn({ code, batchId: batchId.toString(), reason: (e as Error).message }, 'refused to sign a batch')
      }
      return { refused: code }
    }
    const sigs = signBatch(batch, this.key.privateKey, this.fed, this.chainId)
    const paid = batch.outputs.filter((o) => o.requestId !== null).reduce((s, o) => s + o.valueSats, 0n)
    await this.signingLog.recordSigned({
      batchId: batchId.toString(),
      txid: hashToDisplayHex(batch.txid),
      outpoints: batch.inputs.map((u) => outpointKey(u.txid, u.vout)),
      signatures: sigs.map((s) => bytesToHex(s)),
      paidSats: paid.toString(),
      at: Date.now(),
      submitted: false,
    })
    this.m.signed.inc()
    this.log.info({ batchId: batchId.toString(), txid: hashToDisplayHex(batch.txid), inputs: batch.inputs.length, outputs: batch.outputs.length }, 'signed a batch')
    await this.submit(batchId, sigs)
    return 'done'
  }

  /** The UTXO is unspent on this signer's own Bitcoin node, with the value and script the ledger says. */
  private async confirmsOnBitcoin(u: FederationUtxo): Promise<boolean> {
    const out = await this.btc.getTxOut(hashToDisplayHex(u.txid), u.vout, true)
    if (out === null) return false
    return out.valueSats === u.valueSats && bytesToHex(out.scriptPubKey) === bytesToHex(utxoScriptPubKey(this.fed, this.chainId, u.recipient))
  }

  private async submit(batchId: bigint, sigs: readonly Uint8Array[]): Promise<void> {
    const args = [batchId, encodeSignatures(sigs)]
    const expected = ['BRIDGE_BATCH_NOT_SIGNABLE', 'BRIDGE_ALREADY_SIGNED']
    // The member whose signatures complete the batch also pays for its assembly (gas.ts). The signers are read
    // before the estimate: another member's signatures landing in between then only make the estimate larger,
    // never an estimate of the cheaper, non-completing call sent as if it completed (which ran out of gas).
    const view = await this.bridge.view<{ signers: bigint }>('getBatch', [batchId])
    const completes = popcount(Number(view.signers) | (1 << this.member)) >= this.fed.threshold
    // The estimate is also the dry run: a refusal is caught here and costs nothing.
    const est = await this.bridge.estimate('addSignatures', args, expected)
    let r: Awaited<ReturnType<BridgeClient['send']>>
    if ('refused' in est) r = est
    else {
      // A duty may take at most its share of a block (sidechain/exec/duty.ts): that is the ceiling here.
      const gas = signaturesGasLimit(est.gas, this.fed.threshold, completes, (await this.bridge.blockGasLimit()) / DUTY_GAS_DIVISOR)
      if (gas.exceedsBlock) {
        this.log.error({ batchId: batchId.toString(), estimate: est.gas.toString(), gasLimit: gas.gasLimit.toString() }, 'addSignatures needs more gas than a block holds for duties; not sent (retried later)')
        return
      }
      if (gas.capped) this.log.warn({ batchId: batchId.toString(), estimate: est.gas.toString(), gasLimit: gas.gasLimit.toString() }, 'addSignatures gas with margin exceeds the duty share of a block; capped to it')
      r = await this.bridge.send('addSignatures', args, expected, { skipDryRun: true, gasLimit: gas.gasLimit })
    }
    this.log.info({ batchId: batchId.toString(), outcome: 'hash' in r ? 'sent' : r.refused }, 'submitted batch signatures')
    if ('refused' in r) {
      await this.signingLog.markSubmitted(batchId)
      return
    }
    // Marked submitted once the bridge has them; if the transaction fails, the next round sends them again.
    void r.mined.then(async (ok) => {
      if (ok) await this.signingLog.markSubmitted(batchId).catch(() => undefined)
      else this.log.warn({ batchId: batchId.toString() }, 'signature transaction failed; will resubmit')
    })
  }

  /** Signatures logged but not seen on the bridge (their transaction failed or was lost): send them again. */
  private async resubmitUnconfirmed(): Promise<void> {
    if (Date.now() - this.lastResubmit < RESUBMIT_AFTER_MS) return
    this.lastResubmit = Date.now()
    for (const e of await this.signingLog.unsubmitted()) {
      if (Date.now() - e.at < RESUBMIT_AFTER_MS) continue
      const id = BigInt(e.batchId)
      const view = await this.bridge.view<{ status: bigint; signers: bigint }>('getBatch', [id])
      if (Number(view.status) !== REQUEST_STATUS.batched || (Number(view.signers) & (1 << this.member)) !== 0) {
        await this.signingLog.markSubmitted(id)
        continue
      }
      await this.submit(id, e.signatures.map((sig) => hexToBytes(sig, 'signature')))
    }
  }

  private async broadcastSigned(): Promise<void> {
    for (const b of this.batches.values()) {
      if (b.signedTx === undefined || b.confirmed) continue
      if ((await this.signingLog.broadcastAt(b.txid)) !== undefined) continue
      // Turns as for relaying: member i waits i × RELAY_STAGGER_MS, so normally member 0 broadcasts alone and the
      // others find it in their node's mempool (they share no other channel to say who sent it).
      if (Date.now() - (b.signedSeenAt ?? 0) < this.member * RELAY_STAGGER_MS) continue
      // Once only: not if its node already has it (in the mempool or a block).
      const inMempool = (await this.btc.getMempoolEntry(b.txid)) !== null
      const inChain = !inMempool && (await this.btc.getTransactionBlockHash(b.txid).catch(() => null)) !== null
      if (!inMempool && !inChain) {
        await this.btc.sendRawTransaction(b.signedTx)
        this.m.broadcasts.inc()
        this.log.info({ batchId: b.batchId.toString(), txid: b.txid }, 'broadcast a batch transaction')
      }
      await this.signingLog.recordBroadcast(b.txid, Date.now())
    }
  }

  private async reportFeeRate(): Promise<void> {
    const est = await this.btc.estimateSmartFee(6).catch(() => null)
    if (est === null) return
    const rate = (est.satPerKvB + 999n) / 1000n
    if (rate <= 0n) return
    const moved = this.lastFeeReport === 0n || rate * 10n < this.lastFeeReport * 8n || rate * 10n > this.lastFeeReport * 12n
    // Reported again even if unchanged before the bridge's age limit (default 1800 s) could drop it.
    const stale = Date.now() - this.lastFeeReportAt >= FEE_REPORT_REFRESH_MS
    if (!moved && !stale) return
    const r = await this.bridge.send('reportFeeRate', [rate])
    if ('hash' in r) {
      this.lastFeeReport = rate
      this.lastFeeReportAt = Date.now()
    }
  }
}

function popcount(x: number): number {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}
