// The signer's configuration names its policy's family (federation/signer/config.ts): Bitcoin's policy is read from
// `bitcoin.policy`, or from a top-level `policy` as configurations before issue 14 wrote it, never from both.
import { describe, expect, it } from 'vitest'
import { parseSignerConfig } from '../../../../federation/signer/config.js'
import { expectCode } from '../../../helpers/expect.js'

const base = {
  keystore: 'keystore.json',
  datadir: 'signer-0',
  bitcoin: { rpcUrl: 'http://127.0.0.1:8332/' },
  sidechain: { rpcUrl: 'http://127.0.0.1:8545/' },
  http: { port: 0 },
}
const policy = { maxPerTxSats: '100000000', maxPer24hSats: '1000000000', maxFeeRate: 20 }
const expected = { maxPerTxSats: 100_000_000n, maxPer24hSats: 1_000_000_000n, maxFeeRate: 20n }

describe('signer configuration: policy', () => {
  it('reads Bitcoin\'s policy from bitcoin.policy or, as before issue 14, from policy', () => {
    for (const json of [{ ...base, bitcoin: { ...base.bitcoin, policy } }, { ...base, policy }]) {
      const c = parseSignerConfig(json, '/tmp')
      expect(c.bitcoin.policy).toEqual(expected)
      expect(c.policy).toBe(c.bitcoin.policy)
    }
  })

  it('defaults the policy when neither is given, and refuses both', () => {
    expect(parseSignerConfig(base, '/tmp').bitcoin.policy).toEqual({ maxPerTxSats: 1_000_000_000n, maxPer24hSats: 5_000_000_000n, maxFeeRate: 500n })
    const e = expectCode(() => parseSignerConfig({ ...base, policy, bitcoin: { ...base.bitcoin, policy } }, '/tmp'), 'SIGNER_BAD_CONFIG')
    expect(e.details?.['path']).toBe('policy')
  })
})
