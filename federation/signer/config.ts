// The signer daemon's configuration file (`causeway signer --config FILE`): its keystore, its own Bitcoin node
// (Bitcoin Core JSON-RPC; bcoin speaks it), its own side-chain node, its log directory, its HTTP port for /health
// and /metrics, and each duty's policy (Bitcoin's under `bitcoin.policy`; a top-level `policy`, where it stood before
// issue 14, is still read as Bitcoin's), and the optional `evm` section (evm/config.ts: its own main-chain node, chain,
// vault, confirmations and per-token caps; without it no EVM duty runs). Parsed once with a schema that names the bad field (SIGNER_BAD_CONFIG).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { fail } from '../../spv/base/errors.js'
import type { BitcoinPolicy } from './review.js'
import { evmSectionSchema, evmSignerConfig, type EvmSignerConfig } from './evm/config.js'

const sats = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'expected a whole number of satoshis')])

const bitcoinPolicySchema = z.object({
  maxPerTxSats: sats.default(10 * 100_000_000),
  maxPer24hSats: sats.default(50 * 100_000_000),
  maxFeeRate: z.number().int().positive().default(500),
})

export const signerConfigSchema = z
  .object({
    keystore: z.string().min(1),
    datadir: z.string().min(1),
    bitcoin: z.object({
      rpcUrl: z.string().url(),
      rpcUser: z.string().default('x'),
      rpcPassword: z.string().default(''),
      policy: bitcoinPolicySchema.optional(),
    }),
    sidechain: z.object({ rpcUrl: z.string().url() }),
    http: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535) }),
    /** Bitcoin's policy as configurations before issue 14 give it; `bitcoin.policy` is its place now (not both). */
    policy: bitcoinPolicySchema.optional(),
    /** Milliseconds between rounds of watching both chains. */
    pollMs: z.number().int().min(50).max(60_000).default(1000),
    /** Relay Bitcoin headers, peg-in proofs and batch confirmations to the bridge (anyone may; signers do by default). */
    relay: z.boolean().default(true),
    /** The EVM peg duty (evm/config.ts); absent: this signer serves no EVM main chain. */
    evm: evmSectionSchema.optional(),
  })
  .strict()

export interface SignerConfig {
  readonly keystore: string
  readonly datadir: string
  readonly bitcoin: { readonly rpcUrl: string; readonly rpcUser: string; readonly rpcPassword: string; readonly policy: BitcoinPolicy }
  readonly sidechain: { readonly rpcUrl: string }
  readonly http: { readonly host: string; readonly port: number }
  /** The Bitcoin duty's policy (the same object as `bitcoin.policy`), where it stood before issue 14. */
  readonly policy: BitcoinPolicy
  readonly pollMs: number
  readonly relay: boolean
  readonly evm?: EvmSignerConfig
}

export function parseSignerConfig(json: unknown, baseDir: string): SignerConfig {
  const r = signerConfigSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]!
    fail('SIGNER_BAD_CONFIG', `signer configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: issue.path.join('.') })
  }
  const c = r.data
  if (c.policy !== undefined && c.bitcoin.policy !== undefined) {
    fail('SIGNER_BAD_CONFIG', 'signer configuration: policy: give the Bitcoin policy once, as bitcoin.policy', { path: 'policy' })
  }
  const p = c.bitcoin.policy ?? c.policy ?? bitcoinPolicySchema.parse({})
  const policy: BitcoinPolicy = Object.freeze({ maxPerTxSats: BigInt(p.maxPerTxSats), maxPer24hSats: BigInt(p.maxPer24hSats), maxFeeRate: BigInt(p.maxFeeRate) })
  return Object.freeze({
    keystore: path.resolve(baseDir, c.keystore),
    datadir: path.resolve(baseDir, c.datadir),
    bitcoin: Object.freeze({ rpcUrl: c.bitcoin.rpcUrl, rpcUser: c.bitcoin.rpcUser, rpcPassword: c.bitcoin.rpcPassword, policy }),
    sidechain: c.sidechain,
    http: c.http,
    policy,
    pollMs: c.pollMs,
    relay: c.relay,
    ...(c.evm === undefined ? {} : { evm: evmSignerConfig(c.evm) }),
  })
}

export async function loadSignerConfig(file: string): Promise<SignerConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    fail('SIGNER_BAD_CONFIG', `cannot read signer configuration ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    fail('SIGNER_BAD_CONFIG', `signer configuration ${file} is not JSON: ${(e as Error).message}`)
  }
  return parseSignerConfig(json, path.dirname(path.resolve(file)))
}
