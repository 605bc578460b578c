// The EVM duty's signing log on a real level database in a temp dir: a signature is logged before it is returned,
// survives a "restart" (the database closed and reopened), the same id gives the same bytes and never a second
// signature, a different digest for a logged id is refused, and the 24-hour totals roll with the clock.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isCausewayError } from '../../../spv/base/errors.js'
import { toHex } from '../../../spv/base/bytes.js'
import { recoverWithdrawalSigner, withdrawalDigest, type Withdrawal } from '../../../peg/evm/index.js'
import { openSigningDb, type SigningDb } from '../../../federation/signer/signing-db.js'
import { EvmSigningLog } from '../../../federation/signer/evm/signing-log.js'
import { signWithdrawalOnce } from '../../../federation/signer/evm/sign.js'
import { SigningLog } from '../../../federation/signer/signing-log.js'
import { memberKeyFrom } from '../../../federation/keystore.js'

const KEY = memberKeyFrom('0x' + '5a'.repeat(32))
const W: Withdrawal = { mainChainId: 31337n, vault: new Uint8Array(20).fill(0x11), sideChainId: 1337n, id: 3n, token: new Uint8Array(20), recipient: new Uint8Array(20).fill(0x44), amount: 10n ** 18n, epoch: 1n }
const DAY = 24 * 60 * 60 * 1000

describe('EvmSigningLog', () => {
  let dir: string | undefined
  let db: SigningDb | undefined
  afterEach(async () => {
    await db?.close()
    db = undefined
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('signs once: after a restart the same id gives the same bytes, a different digest is refused', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evm-signing-log-'))
    db = await openSigningDb(dir)
    const digest = withdrawalDigest(W)
    const first = await signWithdrawalOnce(new EvmSigningLog(db), W, digest, KEY.privateKey, 1_000)
    expect(toHex(recoverWithdrawalSigner(digest, first))).toBe(KEY.address.toLowerCase())
    await db.close()
    db = await openSigningDb(dir) // the restart
    const log = new EvmSigningLog(db)
    expect((await log.signed(3n))?.signature).toBe(toHex(first))
    const again = await signWithdrawalOnce(log, W, digest, KEY.privateKey, 2_000)
    expect(again).toEqual(first)
    const other = withdrawalDigest({ ...W, amount: W.amount + 1n })
    await expect(signWithdrawalOnce(log, { ...W, amount: W.amount + 1n }, other, KEY.privateKey, 3_000)).rejects.toSatisfy((e) => isCausewayError(e, 'SIGNER_EVM_LOGGED_DIGEST_DIFFERS'))
    // Nor can a second entry be written for the id behind the signer's back.
    await expect(log.recordSigned({ ...(await log.signed(3n))!, signature: '0x' + '00'.repeat(65) })).rejects.toSatisfy((e) => isCausewayError(e, 'SIGNER_EVM_LOGGED_DIGEST_DIFFERS'))
    expect((await log.signed(3n))?.signature).toBe(toHex(first))
    expect(await log.unsubmitted()).toHaveLength(1)
    await log.markSubmitted(3n)
    expect(await log.unsubmitted()).toHaveLength(0)
  })

  it('sums the last 24 h per token as a rolling window', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evm-signing-log-'))
    db = await openSigningDb(dir)
    const log = new EvmSigningLog(db)
    const t0 = 10 * DAY
    await signWithdrawalOnce(log, { ...W, id: 1n, amount: 5n }, withdrawalDigest({ ...W, id: 1n, amount: 5n }), KEY.privateKey, t0)
    await signWithdrawalOnce(log, { ...W, id: 2n, amount: 7n }, withdrawalDigest({ ...W, id: 2n, amount: 7n }), KEY.privateKey, t0 + DAY / 2)
    const token = new Uint8Array(20).fill(0x22)
    await signWithdrawalOnce(log, { ...W, id: 4n, amount: 100n, token }, withdrawalDigest({ ...W, id: 4n, amount: 100n, token }), KEY.privateKey, t0)
    expect((await log.signedSince(t0 + DAY / 2)).get('eth')).toBe(12n)
    expect((await log.signedSince(t0 + DAY / 2)).get('0x' + '22'.repeat(20))).toBe(100n)
    expect((await log.signedSince(t0 + DAY)).get('eth')).toBe(7n) // the first left the window
    expect((await log.signedSince(t0 + 2 * DAY)).get('eth')).toBeUndefined()
  })

  it('keeps one attested header per height, and its keys apart from the Bitcoin family', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evm-signing-log-'))
    db = await openSigningDb(dir)
    const log = new EvmSigningLog(db)
    await log.recordAttested(31337n, 9n, '0xaa', 1)
    await log.recordAttested(31337n, 9n, '0xaa', 2)
    await expect(log.recordAttested(31337n, 9n, '0xbb', 3)).rejects.toSatisfy((e) => isCausewayError(e, 'SIGNER_EVM_HEADER_HEIGHT_ATTESTED'))
    expect(await log.attestedAt(31337n, 9n)).toBe('0xaa')
    await signWithdrawalOnce(log, W, withdrawalDigest(W), KEY.privateKey, 1)
    const btc = new SigningLog(db, 'bitcoin')
    expect(await btc.unsubmitted()).toHaveLength(0)
    for await (const k of db.keys()) expect(k.startsWith('evm!') || k.startsWith('meta!')).toBe(true)
  })
})
