// `federation init` keeps two thresholds apart: the peg signers' k-of-n (more than half; the Bitcoin multisig, its
// address and descriptor) and the validators' quorum (3k > 2n, default ⌊2n/3⌋+1; 3k ≤ 2n only when told that no
// validator is Byzantine, 2k ≤ n never).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { initFederation, type FederationInitOptions } from '../../../federation/init.js'
import { CausewayError } from '../../../spv/base/errors.js'

const dir = mkdtempSync(path.join(tmpdir(), 'causeway-fedinit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let count = 0
const out = () => path.join(dir, `fed-${count++}`)

const init = (o: Omit<FederationInitOptions, 'out' | 'passphrase' | 'lightKeystores'> & { out?: string }) =>
  initFederation({ out: out(), passphrase: 'test passphrase', lightKeystores: true, bech32: 'rb', ...o })

async function refusal(p: Promise<unknown>): Promise<CausewayError> {
  try {
    await p
  } catch (e) {
    if (e instanceof CausewayError) return e
    throw e
  }
  return expect.unreachable('accepted')
}

describe('federation init: signers\' threshold and validators\' quorum', () => {
  it('4 members, signers 3 of 4: the validators\' quorum defaults to 3, the multisig is 3 of 4', async () => {
    const r = await init({ members: 4, threshold: 3 })
    expect(r.validatorQuorum).toBe(3)
    expect(r.threshold).toBe(3)
    expect(r.toleratesNoByzantineValidator).toBeUndefined()
    expect(r.descriptor).toMatch(/^wsh\(sortedmulti\(3,(0[23][0-9a-f]{64},){3}0[23][0-9a-f]{64}\)\)#[a-z0-9]{8}$/)
    expect((r.bridge['federation'] as { threshold: number }).threshold).toBe(3)
    const description = JSON.parse(readFileSync(r.files.federation, 'utf8'))
    expect(description).toMatchObject({ threshold: 3, validatorQuorum: 3 })
  })

  it('the signers\' threshold is the peg\'s own: 2 of 3 signers with the default validators\' quorum 3 of 3', async () => {
    const r = await init({ members: 3, threshold: 2 })
    expect(r.threshold).toBe(2)
    expect(r.validatorQuorum).toBe(3)
    expect(r.descriptor).toMatch(/^wsh\(sortedmulti\(2,/)
  })

  it('7 members: validators\' quorum 5 by default, an explicit 6 kept', async () => {
    expect((await init({ members: 7, threshold: 4 })).validatorQuorum).toBe(5)
    expect((await init({ members: 7, threshold: 5, validatorQuorum: 6 })).validatorQuorum).toBe(6)
  })

  it('refuses a validators\' quorum of 2 of 3 with CONSENSUS_BAD_THRESHOLD naming the option, writing nothing', async () => {
    const where = out()
    const e = await refusal(init({ members: 3, threshold: 2, validatorQuorum: 2, out: where }))
    expect(e.code).toBe('CONSENSUS_BAD_THRESHOLD')
    expect(e.message).toContain('--tolerates-no-byzantine-validator')
    expect(e.message).toContain('one faulty validator can finalize two blocks at one height')
    expect(existsSync(where)).toBe(false)
  })

  it('accepts 2 of 3 validators when told no validator is Byzantine, and says so in its description', async () => {
    const r = await init({ members: 3, threshold: 2, validatorQuorum: 2, toleratesNoByzantineValidator: true })
    expect(r.validatorQuorum).toBe(2)
    expect(r.toleratesNoByzantineValidator).toBe(true)
    expect(JSON.parse(readFileSync(r.files.federation, 'utf8'))).toMatchObject({ validatorQuorum: 2, toleratesNoByzantineValidator: true })
  })

  it('refuses 2 of 4 validators even with the option, and 2 of 4 signers (majority rule)', async () => {
    expect((await refusal(init({ members: 4, threshold: 3, validatorQuorum: 2, toleratesNoByzantineValidator: true }))).code).toBe('CONSENSUS_BAD_THRESHOLD')
    expect((await refusal(init({ members: 4, threshold: 2 }))).code).toBe('FEDERATION_BAD_OPTION')
    expect((await refusal(init({ members: 4, threshold: 3, validatorQuorum: 5 }))).code).toBe('CONSENSUS_BAD_THRESHOLD')
  })
})
