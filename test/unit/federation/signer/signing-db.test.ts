// The signing log's layout (federation/signer/signing-db.ts): a log written before issue 14, with Bitcoin's keys
// unprefixed, is moved under `bitcoin!` when opened, so the signer still knows every signature, outpoint, broadcast
// and refusal it recorded; a migrated log is left alone on the next open; a layout it does not know is refused.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Level } from 'level'
import { afterAll, describe, expect, it } from 'vitest'
import { LAYOUT_KEY, LAYOUT_VERSION, openSigningDb } from '../../../../federation/signer/signing-db.js'
import { SigningLog, type SignedBatch } from '../../../../federation/signer/signing-log.js'

const root = mkdtempSync(path.join(tmpdir(), 'causeway-signdb-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function allKeys(dir: string): Promise<string[]> {
  const db = new Level<string, string>(dir, { valueEncoding: 'utf8' })
  const keys: string[] = []
  for await (const k of db.keys()) keys.push(k)
  await db.close()
  return keys
}

describe('signing log layout', () => {
  it('moves a layout-0 log under bitcoin! and forgets nothing it signed', async () => {
    const dir = path.join(root, 'legacy')
    const now = Date.now()
    const entry: SignedBatch = { batchId: '7', txid: 'ab'.repeat(32), outpoints: ['x:0', 'y:1'], signatures: ['3045'], paidSats: '1000', at: now, submitted: false }
    // Written as a signer from before issue 14 wrote them (its signing-log.ts key prefixes).
    const old = new Level<string, string>(dir, { valueEncoding: 'utf8' })
    await old.batch([
      { type: 'put', key: `batch!${'7'.padStart(20, '0')}`, value: JSON.stringify(entry) },
      { type: 'put', key: 'outpoint!x:0', value: entry.txid },
      { type: 'put', key: 'outpoint!y:1', value: entry.txid },
      { type: 'put', key: `broadcast!${'cd'.repeat(32)}`, value: JSON.stringify({ at: now }) },
      { type: 'put', key: `refused!${'8'.padStart(20, '0')}`, value: JSON.stringify({ code: 'SIGNER_INPUT_SPENT', message: 'm', at: now }) },
    ])
    await old.close()

    let log = await SigningLog.open(dir)
    expect((await log.signed(7n))?.txid).toBe('ab'.repeat(32))
    expect(await log.spentBy('x:0')).toBe('ab'.repeat(32))
    expect(await log.spentBy('y:1')).toBe('ab'.repeat(32))
    expect(await log.paidSince(now)).toBe(1000n)
    expect((await log.unsubmitted()).map((e) => e.batchId)).toEqual(['7'])
    expect(await log.broadcastAt('cd'.repeat(32))).toBe(now)
    // The same refusal again is not new: the record came across.
    expect(await log.recordRefusal(8n, 'SIGNER_INPUT_SPENT', 'm', now)).toBe(false)
    await log.markSubmitted(7n)
    await log.close()

    const keys = await allKeys(dir)
    expect(keys.filter((k) => !k.startsWith('bitcoin!') && k !== LAYOUT_KEY)).toEqual([])
    expect(keys.filter((k) => k.startsWith('bitcoin!'))).toHaveLength(5)

    // Opened again: nothing moves twice, and what changed after the migration stays.
    log = await SigningLog.open(dir)
    expect(await log.unsubmitted()).toEqual([])
    expect(await log.spentBy('y:1')).toBe('ab'.repeat(32))
    await log.close()
  })

  it('writes the layout into a new log and refuses one whose layout it does not know', async () => {
    const fresh = path.join(root, 'fresh')
    await (await openSigningDb(fresh)).close()
    expect(await allKeys(fresh)).toEqual([LAYOUT_KEY])

    const future = path.join(root, 'future')
    const db = new Level<string, string>(future, { valueEncoding: 'utf8' })
    await db.put(LAYOUT_KEY, String(Number(LAYOUT_VERSION) + 1))
    await db.close()
    await expect(SigningLog.open(future)).rejects.toMatchObject({ code: 'SIGNER_LOG_LAYOUT_UNKNOWN' })
    // Refused without holding the lock.
    await expect(SigningLog.open(future)).rejects.toMatchObject({ code: 'SIGNER_LOG_LAYOUT_UNKNOWN' })
  })
})
