// The EVM duty of a federation signer (ARCHITECTURE.md decisions 9 and 10, peg/evm/PROTOCOL.md). Each round it
//   1. watches: from its OWN main-chain node, the blocks with vault logs (Deposit or Withdrawn) once `confirmations`
//      deep, not yet accepted on the bridge nor attested by it → a header item (attest it); from its OWN side-chain
//      node, FINALIZED blocks only, each EvmWithdrawalRequested with its burn → a withdrawal item while the bridge
//      holds it requested and unsigned by this member;
//   2. reviews each item purely (review.ts), signs (logged and synced first: signing-log.ts, sign.ts) and submits
//      (attestEvmHeader / addEvmWithdrawalSignature), or refuses with a SIGNER_EVM_ code and reviews it again later;
//   3. delivers (deliver.ts): relays deposits and payouts to the bridge, and sends complete withdrawals to the vault.
import type { Logger } from 'pino'
import { Gauge } from 'prom-client'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import type { MemberKey } from '../../keystore.js'
import type { BridgeClient } from '../bridge-client.js'
import { type Duty, type DutyHealth, type Refusal, type Verdict } from '../duty.js'
import { familyMetrics, type FamilyMetrics, type SignerMetrics } from '../metrics.js'
import { rereviewDelayMs } from '../rereview.js'
import { tokenKeyOf, type EvmSignerConfig } from './config.js'
import { deliverEvm, SIGNATURE_RACES, type TrackedBlock, type TrackedWithdrawal } from './deliver.js'
import type { MainChain } from './main-chain.js'
import { EVM_WITHDRAWAL_STATUS, reviewEvmHeader, reviewEvmWithdrawal, type ApprovedHeader, type ApprovedWithdrawal, type HeaderReviewInput, type WithdrawalReviewInput } from './review.js'
import type { SideChain } from './sidechain.js'
import { signWithdrawalOnce } from './sign.js'
import type { EvmSigningLog } from './signing-log.js'
import { WorkTurns } from './turns.js'

export type EvmItem = { readonly kind: 'header'; readonly block: TrackedBlock; readonly input: HeaderReviewInput } | { readonly kind: 'withdrawal'; readonly w: TrackedWithdrawal; readonly input: WithdrawalReviewInput }
export type EvmApproved = ApprovedHeader | ApprovedWithdrawal
export type EvmSigned = { readonly kind: 'header'; readonly block: TrackedBlock; readonly rlp: Uint8Array } | { readonly kind: 'withdrawal'; readonly w: TrackedWithdrawal; readonly signature: Uint8Array }

export interface EvmDutyDeps {
  readonly evm: EvmSignerConfig
  readonly relay: boolean
  readonly key: MemberKey
  readonly member: number
  readonly sideChainId: bigint
  readonly main: MainChain
  readonly side: SideChain
  readonly bridge: BridgeClient
  readonly signingLog: EvmSigningLog
  readonly log: Logger
  readonly metrics: SignerMetrics
}

export class EvmDuty implements Duty<EvmItem, EvmApproved, EvmSigned> {
  readonly family = 'evm' as const
  private mainCursor: bigint
  private sideCursor = -1
  private mainHead = -1n
  private lastMainPoll = 0
  private readonly blocks = new Map<string, TrackedBlock>()
  private readonly withdrawals = new Map<bigint, TrackedWithdrawal>()
  private readonly turns: WorkTurns
  private readonly m: FamilyMetrics & { readonly mainHead: Gauge }

  constructor(private readonly d: EvmDutyDeps) {
    this.mainCursor = BigInt(d.evm.fromBlock)
    this.turns = new WorkTurns(d.member, d.relay)
    this.m = { ...familyMetrics(d.metrics, 'evm'), mainHead: new Gauge({ name: 'causeway_signer_evm_main_head', help: "Head of this signer's own EVM main-chain node", registers: [d.metrics.registry] }) }
  }

  async *watch(): AsyncGenerator<EvmItem> {
    if (Date.now() - this.lastMainPoll >= this.d.evm.pollMs) {
      this.lastMainPoll = Date.now()
      yield* this.watchMainChain()
    }
    yield* this.watchWithdrawals()
  }

  review(item: EvmItem): Verdict<EvmApproved> {
    return item.kind === 'header' ? reviewEvmHeader(item.input) : reviewEvmWithdrawal(item.input)
  }

  async sign(item: EvmItem, approved: EvmApproved): Promise<EvmSigned> {
    if (approved.kind === 'header' && item.kind === 'header') {
      // One header per height, logged (synced) before the attestation leaves.
      await this.d.signingLog.recordAttested(this.d.evm.chainId, approved.number, toHex(approved.hash), Date.now())
      return { kind: 'header', block: item.block, rlp: approved.rlp }
    }
    if (approved.kind !== 'withdrawal' || item.kind !== 'withdrawal') throw new Error('EvmDuty.sign: item and approval of different kinds')
    const signature = approved.resend ?? (await signWithdrawalOnce(this.d.signingLog, approved.withdrawal, approved.digest, this.d.key.privateKey, Date.now()))
    if (approved.resend === undefined) {
      this.m.signed.inc()
      this.d.log.info({ id: approved.withdrawal.id.toString(), digest: toHex(approved.digest), amount: approved.withdrawal.amount.toString(), token: tokenKeyOf(approved.withdrawal.token) }, 'signed an EVM withdrawal')
    }
    item.w.withdrawal = approved.withdrawal
    return { kind: 'withdrawal', w: item.w, signature }
  }

  async submit(s: EvmSigned): Promise<void> {
    if (s.kind === 'header') {
      const r = await this.send('attestEvmHeader', [this.d.evm.chainId, toHex(s.rlp)])
      if (r) {
        s.block.attested = true
        this.m.headers.inc()
        this.d.log.info({ number: s.block.number.toString(), hash: toHex(s.block.hash) }, 'attested a main-chain header')
      }
      return
    }
    const id = s.w.requested.id
    const r = await this.d.bridge.send('addEvmWithdrawalSignature', [id, toHex(s.signature)], SIGNATURE_RACES).catch((e) => ({ refused: isCausewayError(e) ? e.code : String(e) }))
    if ('refused' in r && SIGNATURE_RACES.includes(r.refused)) {
      s.w.reviewDone = true
      await this.d.signingLog.markSubmitted(id)
      return
    }
    if ('refused' in r) {
      this.d.log.warn({ id: id.toString(), code: r.refused }, 'the bridge refused this signer\'s withdrawal signature')
      return
    }
    s.w.reviewDone = true
    void r.mined.then((ok) => (ok ? this.d.signingLog.markSubmitted(id).catch(() => undefined) : undefined))
  }

  async refuse(item: EvmItem, refusal: Refusal): Promise<void> {
    this.m.refused.inc(refusal.code)
    const key = item.kind === 'header' ? `header!${item.block.number}` : `withdrawal!${item.w.requested.id}`
    if (await this.d.signingLog.recordRefusal(key, refusal.code, refusal.message, Date.now())) this.d.log.warn({ code: refusal.code, item: key, reason: refusal.message }, 'refused to sign')
    const t = item.kind === 'header' ? item.block : item.w
    t.attempts++
    t.nextAt = Date.now() + rereviewDelayMs(t.attempts)
    // A header that left the canonical chain is forgotten and its height scanned again.
    if (item.kind === 'header' && refusal.code === 'SIGNER_EVM_HEADER_NOT_CANONICAL') {
      this.blocks.delete(toHex(item.block.hash))
      if (item.block.number < this.mainCursor) this.mainCursor = item.block.number
    }
  }

  async deliver(): Promise<void> {
    await deliverEvm({ ...this.d, turns: this.turns, metrics: this.m, blocks: this.blocks, withdrawals: this.withdrawals })
  }

  health(): DutyHealth {
    const blocks = [...this.blocks.values()]
    return {
      details: {
        mainChainId: this.d.evm.chainId.toString(),
        mainHead: this.mainHead.toString(),
        mainScannedTo: (this.mainCursor - 1n).toString(),
        sidechainBlock: this.sideCursor,
        attested: blocks.filter((b) => b.attested).length,
        headersWaiting: blocks.filter((b) => !b.attested && !b.accepted).map((b) => b.number.toString()),
        pendingWithdrawals: [...this.withdrawals.keys()].map(String),
      },
    }
  }

  /** A bridge write; false (logged) when refused, so one refusal does not end the round. */
  private async send(method: 'attestEvmHeader', args: readonly unknown[]): Promise<boolean> {
    try {
      const r = await this.d.bridge.send(method, args)
      return 'hash' in r
    } catch (e) {
      this.d.log.warn({ method, code: isCausewayError(e) ? e.code : undefined, err: (e as Error).message }, 'bridge refused')
      return false
    }
  }

  private async *watchMainChain(): AsyncGenerator<EvmItem> {
    const { main, evm } = this.d
    this.mainHead = await main.head()
    this.m.mainHead.set(Number(this.mainHead))
    const top = this.mainHead - BigInt(evm.confirmations) + 1n
    if (top >= this.mainCursor) {
      for (const b of await main.vaultLogBlocks(this.mainCursor, top)) {
        const key = toHex(b.hash)
        if (!this.blocks.has(key)) this.blocks.set(key, { ...b, attested: false, accepted: false, depositsDone: b.depositTxs.size === 0, withdrawnDone: b.withdrawnTxs.size === 0, attempts: 0, nextAt: 0 })
      }
      this.mainCursor = top + 1n
    }
    const now = Date.now()
    for (const b of this.blocks.values()) {
      if (b.accepted || b.attested || now < b.nextAt) continue
      const view = await this.d.side.read.getEvmHeader([evm.chainId, toHex(b.hash)])
      if (view.accepted) b.accepted = true
      if ((view.attesters & (1n << BigInt(this.d.member))) !== 0n) b.attested = true
      if (b.accepted || b.attested) continue
      // The block the logs were seen in, by its hash, and whatever the node's canonical chain has at its height now.
      const [mine, canonical] = await Promise.all([main.headerByHash(b.hash), main.headerAt(b.number)])
      const logged = await this.d.signingLog.attestedAt(evm.chainId, b.number)
      yield {
        kind: 'header',
        block: b,
        input: { rlp: mine.rlp, canonicalHash: canonical.hash, headNumber: this.mainHead, confirmations: evm.confirmations, loggedAtHeight: logged === undefined ? undefined : hexToBytes(logged, 'hash', 32) },
      }
    }
  }

  private async *watchWithdrawals(): AsyncGenerator<EvmItem> {
    const { side, evm } = this.d
    const fin = await side.finalizedHead()
    if (fin > this.sideCursor) {
      for (const r of await side.requests(this.sideCursor + 1, fin)) {
        if (r.mainChainId === evm.chainId && !this.withdrawals.has(r.id)) this.withdrawals.set(r.id, { requested: r, reviewDone: false, attempts: 0, nextAt: 0 })
      }
      this.sideCursor = fin
      this.m.sidechainBlock.set(fin)
    }
    const now = Date.now()
    let epoch: bigint | undefined
    for (const w of this.withdrawals.values()) {
      if (w.reviewDone || now < w.nextAt) continue
      const stored = await side.stored(w.requested.id)
      if (stored.status !== EVM_WITHDRAWAL_STATUS.requested || (stored.signers & (1n << BigInt(this.d.member))) !== 0n) {
        w.reviewDone = true
        if ((stored.signers & (1n << BigInt(this.d.member))) !== 0n) await this.d.signingLog.markSubmitted(w.requested.id)
        continue
      }
      const logged = await this.d.signingLog.signed(w.requested.id)
      epoch ??= await side.epoch()
      // Read for each item: the one signed just before it in this round counts in its window.
      const window = await this.d.signingLog.signedSince(Date.now())
      yield {
        kind: 'withdrawal',
        w,
        input: {
          requested: w.requested,
          stored,
          mainChainId: evm.chainId,
          vault: evm.vault,
          sideChainId: this.d.sideChainId,
          epoch,
          policy: evm.policy,
          signedLast24h: window.get(tokenKeyOf(w.requested.mainToken)) ?? 0n,
          logged: logged === undefined ? undefined : { digest: hexToBytes(logged.digest, 'digest', 32), signature: hexToBytes(logged.signature, 'signature', 65) },
        },
      }
    }
  }
}
