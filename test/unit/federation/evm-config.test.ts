// The signer configuration's optional `evm` section (federation/signer/evm/config.ts): absent → no EVM duty; the
// safe default policy (ETH only, capped); "unlimited" only where written; a bad field named in SIGNER_BAD_CONFIG.
import { describe, expect, it } from 'vitest'
import { isCausewayError } from '../../../spv/base/errors.js'
import { parseSignerConfig } from '../../../federation/signer/config.js'

const base = { keystore: 'k.json', datadir: 'data', bitcoin: { rpcUrl: 'http://127.0.0.1:1' }, sidechain: { rpcUrl: 'http://127.0.0.1:2' }, http: { port: 0 } }
const evm = { rpcUrl: 'http://127.0.0.1:3', chainId: 31337, vault: '0x' + '11'.repeat(20) }

describe('signer configuration, evm section', () => {
  it('is optional', () => {
    expect(parseSignerConfig(base, '/tmp').evm).toBeUndefined()
  })

  it('defaults: 5 confirmations, ETH alone capped at 10 per withdrawal and 50 per 24 h', () => {
    const c = parseSignerConfig({ ...base, evm }, '/tmp').evm!
    expect(c.confirmations).toBe(5)
    expect(c.chainId).toBe(31337n)
    expect([...c.policy.keys()]).toEqual(['eth'])
    expect(c.policy.get('eth')).toEqual({ maxPerWithdrawal: 10n * 10n ** 18n, maxPer24h: 50n * 10n ** 18n })
  })

  it('a configured policy replaces the default; "unlimited" is null; addresses are lower-cased', () => {
    const token = '0x' + 'AB'.repeat(20)
    const c = parseSignerConfig({ ...base, evm: { ...evm, confirmations: 12, policy: { [token]: { maxPerWithdrawal: '1000', maxPer24h: 'unlimited' } } } }, '/tmp').evm!
    expect(c.confirmations).toBe(12)
    expect([...c.policy.keys()]).toEqual(['0x' + 'ab'.repeat(20)])
    expect(c.policy.get('0x' + 'ab'.repeat(20))).toEqual({ maxPerWithdrawal: 1000n, maxPer24h: null })
  })

  it.each([
    [{ ...evm, vault: '0x12' }, 'evm.vault'],
    [{ ...evm, confirmations: 0 }, 'evm.confirmations'],
    [{ ...evm, policy: { usdc: { maxPerWithdrawal: 1, maxPer24h: 1 } } }, 'evm.policy.usdc'],
    [{ ...evm, policy: { eth: { maxPerWithdrawal: -1, maxPer24h: 1 } } }, 'evm.policy.eth.maxPerWithdrawal'],
    [{ ...evm, surprise: 1 }, 'evm'],
  ])('refuses a bad field (%#) naming %s', (section, path) => {
    expect(() => parseSignerConfig({ ...base, evm: section }, '/tmp')).toThrow(expect.toSatisfy((e) => isCausewayError(e, 'SIGNER_BAD_CONFIG') && String(e.details?.["path"]).startsWith(path)))
  })
})
