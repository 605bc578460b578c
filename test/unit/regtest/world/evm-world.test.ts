// The local world's EVM parts that need no process: anvil's port offset, world.json's optional `evm` section (an
// older file without it still parses), the table's main-chain rows (or the line saying there is no EVM peg), and a
// setup.json from before the EVM peg read back without one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { worldFileSchema, type WorldFile } from '../../../../cli/world-file.js'
import { allPorts, worldLayout, worldPorts } from '../../../../regtest/world/layout.js'
import { worldTable } from '../../../../regtest/world/table.js'
import { readSetup } from '../../../../regtest/world/setup.js'
import { worldEvmPolicy } from '../../../../regtest/world/evm-setup.js'
import { evmSectionSchema, evmSignerConfig } from '../../../../federation/signer/evm/config.js'

const base: WorldFile = {
  version: 1,
  chainId: '13239777',
  sidechain: { rpcUrl: 'http://127.0.0.1:8545/', wsUrl: 'ws://127.0.0.1:8545/', quorum: 3, validators: [{ rpcUrl: 'http://127.0.0.1:8545/', wsUrl: 'ws://127.0.0.1:8545/', p2pUrl: 'http://127.0.0.1:8555/', metricsUrl: 'http://127.0.0.1:8545/metrics' }] },
  bitcoin: { rpcUrl: 'http://127.0.0.1:8575/', rpcUser: 'x', rpcPassword: 'p', network: 'regtest', bech32: 'rb', confirmations: 6 },
  signers: [{ index: 0, healthUrl: 'http://127.0.0.1:8565/health', metricsUrl: 'http://127.0.0.1:8565/metrics' }],
  federation: { address: 'rb1q…', descriptor: 'wsh(…)', threshold: 3, members: [] },
  demo: { sidechainKey: `0x${'11'.repeat(32)}`, sidechainAddress: `0x${'22'.repeat(20)}`, bitcoinSeed: 's', bitcoinAddress: 'rb1q…' },
  blockIntervalMs: 5000,
}
const evm = {
  rpcUrl: 'http://127.0.0.1:8585/',
  chainId: 31337,
  vault: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  vaultBlock: 3,
  members: ['0xC547254a8Cebf0bB97258DDA851757D13f15b1a3'],
  threshold: 1,
  confirmations: 5,
  tokens: [{ address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', name: 'Demo USD', symbol: 'DUSD', decimals: 6 }],
  demo: { key: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
}

describe('the world\'s EVM main chain, without processes', () => {
  it('anvil answers at base + 40; a world without EVM does not claim that port', () => {
    const p = worldPorts(8545)
    expect(p.anvil).toBe(8585)
    expect(allPorts(p)).toContain(8585)
    expect(allPorts(p, false)).not.toContain(8585)
    expect(new Set(allPorts(p)).size).toBe(allPorts(p).length)
  })

  it('world.json: the evm section is optional (older files parse) and checked when present', () => {
    expect(worldFileSchema.safeParse(base).success).toBe(true)
    expect(worldFileSchema.parse({ ...base, evm }).evm?.vault).toBe(evm.vault)
    const bad = worldFileSchema.safeParse({ ...base, evm: { ...evm, vault: '0x1234' } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]!.path).toEqual(['evm', 'vault'])
  })

  it('the table prints the main chain\'s RPC, chain id, vault and tokens, or says there is no EVM peg', () => {
    const t = worldTable({ ...base, evm }, { dir: '/d', readySeconds: 1, fresh: true })
    for (const s of [evm.rpcUrl, 'chain id 31337', evm.vault, evm.tokens[0]!.address, 'DUSD', evm.demo.address, evm.demo.key]) expect(t).toContain(s)
    expect(worldTable(base, { dir: '/d', readySeconds: 1, fresh: false })).toContain('EVM main chain  none')
  })

  it('the signers\' policy the world writes parses, caps ETH and the demo token, and refuses other tokens', () => {
    const token = evm.tokens[0]!.address
    const c = evmSignerConfig(evmSectionSchema.parse({ rpcUrl: evm.rpcUrl, chainId: 31337, vault: evm.vault, confirmations: 5, policy: worldEvmPolicy(token) }))
    expect(c.policy.get('eth')).toEqual({ maxPerWithdrawal: 10n * 10n ** 18n, maxPer24h: 100n * 10n ** 18n })
    expect(c.policy.get(token.toLowerCase())).toEqual({ maxPerWithdrawal: 100_000n * 10n ** 6n, maxPer24h: 1_000_000n * 10n ** 6n })
    expect(c.policy.size).toBe(2)
  })

  it('a setup.json from before the EVM peg is read back without an evm section', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-setup-'))
    try {
      const layout = worldLayout(dir)
      const old = { version: 2, createdAt: 'x', basePort: 8545, bitcoinApiKey: 'k', passphrase: 'p', demo: { sidechainKey: '0x', sidechainAddress: '0x', bitcoinSeed: 's' }, federation: { address: 'a', descriptor: 'd', threshold: 3, validatorQuorum: 3, memberAddresses: [], validatorPubkeys: [], keystores: [], validatorKeys: [] }, chain: {} }
      writeFileSync(layout.setup, JSON.stringify(old))
      const s = await readSetup(layout)
      expect(s?.evm).toBeUndefined()
      writeFileSync(layout.setup, JSON.stringify({ ...old, evm: { bogus: true } }))
      await expect(readSetup(layout)).rejects.toMatchObject({ code: 'WORLD_BAD_SETUP' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
