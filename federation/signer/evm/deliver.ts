// The EVM duty's outgoing work that is no one item's (Duty.deliver), in members' turns (turns.ts): relaying each
// Deposit of an accepted header not yet registered (registerEvmDeposit with client/evm's checked proof), sending
// withdrawals the bridge holds complete (status 2) to the vault's `withdraw` from the member's own main-chain
// account, relaying the vault's Withdrawn receipts (registerEvmWithdrawal), and re-sending logged signatures the
// bridge has not taken. Relaying is not signing: nothing here is logged as a signature.
import type { Logger } from 'pino'
import { toHex, type Hex } from '../../../spv/base/bytes.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import type { Withdrawal } from '../../../peg/evm/index.js'
import { depositProofsAt, fetchCheckedBlock, withdrawnProofsAt, type CheckedBlock, type EvmRegisterArgs } from '../../../client/evm.js'
import type { BridgeClient, BridgeWrite } from '../bridge-client.js'
import type { FamilyMetrics } from '../metrics.js'
import type { EvmSignerConfig } from './config.js'
import type { MainChain, VaultLogBlock } from './main-chain.js'
import { EVM_WITHDRAWAL_STATUS, type RequestedWithdrawal } from './review.js'
import type { SideChain } from './sidechain.js'
import type { EvmSigningLog } from './signing-log.js'
import type { WorkTurns } from './turns.js'

/** A main-chain block with vault logs, as the duty follows it. */
export interface TrackedBlock extends VaultLogBlock {
  attested: boolean
  accepted: boolean
  depositsDone: boolean
  withdrawnDone: boolean
  attempts: number
  nextAt: number
}

/** A side-chain withdrawal request, as the duty follows it. */
export interface TrackedWithdrawal {
  readonly requested: RequestedWithdrawal
  /** This member signed it (or need not): no more reviews. */
  reviewDone: boolean
  /** The withdrawal as reviewed and signed here (what goes to the vault). */
  withdrawal?: Withdrawal
  attempts: number
  nextAt: number
}

export interface DeliverContext {
  readonly evm: EvmSignerConfig
  readonly sideChainId: bigint
  readonly main: MainChain
  readonly side: SideChain
  readonly bridge: BridgeClient
  readonly signingLog: EvmSigningLog
  readonly turns: WorkTurns
  readonly metrics: FamilyMetrics
  readonly log: Logger
  readonly blocks: Map<string, TrackedBlock>
  readonly withdrawals: Map<bigint, TrackedWithdrawal>
}

/** The bridge already has this member's signature, or the withdrawal is paid: the signature need not go again. */
export const SIGNATURE_RACES = ['BRIDGE_EVM_SIGNATURE_DUPLICATE', 'BRIDGE_EVM_WITHDRAWAL_PAID']
/** A vault withdrawal sent this long ago and still unused is sent again. */
const RESEND_WITHDRAW_MS = 60_000
/** Logged signatures the bridge lacks this long after signing are sent again. */
const RESUBMIT_AFTER_MS = 10_000

export async function deliverEvm(c: DeliverContext): Promise<void> {
  await relayProofs(c)
  await payComplete(c)
  await resubmitSignatures(c)
}

async function relayProofs(c: DeliverContext): Promise<void> {
  const now = Date.now()
  for (const [key, b] of c.blocks) {
    if (b.depositsDone && b.withdrawnDone) {
      c.blocks.delete(key)
      continue
    }
    if (!b.accepted) {
      b.accepted = (await c.side.read.getEvmHeader([c.evm.chainId, toHex(b.hash)])).accepted
      if (!b.accepted) continue
    }
    let checked: CheckedBlock | undefined
    const block = async () => (checked ??= await fetchCheckedBlock(c.main.client, b.hash))
    const target = { mainChainId: c.evm.chainId, vault: c.evm.vault }
    if (!b.depositsDone) {
      let open = 0
      for (const tx of b.depositTxs) {
        for (const p of await depositProofsAt(await block(), tx, target)) {
          const turn = `deposit!${toHex(p.depositId)}`
          if (await c.side.read.isEvmDepositRegistered([toHex(p.depositId)])) {
            c.turns.done(turn)
            continue
          }
          open++
          if (c.turns.due(turn, now)) {
            c.turns.sent(turn, now)
            if (await relay(c, 'registerEvmDeposit', p.args)) c.metrics.registrations.inc()
          }
        }
      }
      b.depositsDone = open === 0
    }
    if (!b.withdrawnDone) {
      let open = 0
      for (const tx of b.withdrawnTxs) {
        for (const p of await withdrawnProofsAt(await block(), tx, target)) {
          const turn = `withdrawn!${p.withdrawn.id}`
          if ((await c.side.stored(p.withdrawn.id)).status === EVM_WITHDRAWAL_STATUS.paid) {
            c.turns.done(turn)
            c.withdrawals.delete(p.withdrawn.id)
            continue
          }
          open++
          if (c.turns.due(turn, now)) {
            c.turns.sent(turn, now)
            if (await relay(c, 'registerEvmWithdrawal', p.args)) c.metrics.registrations.inc()
          }
        }
      }
      b.withdrawnDone = open === 0
    }
  }
}

/** Withdrawals the bridge holds complete: sent to the vault in turns, once per RESEND_WITHDRAW_MS, unless used. */
async function payComplete(c: DeliverContext): Promise<void> {
  const now = Date.now()
  for (const [id, w] of c.withdrawals) {
    const stored = await c.side.stored(id)
    if (stored.status === EVM_WITHDRAWAL_STATUS.paid) {
      c.withdrawals.delete(id)
      continue
    }
    if (stored.status !== EVM_WITHDRAWAL_STATUS.signed) continue
    const turn = `pay!${id}`
    if (await c.main.used(id)) {
      c.turns.done(turn) // paid on the main chain: its Withdrawn log is relayed once its header is accepted
      continue
    }
    const last = await c.signingLog.paidAt(id)
    if ((last !== undefined && now - last.at < RESEND_WITHDRAW_MS) || !c.turns.due(turn, now)) continue
    const signatures = (await c.side.read.getEvmWithdrawalSignatures([id])) as readonly Hex[]
    // As this signer rebuilt it (review.ts), also after a restart or when the others completed it: the vault checks
    // the signatures against exactly this, so anything else only fails its simulation.
    const r = w.requested
    const withdrawal: Withdrawal = w.withdrawal ?? { mainChainId: c.evm.chainId, vault: c.evm.vault, sideChainId: c.sideChainId, id, token: r.mainToken, recipient: r.mainRecipient, amount: r.amount, epoch: stored.epoch }
    try {
      const txHash = await c.main.sendWithdraw(withdrawal, signatures)
      await c.signingLog.recordPaid(id, txHash, now)
      c.metrics.broadcasts.inc()
      c.log.info({ id: id.toString(), txHash, signatures: signatures.length }, 'sent a complete withdrawal to the vault')
    } catch (e) {
      c.log.warn({ id: id.toString(), err: (e as Error).message.split('\n')[0] }, 'the vault refused the withdrawal (simulated); tried again later')
    }
  }
}

/** Logged signatures the bridge does not show from this member: sent again (the same bytes). */
async function resubmitSignatures(c: DeliverContext): Promise<void> {
  const now = Date.now()
  for (const e of await c.signingLog.unsubmitted()) {
    if (now - e.at < RESUBMIT_AFTER_MS) continue
    const id = BigInt(e.id)
    const w = c.withdrawals.get(id)
    const stored = await c.side.stored(id)
    if (stored.status !== EVM_WITHDRAWAL_STATUS.requested) {
      await c.signingLog.markSubmitted(id)
      continue
    }
    const r = await c.bridge.send('addEvmWithdrawalSignature', [id, e.signature], SIGNATURE_RACES).catch(() => undefined)
    if (r !== undefined && 'refused' in r) await c.signingLog.markSubmitted(id)
    if (r !== undefined && 'hash' in r) void r.mined.then((ok) => (ok ? c.signingLog.markSubmitted(id) : undefined)).catch(() => undefined)
    if (w !== undefined) w.reviewDone = true
  }
}

async function relay(c: DeliverContext, method: BridgeWrite, args: EvmRegisterArgs): Promise<boolean> {
  try {
    // Another member's relay of the same proof landing first is an answer, not an error (the bridge wing's codes).
    const raced = method === 'registerEvmDeposit' ? ['BRIDGE_EVM_DEPOSIT_REPLAYED'] : ['BRIDGE_EVM_WITHDRAWAL_PAID']
    const r = await c.bridge.send(method, [...args.slice(0, 3), [...args[3]], args[4]], raced)
    if ('hash' in r) c.log.info({ method, txIndex: args[2].toString(), logIndex: args[4].toString() }, 'relayed a main-chain receipt proof')
    return 'hash' in r
  } catch (e) {
    c.log.warn({ method, code: isCausewayError(e) ? e.code : undefined, err: (e as Error).message.split('\n')[0] }, 'the bridge refused a relay')
    return false
  }
}

