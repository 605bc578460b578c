// A family's persistent signing log (ARCHITECTURE.md decision 8): every signature is written here, synced, before
// it is released, so a restarted signer resubmits the same signatures instead of signing again, never signs a second
// transaction spending an outpoint it signed, remembers what it paid in the last 24 hours, and broadcasts a complete
// transaction once. Its keys, prefixed by its family, are listed in signing-db.ts.
import { familyPrefix, openSigningDb, type SigningDb } from './signing-db.js'
import type { DutyFamily } from './duty.js'

export interface SignedBatch {
  readonly batchId: string
  /** Display-order txid. */
  readonly txid: string
  readonly outpoints: readonly string[]
  /** Hex signatures, one per input. */
  readonly signatures: readonly string[]
  readonly paidSats: string
  /** Unix milliseconds when it was signed. */
  readonly at: number
  /** True once the bridge accepted them (the addSignatures transaction succeeded). */
  readonly submitted: boolean
}

const pad = (id: bigint): string => id.toString().padStart(20, '0')
const DAY_MS = 24 * 60 * 60 * 1000

export class SigningLog {
  private readonly p: string

  /** A family's log in a database the caller opened (openSigningDb) and closes. */
  constructor(
    private readonly db: SigningDb,
    readonly family: DutyFamily,
  ) {
    this.p = familyPrefix(family)
  }

  /** Opens the datadir's database for the Bitcoin family alone; close() closes the database. */
  static async open(dir: string): Promise<SigningLog> {
    return new SigningLog(await openSigningDb(dir), 'bitcoin')
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  async signed(batchId: bigint): Promise<SignedBatch | undefined> {
    const v = await this.db.get(`${this.p}batch!${pad(batchId)}`)
    return v === undefined ? undefined : (JSON.parse(v) as SignedBatch)
  }

  /** The transaction an outpoint was signed into, if any. */
  async spentBy(outpoint: string): Promise<string | undefined> {
    return (await this.db.get(`${this.p}outpoint!${outpoint}`)) ?? undefined
  }

  /** Records signatures before they leave the process (sync write, all or nothing). */
  async recordSigned(entry: SignedBatch): Promise<void> {
    const ops: { type: 'put'; key: string; value: string }[] = [{ type: 'put', key: `${this.p}batch!${entry.batchId.padStart(20, '0')}`, value: JSON.stringify(entry) }]
    for (const o of entry.outpoints) ops.push({ type: 'put', key: `${this.p}outpoint!${o}`, value: entry.txid })
    await this.db.batch(ops, { sync: true } as never)
  }

  async markSubmitted(batchId: bigint): Promise<void> {
    const e = await this.signed(batchId)
    if (e === undefined) return
    await this.db.put(`${this.p}batch!${pad(batchId)}`, JSON.stringify({ ...e, submitted: true }), { sync: true } as never)
  }

  /** Satoshis paid out by batches signed after `now − 24 h`. */
  async paidSince(now: number): Promise<bigint> {
    let sum = 0n
    for await (const v of this.db.values({ gte: `${this.p}batch!`, lt: `${this.p}batch"` })) {
      const e = JSON.parse(v) as SignedBatch
      if (e.at > now - DAY_MS) sum += BigInt(e.paidSats)
    }
    return sum
  }

  async unsubmitted(): Promise<SignedBatch[]> {
    const out: SignedBatch[] = []
    for await (const v of this.db.values({ gte: `${this.p}batch!`, lt: `${this.p}batch"` })) {
      const e = JSON.parse(v) as SignedBatch
      if (!e.submitted) out.push(e)
    }
    return out
  }

  async broadcastAt(txid: string): Promise<number | undefined> {
    const v = await this.db.get(`${this.p}broadcast!${txid}`)
    return v === undefined ? undefined : (JSON.parse(v) as { at: number }).at
  }

  async recordBroadcast(txid: string, at: number): Promise<void> {
    await this.db.put(`${this.p}broadcast!${txid}`, JSON.stringify({ at }), { sync: true } as never)
  }

  async recordRefusal(batchId: bigint, code: string, message: string, at: number): Promise<boolean> {
    const key = `${this.p}refused!${pad(batchId)}`
    const prev = await this.db.get(key)
    await this.db.put(key, JSON.stringify({ code, message, at }))
    return prev === undefined || (JSON.parse(prev) as { code: string }).code !== code
  }
}
