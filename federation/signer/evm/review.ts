// The EVM duty's pure reviews (like ../review.ts): what this signer would sign, rebuilt from what its OWN nodes said
// — the withdrawal from the finalized request event, its burn and its own configuration, compared field by field
// with the bridge's stored request; a header from its own node's canonical chain at depth. No I/O, no clock: every
// lookup (the log, the last 24 h's totals) is answered in the input. A refusal is a SIGNER_EVM_… code (errors.ts).
import { equalBytes, toHex } from '../../../spv/base/bytes.js'
import { decodeEvmHeader, evmHeaderHash } from '../../../spv/evm/index.js'
import { withdrawalDigest, wrappedTokenAddress, type Withdrawal } from '../../../peg/evm/index.js'
import type { Verdict } from '../duty.js'
import { tokenKeyOf, type EvmPolicy } from './config.js'
import { SIGNER_EVM_CODES, type SignerEvmCode } from './errors.js'

/** The bridge's withdrawal statuses (IEvmBridge.EvmWithdrawalView.status). */
export const EVM_WITHDRAWAL_STATUS = Object.freeze({ unknown: 0, requested: 1, signed: 2, paid: 3 })

/** The bridge's stored request (getEvmWithdrawal), bytes decoded. */
export interface StoredWithdrawal {
  readonly status: number
  readonly requester: Uint8Array
  readonly mainChainId: bigint
  readonly mainToken: Uint8Array
  readonly wrappedToken: Uint8Array
  readonly mainRecipient: Uint8Array
  readonly amount: bigint
  readonly epoch: bigint
  readonly digest: Uint8Array
}

/** The EvmWithdrawalRequested event of a finalized side-chain block, and the burn found in its transaction. */
export interface RequestedWithdrawal {
  readonly id: bigint
  readonly requester: Uint8Array
  readonly wrappedToken: Uint8Array
  readonly mainChainId: bigint
  readonly mainToken: Uint8Array
  readonly mainRecipient: Uint8Array
  readonly amount: bigint
  readonly epoch: bigint
  /** The wrapped token's Transfer(requester, 0, amount) in the same transaction; undefined when there is none. */
  readonly burn: { readonly token: Uint8Array; readonly from: Uint8Array; readonly amount: bigint } | undefined
}

export interface WithdrawalReviewInput {
  readonly requested: RequestedWithdrawal
  readonly stored: StoredWithdrawal
  /** This signer's own configuration: the main chain and vault it serves, the side chain's id, the epoch it reads. */
  readonly mainChainId: bigint
  readonly vault: Uint8Array
  readonly sideChainId: bigint
  readonly epoch: bigint
  readonly policy: EvmPolicy
  /** What this signer signed for the same token in the 24 h before now (from its signing log). */
  readonly signedLast24h: bigint
  /** This id's entry in the signing log, if it signed it before. */
  readonly logged: { readonly digest: Uint8Array; readonly signature: Uint8Array } | undefined
}

export interface ApprovedWithdrawal {
  readonly kind: 'withdrawal'
  readonly withdrawal: Withdrawal
  readonly digest: Uint8Array
  /** The logged signature to send again instead of signing (never a second one). */
  readonly resend?: Uint8Array
}

const refuse = (code: SignerEvmCode, detail: string): { refused: { code: string; message: string } } => ({ refused: { code, message: `${SIGNER_EVM_CODES[code]}: ${detail}` } })

/** Rebuilds the withdrawal and compares it with the bridge's; then the log and the policy. */
export function reviewEvmWithdrawal(i: WithdrawalReviewInput): Verdict<ApprovedWithdrawal> {
  const { requested: r, stored: s } = i
  const id = `withdrawal ${r.id}`
  if (s.status !== EVM_WITHDRAWAL_STATUS.requested) return refuse('SIGNER_EVM_NOT_REQUESTED', `${id} has status ${s.status}`)
  if (r.mainChainId !== i.mainChainId || s.mainChainId !== i.mainChainId) {
    return refuse('SIGNER_EVM_CHAIN_MISMATCH', `${id}: event ${r.mainChainId}, bridge ${s.mainChainId}, this signer ${i.mainChainId}`)
  }
  const b = r.burn
  if (b === undefined || !equalBytes(b.token, r.wrappedToken) || !equalBytes(b.from, r.requester)) {
    return refuse('SIGNER_EVM_BURN_MISSING', `${id}: no Transfer(${toHex(r.requester)}, 0, …) of ${toHex(r.wrappedToken)} in its transaction`)
  }
  if (b.amount !== r.amount || s.amount !== b.amount) return refuse('SIGNER_EVM_AMOUNT_MISMATCH', `${id}: burned ${b.amount}, event ${r.amount}, bridge ${s.amount}`)
  const wrapped = wrappedTokenAddress(i.mainChainId, r.mainToken)
  if (!equalBytes(wrapped, r.wrappedToken) || !equalBytes(s.wrappedToken, wrapped) || !equalBytes(s.mainToken, r.mainToken)) {
    return refuse('SIGNER_EVM_TOKEN_MISMATCH', `${id}: main token event ${toHex(r.mainToken)}, bridge ${toHex(s.mainToken)}; wrapped burned ${toHex(r.wrappedToken)}, bridge ${toHex(s.wrappedToken)}, derived ${toHex(wrapped)}`)
  }
  if (!equalBytes(s.mainRecipient, r.mainRecipient) || !equalBytes(s.requester, r.requester)) {
    return refuse('SIGNER_EVM_RECIPIENT_MISMATCH', `${id}: event ${toHex(r.mainRecipient)}, bridge ${toHex(s.mainRecipient)}`)
  }
  if (r.epoch !== i.epoch || s.epoch !== i.epoch) return refuse('SIGNER_EVM_EPOCH_MISMATCH', `${id}: event ${r.epoch}, bridge ${s.epoch}, federation ${i.epoch}`)
  const withdrawal: Withdrawal = { mainChainId: i.mainChainId, vault: i.vault, sideChainId: i.sideChainId, id: r.id, token: r.mainToken, recipient: r.mainRecipient, amount: b.amount, epoch: i.epoch }
  let digest: Uint8Array
  try {
    digest = withdrawalDigest(withdrawal)
  } catch (e) {
    return refuse('SIGNER_EVM_RECIPIENT_MISMATCH', `${id} does not make a valid withdrawal: ${(e as Error).message}`)
  }
  if (!equalBytes(digest, s.digest)) return refuse('SIGNER_EVM_DIGEST_MISMATCH', `${id}: bridge ${toHex(s.digest)}, rebuilt ${toHex(digest)}`)
  if (i.logged !== undefined) {
    if (!equalBytes(i.logged.digest, digest)) return refuse('SIGNER_EVM_LOGGED_DIGEST_DIFFERS', `${id}: logged ${toHex(i.logged.digest)}, now ${toHex(digest)}`)
    // Signed before (and counted in the 24-hour window then): the same bytes again, no new judgement of the caps.
    return { approved: { kind: 'withdrawal', withdrawal, digest, resend: i.logged.signature } }
  }
  const key = tokenKeyOf(r.mainToken)
  const cap = i.policy.get(key)
  if (cap === undefined) return refuse('SIGNER_EVM_TOKEN_NO_POLICY', `${id}: token ${key}`)
  if (cap.maxPerWithdrawal !== null && b.amount > cap.maxPerWithdrawal) return refuse('SIGNER_EVM_CAP_PER_WITHDRAWAL', `${id}: ${b.amount} > ${cap.maxPerWithdrawal} of ${key}`)
  if (cap.maxPer24h !== null && i.signedLast24h + b.amount > cap.maxPer24h) {
    return refuse('SIGNER_EVM_CAP_PER_24H', `${id}: ${i.signedLast24h} signed in 24 h + ${b.amount} > ${cap.maxPer24h} of ${key}`)
  }
  return { approved: { kind: 'withdrawal', withdrawal, digest } }
}

/** A header this signer's own node shows, with what it needs to judge it. */
export interface HeaderReviewInput {
  readonly rlp: Uint8Array
  /** The hash its own node gives for the block at the header's number now (the canonical chain). */
  readonly canonicalHash: Uint8Array
  readonly headNumber: bigint
  readonly confirmations: number
  /** The header this signer attested at that height before, if any (its signing log). */
  readonly loggedAtHeight: Uint8Array | undefined
}

export interface ApprovedHeader {
  readonly kind: 'header'
  readonly rlp: Uint8Array
  readonly hash: Uint8Array
  readonly number: bigint
}

/** Attest only a canonical header at depth, and at a height only the header attested there before. */
export function reviewEvmHeader(i: HeaderReviewInput): Verdict<ApprovedHeader> {
  let header
  try {
    header = decodeEvmHeader(i.rlp)
  } catch (e) {
    return refuse('SIGNER_EVM_HEADER_INVALID', (e as Error).message)
  }
  const hash = evmHeaderHash(header)
  if (header.number === 0n) return refuse('SIGNER_EVM_HEADER_INVALID', 'genesis is never attested')
  if (!equalBytes(hash, i.canonicalHash)) return refuse('SIGNER_EVM_HEADER_NOT_CANONICAL', `block ${header.number}: ${toHex(hash)}, canonical ${toHex(i.canonicalHash)}`)
  const depth = i.headNumber - header.number + 1n
  if (depth < BigInt(i.confirmations)) return refuse('SIGNER_EVM_HEADER_TOO_SHALLOW', `block ${header.number} is ${depth} deep, ${i.confirmations} needed`)
  if (i.loggedAtHeight !== undefined && !equalBytes(i.loggedAtHeight, hash)) {
    return refuse('SIGNER_EVM_HEADER_HEIGHT_ATTESTED', `block ${header.number}: attested ${toHex(i.loggedAtHeight)}, now ${toHex(hash)}`)
  }
  return { approved: { kind: 'header', rlp: i.rlp, hash, number: header.number } }
}
