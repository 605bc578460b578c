// The EVM duty's section of the signer configuration (`evm`, optional: no section, no EVM duty): this signer's OWN
// main-chain node, the chain and vault it serves, the depth at which it attests headers, its poll interval and its
// per-token policy caps. Safe default: a token without a policy entry is NEVER signed for; with no `policy` at all,
// ETH alone is, capped at 10 ETH per withdrawal and 50 ETH per 24 h. No cap is only what says "unlimited" in so many
// words. Tokens are keyed by their main-chain address (lower-case hex) or "eth".
import { z } from 'zod'
import { hexToBytes } from '../../../spv/base/bytes.js'

const amount = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'expected a whole number in the token\'s units'), z.literal('unlimited')])
const cap = z.object({ maxPerWithdrawal: amount, maxPer24h: amount }).strict()
const tokenKey = z.string().regex(/^(eth|0x[0-9a-fA-F]{40})$/, 'a token is "eth" or its main-chain address')

export const DEFAULT_EVM_POLICY = Object.freeze({ eth: { maxPerWithdrawal: (10n * 10n ** 18n).toString(), maxPer24h: (50n * 10n ** 18n).toString() } })

export const evmSectionSchema = z
  .object({
    rpcUrl: z.string().url(),
    chainId: z.number().int().min(1),
    vault: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'the vault is a 0x address'),
    /** Depth on this signer's own node before a header is attested (the tip is 1 deep). */
    confirmations: z.number().int().min(1).max(10_000).default(5),
    /** Milliseconds between looks at the main chain (the daemon's round may be faster). */
    pollMs: z.number().int().min(50).max(600_000).default(1000),
    /** The first main-chain block scanned for vault logs (the vault's deployment block). */
    fromBlock: z.number().int().min(0).default(0),
    policy: z.record(tokenKey, cap).optional(),
  })
  .strict()

/** A cap in the token's smallest units; null: explicitly unlimited. */
export interface TokenCap {
  readonly maxPerWithdrawal: bigint | null
  readonly maxPer24h: bigint | null
}

/** Caps by token key ('eth' or the lower-case 0x address); a token absent here is refused. */
export type EvmPolicy = ReadonlyMap<string, TokenCap>

export interface EvmSignerConfig {
  readonly rpcUrl: string
  readonly chainId: bigint
  readonly vault: Uint8Array
  readonly confirmations: number
  readonly pollMs: number
  readonly fromBlock: number
  readonly policy: EvmPolicy
}

const toCap = (v: string | number): bigint | null => (v === 'unlimited' ? null : BigInt(v))

/** The section as the duty holds it (already validated by evmSectionSchema). */
export function evmSignerConfig(s: z.infer<typeof evmSectionSchema>): EvmSignerConfig {
  const raw = s.policy ?? DEFAULT_EVM_POLICY
  const policy = new Map<string, TokenCap>()
  for (const [k, c] of Object.entries(raw)) policy.set(k.toLowerCase(), Object.freeze({ maxPerWithdrawal: toCap(c.maxPerWithdrawal), maxPer24h: toCap(c.maxPer24h) }))
  return Object.freeze({
    rpcUrl: s.rpcUrl,
    chainId: BigInt(s.chainId),
    vault: hexToBytes(s.vault, 'vault', 20),
    confirmations: s.confirmations,
    pollMs: s.pollMs,
    fromBlock: s.fromBlock,
    policy,
  })
}

/** The policy key of a main token: 'eth' for the zero address, else its lower-case 0x address. */
export function tokenKeyOf(token: Uint8Array): string {
  return token.every((b) => b === 0) ? 'eth' : `0x${Array.from(token, (b) => b.toString(16).padStart(2, '0')).join('')}`
}
