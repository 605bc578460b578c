// The EVM family's signing log (ARCHITECTURE.md decision 8) in the signer's shared level database, keys under
// `evm!` (listed in ../signing-db.ts): each withdrawal signature written and synced before it leaves, so a restarted
// signer re-sends the same bytes and never makes a second signature for one id; the headers it attested, one per
// (chain, height); its refusals; the vault withdrawals it sent. The 24-hour caps are summed from the logged entries.
import { fail } from '../../../spv/base/errors.js'
import { familyPrefix, type SigningDb } from '../signing-db.js'

export interface SignedWithdrawal {
  readonly id: string
  /** Policy key of the main token ('eth' or its lower-case address). */
  readonly token: string
  readonly amount: string
  /** 0x hex of the EIP-712 digest signed. */
  readonly digest: string
  /** 0x hex of the 65-byte signature. */
  readonly signature: string
  /** Unix milliseconds when it was signed. */
  readonly at: number
  /** True once the bridge took it (addEvmWithdrawalSignature mined, or it already had this member's). */
  readonly submitted: boolean
}

const pad = (n: bigint): string => n.toString().padStart(20, '0')
const DAY_MS = 24 * 60 * 60 * 1000
const SYNC = { sync: true } as never

export class EvmSigningLog {
  private readonly p = familyPrefix('evm')

  constructor(private readonly db: SigningDb) {}

  async signed(id: bigint): Promise<SignedWithdrawal | undefined> {
    const v = await this.db.get(`${this.p}withdrawal!${pad(id)}`)
    return v === undefined ? undefined : (JSON.parse(v) as SignedWithdrawal)
  }

  /** Writes a signature (synced) before it leaves; refuses to replace one of another digest or other bytes. */
  async recordSigned(entry: SignedWithdrawal): Promise<void> {
    const prev = await this.signed(BigInt(entry.id))
    if (prev !== undefined && (prev.digest !== entry.digest || prev.signature !== entry.signature)) {
      fail('SIGNER_EVM_LOGGED_DIGEST_DIFFERS', `withdrawal ${entry.id} is logged signed with digest ${prev.digest}: no second signature`)
    }
    if (prev !== undefined) return
    await this.db.put(`${this.p}withdrawal!${pad(BigInt(entry.id))}`, JSON.stringify(entry), SYNC)
  }

  async markSubmitted(id: bigint): Promise<void> {
    const e = await this.signed(id)
    if (e === undefined || e.submitted) return
    await this.db.put(`${this.p}withdrawal!${pad(id)}`, JSON.stringify({ ...e, submitted: true }), SYNC)
  }

  /** Per token key: the amounts of the withdrawals signed after `now − 24 h` (a rolling window). */
  async signedSince(now: number): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>()
    for await (const v of this.db.values({ gte: `${this.p}withdrawal!`, lt: `${this.p}withdrawal"` })) {
      const e = JSON.parse(v) as SignedWithdrawal
      if (e.at > now - DAY_MS) out.set(e.token, (out.get(e.token) ?? 0n) + BigInt(e.amount))
    }
    return out
  }

  async unsubmitted(): Promise<SignedWithdrawal[]> {
    const out: SignedWithdrawal[] = []
    for await (const v of this.db.values({ gte: `${this.p}withdrawal!`, lt: `${this.p}withdrawal"` })) {
      const e = JSON.parse(v) as SignedWithdrawal
      if (!e.submitted) out.push(e)
    }
    return out
  }

  /** The header hash (0x hex) this signer attested at `number` of main chain `chainId`, if any. */
  async attestedAt(chainId: bigint, number: bigint): Promise<string | undefined> {
    const v = await this.db.get(`${this.p}attested!${chainId}!${pad(number)}`)
    return v === undefined ? undefined : (JSON.parse(v) as { hash: string }).hash
  }

  /** Written (synced) before the attestation is sent. */
  async recordAttested(chainId: bigint, number: bigint, hash: string, at: number): Promise<void> {
    const prev = await this.attestedAt(chainId, number)
    if (prev !== undefined && prev !== hash) fail('SIGNER_EVM_HEADER_HEIGHT_ATTESTED', `block ${number} of chain ${chainId} is logged attested as ${prev}`)
    if (prev === undefined) await this.db.put(`${this.p}attested!${chainId}!${pad(number)}`, JSON.stringify({ hash, at }), SYNC)
  }

  /** When this signer last sent the vault withdrawal of `id` (its main-chain transaction), if it did. */
  async paidAt(id: bigint): Promise<{ txHash: string; at: number } | undefined> {
    const v = await this.db.get(`${this.p}paid!${pad(id)}`)
    return v === undefined ? undefined : (JSON.parse(v) as { txHash: string; at: number })
  }

  async recordPaid(id: bigint, txHash: string, at: number): Promise<void> {
    await this.db.put(`${this.p}paid!${pad(id)}`, JSON.stringify({ txHash, at }), SYNC)
  }

  /** True when the refusal is new or its code changed (then it is logged as a warning). */
  async recordRefusal(key: string, code: string, message: string, at: number): Promise<boolean> {
    const k = `${this.p}refused!${key}`
    const prev = await this.db.get(k)
    await this.db.put(k, JSON.stringify({ code, message, at }))
    return prev === undefined || (JSON.parse(prev) as { code: string }).code !== code
  }
}
