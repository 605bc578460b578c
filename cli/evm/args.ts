// The EVM commands' arguments, checked at the CLI edge before anything is sent (pure): main-chain transaction
// hashes, withdrawal ids, addresses (a main-chain recipient may not be the zero address: the vault would burn it),
// the deposit's asset (`eth` or a token address) and what `causeway evm status` was given.
import { getAddress, isAddress } from 'viem'
import { CausewayError } from '../../spv/base/errors.js'

export type Hex = `0x${string}`
export type Address = `0x${string}`

export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'

/** A 32-byte transaction hash (0x optional), lower case. CLI_BAD_TX_HASH otherwise. */
export function parseMainTxHash(text: string): Hex {
  const t = text.trim().toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{64}$/.test(t)) throw new CausewayError('CLI_BAD_TX_HASH', `not a main-chain transaction hash: ${JSON.stringify(text)} (expected 0x and 64 hex digits)`)
  return `0x${t}`
}

/** An EVM withdrawal id (the bridge counts them from 1). CLI_BAD_WITHDRAWAL_ID otherwise. */
export function parseWithdrawalId(text: string): bigint {
  const t = text.trim()
  if (!/^\d+$/.test(t) || BigInt(t) === 0n) throw new CausewayError('CLI_BAD_WITHDRAWAL_ID', `not a withdrawal id: ${JSON.stringify(text)} (a positive whole number)`)
  return BigInt(t)
}

/** An address, checksummed (a mixed-case one with a wrong checksum is refused). CLI_BAD_ADDRESS, naming `what`. */
export function parseAddress(text: string, what: string): Address {
  const t = text.trim()
  if (!/^0x[0-9a-fA-F]{40}$/.test(t) || !isAddress(t)) {
    throw new CausewayError('CLI_BAD_ADDRESS', `${what} is not an address: ${JSON.stringify(text)} (expected 0x and 40 hex digits, with a valid checksum if mixed case)`, { details: { what, value: text } })
  }
  return getAddress(t)
}

/** A recipient address that is not the zero address (CLI_ZERO_RECIPIENT). */
export function parseRecipient(text: string, what: string): Address {
  const a = parseAddress(text, what)
  if (a === ZERO_ADDRESS) throw new CausewayError('CLI_ZERO_RECIPIENT', `${what} is the zero address: the coins would be lost`, { details: { what } })
  return a
}

/** What a deposit moves: ETH, or an ERC-20 by its main-chain address (the zero address is refused: write `eth`). */
export type DepositAsset = { readonly kind: 'eth' } | { readonly kind: 'token'; readonly address: Address }

export function parseDepositAsset(text: string): DepositAsset {
  if (text.trim().toLowerCase() === 'eth') return { kind: 'eth' }
  const t = text.trim()
  if (!/^0x[0-9a-fA-F]{40}$/.test(t)) throw new CausewayError('CLI_BAD_TOKEN', `not \`eth\` nor a token address: ${JSON.stringify(text)}`, { details: { value: text } })
  const a = parseAddress(t, 'the token')
  if (a === ZERO_ADDRESS) throw new CausewayError('CLI_BAD_TOKEN', 'the zero address is not a token (write `eth` for ether)')
  return { kind: 'token', address: a }
}

/** `causeway evm status <x>`: a 32-byte hash is a main-chain transaction, a whole number a withdrawal id, else an address. */
export type StatusTarget = { readonly kind: 'tx'; readonly hash: Hex } | { readonly kind: 'withdrawal'; readonly id: bigint } | { readonly kind: 'address'; readonly address: Address }

export function parseStatusTarget(text: string): StatusTarget {
  const t = text.trim()
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(t)) return { kind: 'tx', hash: parseMainTxHash(t) }
  if (/^\d+$/.test(t)) return { kind: 'withdrawal', id: parseWithdrawalId(t) }
  if (/^0x[0-9a-fA-F]{40}$/.test(t)) return { kind: 'address', address: parseAddress(t, 'the address') }
  throw new CausewayError('CLI_BAD_STATUS_TARGET', `not a main-chain transaction hash, a withdrawal id nor an address: ${JSON.stringify(text)}`, { details: { value: text } })
}
