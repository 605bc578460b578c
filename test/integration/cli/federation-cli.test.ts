// `causeway federation init` and `causeway signer` as an operator runs them (real processes): keys and the
// federation's description written, its errors (a signer threshold that lets two halves move the coins, a
// validators' quorum that does not tolerate a Byzantine validator, no passphrase), and a
// signer refusing to start on a wrong passphrase or a broken configuration, each with its code.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readKeystore } from '../../../federation/keystore.js'
import { projectRoot } from '../../helpers/testdata.js'

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')
const PASS = 'operator passphrase'

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env }
    delete clean['CAUSEWAY_SIGNER_PASSPHRASE']
    execFile(process.execPath, [bin, ...args], { cwd: projectRoot, timeout: 60_000, env: { ...clean, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr })
    })
  })
}

describe('causeway federation init and causeway signer', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-fedcli-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('federation init writes every member\'s encrypted keystore and validator key, the address and its descriptor', async () => {
    const out = path.join(dir, 'fed')
    const r = await run(['federation', 'init', '--members', '3', '--threshold', '2', '--out', out, '--bech32', 'rb', '--light-keystores'], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.address).toMatch(/^rb1q[a-z0-9]{58}$/)
    expect(j.descriptor).toMatch(/^wsh\(sortedmulti\(2,(0[23][0-9a-f]{64},){2}0[23][0-9a-f]{64}\)\)#[a-z0-9]{8}$/)
    expect(j.pubkeys).toHaveLength(3)
    expect(r.stdout + r.stderr).not.toContain(PASS)
    for (let i = 0; i < 3; i++) {
      const key = await readKeystore(j.files.keystores[i], PASS)
      expect(key.address).toBe(j.memberAddresses[i])
      expect(readFileSync(j.files.validatorKeys[i], 'utf8').trim()).toMatch(/^0x[0-9a-f]{64}$/)
    }
    const description = JSON.parse(readFileSync(path.join(out, 'federation.json'), 'utf8'))
    expect(description.address).toBe(j.address)
    expect(description.bridge.federation.threshold).toBe(2)
    expect(j.validatorQuorum).toBe(3) // the validators' default for 3 members: ⌊2n/3⌋+1
  })

  it('federation init refuses a threshold that lets two halves finalize, bad counts, and a missing passphrase', async () => {
    const half = await run(['federation', 'init', '--members', '4', '--threshold', '2', '--out', path.join(dir, 'half')], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(half.code).toBe(1)
    expect(JSON.parse(half.stdout).code).toBe('FEDERATION_BAD_OPTION')
    expect(half.stderr).toContain('two halves')
    expect(existsSync(path.join(dir, 'half', 'member-0'))).toBe(false)
    // The validators' quorum is its own setting: 2 of 3 does not tolerate a Byzantine validator unless told.
    const quorum = await run(['federation', 'init', '--members', '3', '--threshold', '2', '--validator-quorum', '2', '--out', path.join(dir, 'quorum'), '--light-keystores'], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(quorum.code).toBe(1)
    expect(JSON.parse(quorum.stdout).code).toBe('CONSENSUS_BAD_THRESHOLD')
    expect(quorum.stderr).toContain('--tolerates-no-byzantine-validator')
    const trusted = await run(
      ['federation', 'init', '--members', '3', '--threshold', '2', '--validator-quorum', '2', '--tolerates-no-byzantine-validator', '--out', path.join(dir, 'trusted'), '--light-keystores'],
      { CAUSEWAY_SIGNER_PASSPHRASE: PASS },
    )
    expect(trusted.code, trusted.stderr).toBe(0)
    expect(JSON.parse(trusted.stdout)).toMatchObject({ threshold: 2, validatorQuorum: 2, toleratesNoByzantineValidator: true })
    const many = await run(['federation', 'init', '--members', '16', '--threshold', '11', '--out', path.join(dir, 'many')], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(JSON.parse(many.stdout).code).toBe('FEDERATION_BAD_OPTION')
    const usage = await run(['federation', 'init', '--members', 'three', '--threshold', '2', '--out', path.join(dir, 'u')], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(usage.code).toBe(2)
    const nopass = await run(['federation', 'init', '--members', '3', '--threshold', '2', '--out', path.join(dir, 'nopass')])
    expect(nopass.code).toBe(1)
    expect(JSON.parse(nopass.stdout).code).toBe('SIGNER_NO_PASSPHRASE')
    const help = await run(['federation', 'init', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--threshold')
    expect(help.stdout).toContain('--validator-quorum')
  })

  it('a signer refuses to start on a wrong passphrase or a broken configuration, naming what is wrong', async () => {
    const keystore = path.join(dir, 'fed', 'member-0', 'keystore.json')
    const config = path.join(dir, 'signer.json')
    writeFileSync(
      config,
      JSON.stringify({ keystore, datadir: path.join(dir, 'signer-log'), bitcoin: { rpcUrl: 'http://127.0.0.1:9/' }, sidechain: { rpcUrl: 'http://127.0.0.1:9/' }, http: { port: 0 } }),
    )
    const wrong = await run(['signer', '--config', config], { CAUSEWAY_SIGNER_PASSPHRASE: 'not the passphrase' })
    expect(wrong.code).toBe(1)
    expect(JSON.parse(wrong.stdout).code).toBe('SIGNER_BAD_PASSPHRASE')
    expect(wrong.stdout + wrong.stderr).not.toContain('not the passphrase')
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ keystore, datadir: 'x', bitcoin: { rpcUrl: 'not a url' }, sidechain: { rpcUrl: 'http://127.0.0.1:9/' }, http: { port: 0 } }))
    const bad = await run(['signer', '--config', path.join(dir, 'bad.json')], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout).code).toBe('SIGNER_BAD_CONFIG')
    expect(bad.stderr).toContain('bitcoin.rpcUrl')
    const missing = await run(['signer', '--config', path.join(dir, 'nope.json')], { CAUSEWAY_SIGNER_PASSPHRASE: PASS })
    expect(JSON.parse(missing.stdout).code).toBe('SIGNER_BAD_CONFIG')
    expect(missing.stderr).toContain('ENOENT')
  })
})
