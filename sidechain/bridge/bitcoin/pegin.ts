// Peg-in (ARCHITECTURE.md decision 6): anyone registers a Bitcoin transaction with its `gettxoutproof`. The bridge
// proves the transaction is in a block of its best header chain with the required confirmations, finds the
// outputs that pay the federation for a recipient (a per-recipient deposit address, or the plain federation
// address with a Causeway OP_RETURN memo), accepts each outpoint once, adds it to the federation's UTXO set and
// mints 10^10 wei per satoshi to the recipient.
//
// Below the minimum (PROTOCOL.md): a deposit under `minPegInSats` is not lost and not minted at once. Its output
// joins the reserves, the bridge emits PegInRefused("below minimum: held") and holds the satoshis for the
// recipient; the recipient's held satoshis are minted together with its next deposit as soon as the sum reaches
// the minimum (getHeldDeposits shows them). Reserves therefore always cover supply.
import { fail } from '../../../spv/base/errors.js'
import { verifyTxInProof } from '../../../spv/bitcoin/transaction.js'
import { parseTransaction } from '../../../spv/bitcoin/transaction.js'
import { bytesToHex } from '../../../spv/base/bytes.js'
import {
  creditPegIn,
  depositAddress,
  depositScriptPubKey,
  findPegInOutputs,
  scanPegIn,
  utxoScriptPubKey,
  WEI_PER_SAT,
  type PegInOutput,
  type UnclaimedOutput,
} from '../../../peg/bitcoin/index.js'
import { mintNative } from '../../exec/system-supply.js'
import { emit, requireNoValue, requireWritable } from '../context.js'
import type { BtcContext } from './context.js'
import { COUNTERS } from '../layout.js'
import { confirmBatch } from './batches.js'
import { verifyEvidence, type Evidence } from './evidence.js'

export { verifyEvidence, type Evidence } from './evidence.js'
import { SETTLED_REASONS, settleUnclaimed } from './unclaimed.js'

export async function getDepositAddress(ctx: BtcContext, recipient: Uint8Array): Promise<string> {
  return depositAddress(ctx.config.federation, ctx.config.chainId, recipient, ctx.config.addressNetwork)
}

export async function registerDepositAddress(ctx: BtcContext, recipient: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const script = depositScriptPubKey(ctx.config.federation, ctx.config.chainId, recipient)
  if ((await ctx.state.depositRecipient(script)) !== undefined) return
  await ctx.state.registerDepositScript(script, recipient)
  emit(ctx, 'DepositAddressRegistered', [recipient, script])
}

/** Peg-ins (memo form or registered deposit addresses) and confirmations of peg-out batches. */
export async function registerBtcTransaction(ctx: BtcContext, rawTx: Uint8Array, proof: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const evidence = await verifyEvidence(ctx, rawTx, proof)
  const batchId = await ctx.state.batchIdByTxid(evidence.txid)
  if (batchId !== undefined) {
    await confirmBatch(ctx, batchId, evidence)
    return
  }
  // Outputs to registered deposit addresses name their recipient through the registry: one indexed look-up per
  // output (a script seen twice is looked up once), so the work is linear in the transaction's size.
  const deposits = new Map<string, Uint8Array>()
  const looked = new Set<string>()
  for (const out of parseTransaction(rawTx).outs) {
    const key = bytesToHex(out.script)
    if (looked.has(key)) continue
    looked.add(key)
    const r = await ctx.state.depositRecipient(out.script)
    if (r !== undefined) deposits.set(key, r)
  }
  await acceptPegIn(ctx, evidence, rawTx, collectOutputs(ctx, rawTx, deposits))
}

/** A peg-in to `recipient`'s deposit address (no registration of the address needed). */
export async function registerBtcDeposit(ctx: BtcContext, rawTx: Uint8Array, proof: Uint8Array, recipient: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const evidence = await verifyEvidence(ctx, rawTx, proof)
  const { federation: fed, chainId } = ctx.config
  const deposits = new Map([[bytesToHex(utxoScriptPubKey(fed, chainId, recipient)), recipient]])
  await acceptPegIn(ctx, evidence, rawTx, collectOutputs(ctx, rawTx, deposits))
}

interface Collected {
  readonly outputs: readonly PegInOutput[]
  /** Plain federation outputs this chain settles without a mint (unclaimed.ts). */
  readonly unclaimed: readonly UnclaimedOutput[]
}

/**
 * The outputs this call accepts: deposits to the scripts in `deposits` (hex script → recipient) and the plain
 * federation outputs of one scan. One pass over the outputs whatever the number of recipients (issue 12 item 2:
 * a scan per recipient made a transaction paying many deposit addresses quadratic). A zero-value deposit output
 * is nothing to mint or settle and is skipped, as before.
 */
function collectOutputs(ctx: BtcContext, rawTx: Uint8Array, deposits: ReadonlyMap<string, Uint8Array>): Collected {
  const { federation: fed, chainId } = ctx.config
  const byVout = new Map<number, PegInOutput>()
  const plain = scanPegIn(rawTx, { fed, chainId })
  parseTransaction(rawTx).outs.forEach((out, vout) => {
    const recipient = deposits.get(bytesToHex(out.script))
    if (recipient === undefined || out.value === 0n) return
    byVout.set(vout, Object.freeze({ vout, valueSats: out.value, recipient: recipient.slice(), kind: 'deposit-address' as const }))
  })
  for (const o of plain.outputs) byVout.set(o.vout, o)
  // Another chain's memo is that chain's peg-in, and a zero value is nothing to settle.
  const unclaimed = plain.unclaimed.filter((u) => SETTLED_REASONS.has(u.reason) && !byVout.has(u.vout))
  // Nothing of ours at all: the same refusal as before, with the reasons in its details.
  if (byVout.size === 0 && unclaimed.length === 0) findPegInOutputs(rawTx, { fed, chainId })
  return { outputs: [...byVout.values()].sort((a, b) => a.vout - b.vout), unclaimed }
}

/**
 * Most outputs one registration accepts (issue 11 item 1): each costs storage writes, so a transaction with more
 * federation outputs is registered by repeating the same call (the rest stay fresh) until PEG_ALREADY_REGISTERED;
 * signers' relayers do so by themselves. Keeps one call near 5M gas whatever the transaction holds.
 */
export const MAX_OUTPUTS_PER_REGISTRATION = 100

async function acceptPegIn(ctx: BtcContext, evidence: Evidence, rawTx: Uint8Array, collected: Collected): Promise<void> {
  const fresh: PegInOutput[] = []
  for (const o of collected.outputs) if (!(await ctx.state.isOutpointRegistered(evidence.txid, o.vout))) fresh.push(o)
  const freshUnclaimed: UnclaimedOutput[] = []
  for (const u of collected.unclaimed) if (!(await ctx.state.isOutpointRegistered(evidence.txid, u.vout))) freshUnclaimed.push(u)
  if (fresh.length === 0 && freshUnclaimed.length === 0) fail('PEG_ALREADY_REGISTERED', 'every federation output of this transaction was registered before')
  // Output order, so the UTXO set (and the signers' ledger, which follows the events) grows the same way everywhere;
  // at most MAX_OUTPUTS_PER_REGISTRATION of them in this call.
  const work = [...fresh.map((o) => ({ vout: o.vout, o })), ...freshUnclaimed.map((u) => ({ vout: u.vout, u }))]
    .sort((a, b) => a.vout - b.vout)
    .slice(0, MAX_OUTPUTS_PER_REGISTRATION)
  const tx = freshUnclaimed.length > 0 ? parseTransaction(rawTx) : undefined
  for (const w of work) {
    if ('u' in w) {
      await settleUnclaimed(ctx, evidence, tx!, w.u)
      continue
    }
    const o = w.o
    await ctx.state.markOutpoint(evidence.txid, o.vout)
    await ctx.state.addUtxo({
      txid: evidence.txid,
      vout: o.vout,
      valueSats: o.valueSats,
      recipient: o.kind === 'deposit-address' ? o.recipient : null,
    })
    const { totalSats: total, mint } = creditPegIn(await ctx.state.held(o.recipient), o.valueSats, ctx.config.minPegInSats)
    if (!mint) {
      await ctx.state.setHeld(o.recipient, total)
      emit(ctx, 'PegInRefused', [evidence.txid, o.vout, o.recipient, o.valueSats, o.kind === 'deposit-address', `below minimum of ${ctx.config.minPegInSats} sats: held for the recipient`])
      continue
    }
    await ctx.state.setHeld(o.recipient, 0n)
    const wei = total * WEI_PER_SAT
    await mintNative(ctx.stateManager, o.recipient, wei)
    await ctx.state.addCounter(COUNTERS.minted, wei)
    emit(ctx, 'PegInMinted', [evidence.txid, o.vout, o.recipient, o.valueSats, wei, o.kind === 'deposit-address'])
  }
}

export async function isBtcOutpointRegistered(ctx: BtcContext, txid: Uint8Array, vout: bigint): Promise<boolean> {
  return ctx.state.isOutpointRegistered(txid, Number(vout))
}

export async function getHeldDeposits(ctx: BtcContext, recipient: Uint8Array): Promise<bigint> {
  return ctx.state.held(recipient)
}
