// The signer's `level` database in its datadir, which every duty's signing log shares, and its key layout (one
// place, like the node's layout). Each family's keys start with its name, so duties never read each other's:
//
//   meta!layout                           -> '1': the layout below (absent in a log written before issue 14)
//   bitcoin!batch!<batchId, 20 digits>    -> SignedBatch (JSON)
//   bitcoin!outpoint!<txid hex>:<vout>    -> the display txid of the transaction it was signed into
//   bitcoin!broadcast!<txid display>      -> { at } once this signer sent the complete transaction to its Bitcoin node
//   bitcoin!refused!<batchId, 20 digits>  -> { code, message, at } the last refusal of that batch
//   evm!withdrawal!<id, 20 digits>        -> SignedWithdrawal (JSON): the one signature of that withdrawal id
//   evm!attested!<chainId>!<n, 20 digits> -> { hash, at } the one header this signer attested at that height
//   evm!paid!<id, 20 digits>              -> { txHash, at } the vault withdrawal this signer last sent for that id
//   evm!refused!<key>                     -> { code, message, at } the last refusal of that item
//
// Layout 0 (before issue 14) had the Bitcoin keys without the `bitcoin!` prefix. Opening such a log moves them under
// it in one synced, atomic batch that also writes `meta!layout`, so a signer never forgets what it signed: it
// either still has layout 0 (and migrates on the next open) or has all of it in layout 1. A signer from before
// issue 14 must not be started on a migrated log (it would find no record); a later layout it does not know is
// refused (SIGNER_LOG_LAYOUT_UNKNOWN) for the same reason.
import { Level } from 'level'
import { fail } from '../../spv/base/errors.js'
import type { DutyFamily } from './duty.js'

export type SigningDb = Level<string, string>

export const LAYOUT_KEY = 'meta!layout'
export const LAYOUT_VERSION = '1'
/** The key prefixes of layout 0, all Bitcoin's. */
export const LEGACY_BITCOIN_PREFIXES = Object.freeze(['batch!', 'outpoint!', 'broadcast!', 'refused!'])

/** The prefix of a family's keys. */
export const familyPrefix = (family: DutyFamily): string => `${family}!`

/** Opens the datadir's database (SIGNER_DATADIR_LOCKED if another signer holds it) and brings it to layout 1. */
export async function openSigningDb(dir: string): Promise<SigningDb> {
  const db = new Level<string, string>(dir, { valueEncoding: 'utf8' })
  try {
    await db.open()
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause
    if (cause?.code === 'LEVEL_LOCKED') fail('SIGNER_DATADIR_LOCKED', `the signing log ${dir} is in use by another signer process`)
    throw e
  }
  try {
    await migrate(db, dir)
  } catch (e) {
    await db.close()
    throw e
  }
  return db
}

async function migrate(db: SigningDb, dir: string): Promise<void> {
  const layout = await db.get(LAYOUT_KEY)
  if (layout === LAYOUT_VERSION) return
  if (layout !== undefined) fail('SIGNER_LOG_LAYOUT_UNKNOWN', `the signing log ${dir} has layout ${layout}, which this signer does not know; run the signer that wrote it`)
  const ops: ({ type: 'put'; key: string; value: string } | { type: 'del'; key: string })[] = []
  for (const prefix of LEGACY_BITCOIN_PREFIXES) {
    // '"' follows '!': the range is every key with the prefix.
    for await (const [key, value] of db.iterator({ gte: prefix, lt: `${prefix.slice(0, -1)}"` })) {
      ops.push({ type: 'put', key: `${familyPrefix('bitcoin')}${key}`, value }, { type: 'del', key })
    }
  }
  ops.push({ type: 'put', key: LAYOUT_KEY, value: LAYOUT_VERSION })
  await db.batch(ops, { sync: true } as never)
}
