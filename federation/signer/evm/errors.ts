// The EVM duty's refusal codes, in one table (STYLE.md "Errors"): each says which check of the signer's own
// rebuilding of a withdrawal or header failed. Tests assert these codes; operators grep them in the logs.
export const SIGNER_EVM_CODES = {
  SIGNER_EVM_NOT_REQUESTED: 'the bridge does not hold the withdrawal as requested (status 1): nothing to sign',
  SIGNER_EVM_CHAIN_MISMATCH: 'the withdrawal names another main chain than this signer serves',
  SIGNER_EVM_AMOUNT_MISMATCH: "the bridge's stored amount differs from the burned amount or the request event's",
  SIGNER_EVM_TOKEN_MISMATCH: "the bridge's stored main or wrapped token differs from the request's, or the wrapped token is not the main token's",
  SIGNER_EVM_RECIPIENT_MISMATCH: "the bridge's stored main-chain recipient differs from the request's",
  SIGNER_EVM_EPOCH_MISMATCH: "the withdrawal's epoch is not the federation epoch this signer reads",
  SIGNER_EVM_DIGEST_MISMATCH: "the bridge's stored digest is not the EIP-712 digest of the withdrawal rebuilt here",
  SIGNER_EVM_BURN_MISSING: "no burn of the wrapped token (Transfer(requester, 0, amount)) in the request's transaction",
  SIGNER_EVM_TOKEN_NO_POLICY: 'the policy has no entry for this main token: it is not signed for',
  SIGNER_EVM_CAP_PER_WITHDRAWAL: "the amount exceeds the policy's cap per withdrawal for this token",
  SIGNER_EVM_CAP_PER_24H: "with this amount, what was signed for this token in the last 24 hours would exceed the policy's cap",
  SIGNER_EVM_LOGGED_DIGEST_DIFFERS: 'the signing log holds a signature of another digest for this withdrawal id: never a second one',
  SIGNER_EVM_HEADER_INVALID: 'the header is genesis, not the RLP of its hash, or not its number',
  SIGNER_EVM_HEADER_NOT_CANONICAL: "the header is not on this signer's own node's canonical chain at its height",
  SIGNER_EVM_HEADER_TOO_SHALLOW: 'the header is not yet `confirmations` deep on this signer\'s own node',
  SIGNER_EVM_HEADER_HEIGHT_ATTESTED: 'this signer attested another header at this height (a reorg deeper than its confirmations): an operator decides',
} as const

export type SignerEvmCode = keyof typeof SIGNER_EVM_CODES
