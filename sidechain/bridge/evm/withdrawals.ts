// EVM peg-out (ARCHITECTURE.md decision 10, PROTOCOL.md "Withdrawals"): the caller burns a wrapped token and opens
// withdrawal `id` (a counter from 1) with its EIP-712 digest; members add their own signatures of that digest (each
// must recover to the calling member); once the vault has paid, anyone proves its Withdrawn log and the bridge
// closes the request, taking the amount out of the token's pending and locked reserves.
import { equalBytes } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { checkAddress, checkAmount, decodeWithdrawnLog, recoverWithdrawalSigner, withdrawalDigest } from '../../../peg/evm/index.js'
import { emit, requireMember, requireNoValue, requireWritable } from '../context.js'
import { evmChain, evmChains, EVM_EPOCH, type EvmContext } from './context.js'
import { proveReceiptLog } from './receipt-log.js'
import { WITHDRAWAL_STATUS, type StoredWithdrawal } from './records.js'
import { burnWrapped } from './wrapped-token.js'
import { NO_MEMBERS, hasMember, memberCount, withMember } from './member-set.js'

const ZERO20 = new Uint8Array(20)
const ZERO32 = new Uint8Array(32)
/** Withdrawal ids are stored as u64 (layout.ts); a larger id names no withdrawal. */
const ID_LIMIT = 1n << 64n

async function requireWithdrawal(ctx: EvmContext, id: bigint): Promise<StoredWithdrawal> {
  const w = id > 0n && id < ID_LIMIT ? await ctx.state.withdrawal(id) : undefined
  if (w === undefined) fail('BRIDGE_EVM_UNKNOWN_WITHDRAWAL', `there is no EVM withdrawal ${id}`)
  return w
}

export async function pegOutToken(ctx: EvmContext, wrapped: Uint8Array, amount: bigint, mainRecipient: Uint8Array): Promise<bigint> {
  requireWritable(ctx)
  requireNoValue(ctx)
  evmChains(ctx)
  checkAmount(amount)
  checkAddress(mainRecipient, 'mainRecipient')
  const s = ctx.state
  const token = await s.token(wrapped)
  if (token === undefined) fail('BRIDGE_EVM_UNKNOWN_TOKEN', 'this address is not a wrapped token of the bridge')
  const chain = evmChain(ctx, token.mainChainId)
  await burnWrapped(ctx, wrapped, ctx.caller, amount)
  const id = (await s.evmCounter('wid')) + 1n
  await s.setEvmCounter('wid', id)
  const digest = withdrawalDigest({
    mainChainId: chain.chainId,
    vault: chain.vault,
    sideChainId: ctx.config.chainId,
    id,
    token: token.mainToken,
    recipient: mainRecipient,
    amount,
    epoch: EVM_EPOCH,
  })
  await s.setWithdrawal(id, {
    requester: ctx.caller,
    mainChainId: chain.chainId,
    mainToken: token.mainToken,
    wrappedToken: wrapped,
    mainRecipient,
    amount,
    epoch: EVM_EPOCH,
    digest,
    signers: NO_MEMBERS,
    status: WITHDRAWAL_STATUS.requested,
    requestedAt: ctx.blockNumber,
  })
  const r = await s.reserves(wrapped)
  await s.setReserves(wrapped, { ...r, pending: r.pending + amount })
  emit(ctx, 'EvmWithdrawalRequested', [id, ctx.caller, wrapped, chain.chainId, token.mainToken, mainRecipient, amount, EVM_EPOCH, digest])
  return id
}

export async function addEvmWithdrawalSignature(ctx: EvmContext, id: bigint, signature: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  evmChains(ctx)
  const member = requireMember(ctx)
  const w = await requireWithdrawal(ctx, id)
  if (w.status === WITHDRAWAL_STATUS.paid) fail('BRIDGE_EVM_WITHDRAWAL_PAID', `withdrawal ${id} is already paid`)
  if (hasMember(w.signers, member)) fail('BRIDGE_EVM_SIGNATURE_DUPLICATE', `member ${member} already signed withdrawal ${id}`)
  const signer = recoverWithdrawalSigner(w.digest, signature)
  if (!equalBytes(signer, ctx.config.members[member]!)) {
    fail('BRIDGE_EVM_SIGNER_NOT_CALLER', 'the signature does not recover to the calling member\'s address over this withdrawal\'s digest')
  }
  const signers = withMember(w.signers, member)
  const count = memberCount(signers)
  const complete = count >= ctx.config.federation.threshold
  await ctx.state.setSignature(id, member, signature)
  await ctx.state.setWithdrawal(id, { ...w, signers, status: complete ? WITHDRAWAL_STATUS.signed : w.status })
  emit(ctx, 'EvmWithdrawalSigned', [id, ctx.caller, BigInt(count), complete])
}

export async function getEvmWithdrawal(ctx: EvmContext, id: bigint) {
  evmChains(ctx)
  const w = id > 0n && id < ID_LIMIT ? await ctx.state.withdrawal(id) : undefined
  if (w === undefined) {
    return [{ requester: ZERO20, mainChainId: 0n, mainToken: ZERO20, wrappedToken: ZERO20, mainRecipient: ZERO20, amount: 0n, epoch: 0n, digest: ZERO32, signers: 0n, signatureCount: 0n, status: 0, requestedAt: 0n }]
  }
  return [{ ...w, signers: BigInt(w.signers), signatureCount: BigInt(memberCount(w.signers)) }]
}

export async function getEvmWithdrawalSignatures(ctx: EvmContext, id: bigint): Promise<[Uint8Array[]]> {
  evmChains(ctx)
  const w = await requireWithdrawal(ctx, id)
  const out: Uint8Array[] = []
  for (let i = 0; i < ctx.config.members.length; i++) {
    if (!hasMember(w.signers, i)) continue
    const sig = await ctx.state.signature(id, i)
    if (sig === undefined) fail('BRIDGE_STORE_CORRUPT', `member ${i}'s signature of withdrawal ${id} is missing`)
    out.push(sig)
  }
  return [out]
}

export async function registerEvmWithdrawal(
  ctx: EvmContext,
  chainId: bigint,
  rlpHeader: Uint8Array,
  txIndex: bigint,
  proof: readonly Uint8Array[],
  logIndex: bigint,
): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const proven = await proveReceiptLog(ctx, chainId, rlpHeader, txIndex, proof, logIndex)
  const paid = decodeWithdrawnLog(proven.log, proven.chain.vault)
  const w = await requireWithdrawal(ctx, paid.id)
  if (w.status === WITHDRAWAL_STATUS.paid) fail('BRIDGE_EVM_WITHDRAWAL_PAID', `withdrawal ${paid.id} is already closed`)
  if (w.mainChainId !== chainId || !equalBytes(w.mainToken, paid.token) || !equalBytes(w.mainRecipient, paid.recipient) || w.amount !== paid.amount) {
    fail('BRIDGE_EVM_WITHDRAWAL_MISMATCH', `the vault's Withdrawn log does not match withdrawal ${paid.id} (chain, token, recipient and amount must all match)`)
  }
  await ctx.state.setWithdrawal(paid.id, { ...w, status: WITHDRAWAL_STATUS.paid })
  const r = await ctx.state.reserves(w.wrappedToken)
  if (r.pending < w.amount || r.locked < w.amount) fail('BRIDGE_INVARIANT', 'a paid withdrawal exceeds its token\'s reserves')
  await ctx.state.setReserves(w.wrappedToken, { locked: r.locked - w.amount, pending: r.pending - w.amount })
  emit(ctx, 'EvmWithdrawalPaid', [paid.id, proven.blockHash, BigInt(proven.txIndex)])
}
