// The EVM duty's pure reviews (federation/signer/evm/review.ts): a faithful request is approved with the digest the
// bridge stored; each difference between the bridge's stored request and the one rebuilt from the finalized event,
// its burn and the signer's own configuration is refused with its code, as are missing burns and exceeded caps.
import { describe, expect, it } from 'vitest'
import { withdrawalDigest, wrappedTokenAddress, type Withdrawal } from '../../../peg/evm/index.js'
import { evmSignerConfig } from '../../../federation/signer/evm/config.js'
import { reviewEvmWithdrawal, reviewEvmHeader, EVM_WITHDRAWAL_STATUS, type WithdrawalReviewInput } from '../../../federation/signer/evm/review.js'
import { encodeEvmHeader, evmHeaderHash, type EvmHeader } from '../../../spv/evm/index.js'

const CHAIN = 31337n
const SIDE = 1337n
const VAULT = new Uint8Array(20).fill(0x11)
const ETH = new Uint8Array(20)
const TOKEN = new Uint8Array(20).fill(0x22)
const REQUESTER = new Uint8Array(20).fill(0x33)
const RECIPIENT = new Uint8Array(20).fill(0x44)
const ONE_ETH = 10n ** 18n

function input(over: { token?: Uint8Array; amount?: bigint } = {}, policy?: Record<string, { maxPerWithdrawal: string; maxPer24h: string }>): WithdrawalReviewInput {
  const token = over.token ?? ETH
  const amount = over.amount ?? ONE_ETH
  const wrapped = wrappedTokenAddress(CHAIN, token)
  const w: Withdrawal = { mainChainId: CHAIN, vault: VAULT, sideChainId: SIDE, id: 7n, token, recipient: RECIPIENT, amount, epoch: 1n }
  const cfg = evmSignerConfig({ rpcUrl: 'http://127.0.0.1:1', chainId: 31337, vault: '0x' + '11'.repeat(20), confirmations: 5, pollMs: 1000, fromBlock: 0, ...(policy === undefined ? {} : { policy }) })
  return {
    requested: { id: 7n, requester: REQUESTER, wrappedToken: wrapped, mainChainId: CHAIN, mainToken: token, mainRecipient: RECIPIENT, amount, epoch: 1n, burn: { token: wrapped, from: REQUESTER, amount } },
    stored: { status: EVM_WITHDRAWAL_STATUS.requested, requester: REQUESTER, mainChainId: CHAIN, mainToken: token, wrappedToken: wrapped, mainRecipient: RECIPIENT, amount, epoch: 1n, digest: withdrawalDigest(w) },
    mainChainId: CHAIN,
    vault: cfg.vault,
    sideChainId: SIDE,
    epoch: 1n,
    policy: cfg.policy,
    signedLast24h: 0n,
    logged: undefined,
  }
}

const codeOf = (i: WithdrawalReviewInput): string | undefined => {
  const v = reviewEvmWithdrawal(i)
  return 'refused' in v ? v.refused.code : undefined
}

describe('reviewEvmWithdrawal', () => {
  it('approves a faithful request with the stored digest', () => {
    const i = input()
    const v = reviewEvmWithdrawal(i)
    expect('approved' in v && v.approved.digest).toEqual(i.stored.digest)
  })

  it.each([
    ['amount', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, amount: i.stored.amount + 1n } }), 'SIGNER_EVM_AMOUNT_MISMATCH'],
    ['amount (event vs burn)', (i: WithdrawalReviewInput) => ({ ...i, requested: { ...i.requested, amount: 5n } }), 'SIGNER_EVM_AMOUNT_MISMATCH'],
    ['main token', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, mainToken: TOKEN } }), 'SIGNER_EVM_TOKEN_MISMATCH'],
    ['wrapped token', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, wrappedToken: TOKEN } }), 'SIGNER_EVM_TOKEN_MISMATCH'],
    ['recipient', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, mainRecipient: REQUESTER } }), 'SIGNER_EVM_RECIPIENT_MISMATCH'],
    ['chain (stored)', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, mainChainId: 1n } }), 'SIGNER_EVM_CHAIN_MISMATCH'],
    ['chain (event)', (i: WithdrawalReviewInput) => ({ ...i, requested: { ...i.requested, mainChainId: 1n } }), 'SIGNER_EVM_CHAIN_MISMATCH'],
    ['epoch', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, epoch: 2n } }), 'SIGNER_EVM_EPOCH_MISMATCH'],
    ['digest', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, digest: new Uint8Array(32).fill(9) } }), 'SIGNER_EVM_DIGEST_MISMATCH'],
    ['digest (another side chain id in this signer)', (i: WithdrawalReviewInput) => ({ ...i, sideChainId: 1n }), 'SIGNER_EVM_DIGEST_MISMATCH'],
    ['digest (another vault in this signer)', (i: WithdrawalReviewInput) => ({ ...i, vault: TOKEN }), 'SIGNER_EVM_DIGEST_MISMATCH'],
    ['burn missing', (i: WithdrawalReviewInput) => ({ ...i, requested: { ...i.requested, burn: undefined } }), 'SIGNER_EVM_BURN_MISSING'],
    ['burn of another token', (i: WithdrawalReviewInput) => ({ ...i, requested: { ...i.requested, burn: { ...i.requested.burn!, token: TOKEN } } }), 'SIGNER_EVM_BURN_MISSING'],
    ['burn by another account', (i: WithdrawalReviewInput) => ({ ...i, requested: { ...i.requested, burn: { ...i.requested.burn!, from: RECIPIENT } } }), 'SIGNER_EVM_BURN_MISSING'],
    ['not requested (already signed)', (i: WithdrawalReviewInput) => ({ ...i, stored: { ...i.stored, status: EVM_WITHDRAWAL_STATUS.signed } }), 'SIGNER_EVM_NOT_REQUESTED'],
  ])('refuses a differing %s', (_what, change, code) => {
    expect(codeOf(change(input()))).toBe(code)
  })

  it('caps: the default policy signs ETH up to 10 per withdrawal and 50 per 24 h, and no token', () => {
    expect(codeOf(input({ amount: 10n * ONE_ETH }))).toBeUndefined()
    expect(codeOf(input({ amount: 10n * ONE_ETH + 1n }))).toBe('SIGNER_EVM_CAP_PER_WITHDRAWAL')
    expect(codeOf({ ...input({ amount: 10n * ONE_ETH }), signedLast24h: 40n * ONE_ETH })).toBeUndefined()
    expect(codeOf({ ...input({ amount: 10n * ONE_ETH }), signedLast24h: 40n * ONE_ETH + 1n })).toBe('SIGNER_EVM_CAP_PER_24H')
    expect(codeOf(input({ token: TOKEN, amount: 1n }))).toBe('SIGNER_EVM_TOKEN_NO_POLICY')
  })

  it('caps: a configured token, and "unlimited" only where it is written', () => {
    const policy = { ['0x' + '22'.repeat(20)]: { maxPerWithdrawal: '100', maxPer24h: 'unlimited' }, eth: { maxPerWithdrawal: 'unlimited', maxPer24h: '5' } }
    expect(codeOf({ ...input({ token: TOKEN, amount: 100n }, policy), signedLast24h: 10n ** 30n })).toBeUndefined()
    expect(codeOf(input({ token: TOKEN, amount: 101n }, policy))).toBe('SIGNER_EVM_CAP_PER_WITHDRAWAL')
    expect(codeOf(input({ amount: 5n }, policy))).toBeUndefined()
    expect(codeOf({ ...input({ amount: 5n }, policy), signedLast24h: 1n })).toBe('SIGNER_EVM_CAP_PER_24H')
  })

  it('a logged signature of the same digest is re-sent (caps not counted twice); another digest is refused', () => {
    const i = input({ amount: 10n * ONE_ETH })
    const sig = new Uint8Array(65).fill(1)
    const v = reviewEvmWithdrawal({ ...i, signedLast24h: 50n * ONE_ETH, logged: { digest: i.stored.digest, signature: sig } })
    expect('approved' in v && v.approved.resend).toEqual(sig)
    expect(codeOf({ ...i, logged: { digest: new Uint8Array(32), signature: sig } })).toBe('SIGNER_EVM_LOGGED_DIGEST_DIFFERS')
  })
})

describe('reviewEvmHeader', () => {
  // A real post-merge header layout (London fields), built from values.
  const base: EvmHeader = {
    parentHash: new Uint8Array(32).fill(1), sha3Uncles: new Uint8Array(32).fill(2), miner: new Uint8Array(20), stateRoot: new Uint8Array(32),
    transactionsRoot: new Uint8Array(32), receiptsRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), difficulty: 0n, number: 100n,
    gasLimit: 30_000_000n, gasUsed: 0n, timestamp: 1n, extraData: new Uint8Array(), mixHash: new Uint8Array(32), nonce: new Uint8Array(8), baseFeePerGas: 7n,
  }
  const rlp = encodeEvmHeader(base)
  const hash = evmHeaderHash(base)
  const ok = { rlp, canonicalHash: hash, headNumber: 104n, confirmations: 5, loggedAtHeight: undefined }
  const code = (i: typeof ok | (Omit<typeof ok, 'loggedAtHeight'> & { loggedAtHeight: Uint8Array })) => {
    const v = reviewEvmHeader(i)
    return 'refused' in v ? v.refused.code : undefined
  }
  it('attests a canonical header at depth, refuses shallow, non-canonical or a second one at a height', () => {
    expect(code(ok)).toBeUndefined()
    expect(code({ ...ok, loggedAtHeight: hash })).toBeUndefined()
    expect(code({ ...ok, headNumber: 103n })).toBe('SIGNER_EVM_HEADER_TOO_SHALLOW')
    expect(code({ ...ok, canonicalHash: new Uint8Array(32) })).toBe('SIGNER_EVM_HEADER_NOT_CANONICAL')
    expect(code({ ...ok, loggedAtHeight: new Uint8Array(32) })).toBe('SIGNER_EVM_HEADER_HEIGHT_ATTESTED')
    expect(code({ ...ok, rlp: rlp.subarray(1) })).toBe('SIGNER_EVM_HEADER_INVALID')
  })
})
