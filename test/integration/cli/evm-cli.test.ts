// The `causeway evm …` commands and the EVM part of `causeway audit`, through the CLI's own entry point (`main`, in
// this process) against one real peg world with an EVM main chain (test/helpers/peg-world.ts, option `evm`: anvil at
// 1 s blocks, the Vault, the bridge's evm section, the three signers each with its EVM duty) plus a 6-decimal token.
// Deposits of ETH and the token, status until attested and minted, register on a registered deposit and on a block
// not yet accepted, a withdrawal followed until paid, the refusals that need the token's decimals or a balance, and
// the audit: balanced, skipped without a main-chain node, short once the vault lost its ETH.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createPublicClient, createWalletClient, erc20Abi, getAddress, http, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../../cli/main.js'
import { writeWorldFile, type WorldFile } from '../../../cli/world-file.js'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { ANVIL_MNEMONIC } from '../../../regtest/evm/anvil.js'
import { deployDemoToken } from '../../../regtest/evm/deploy.js'
import type { RpcNode } from '../../../regtest/evm/rpc-child.js'
import { PASSPHRASE, startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { BridgeClient } from '../../../federation/signer/bridge-client.js'
import { readKeystore } from '../../../federation/keystore.js'
import { fetchEvmHeaderRlp } from '../../../client/evm.js'
import { writePegWorldFile } from '../../helpers/peg-world-file.js'

const MAIN_CHAIN_ID = 31337
const CONFIRMATIONS = 2
const hdKey = (i: number): Hex => toHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!) as Hex

interface Run {
  code: number
  json: Record<string, any>
  out: string
  err: string
}

async function causeway(args: readonly string[]): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) })
  const last = out.trim().split('\n').pop() ?? ''
  return { code, out, err, json: last.startsWith('{') ? (JSON.parse(last) as Record<string, any>) : {} }
}

describe('causeway evm against a peg world with an EVM main chain', () => {
  let w: PegWorld
  let anvil: RpcNode
  let world: string[]
  let vault: Hex
  let token: Hex = '0x'
  let file: WorldFile
  let ethDepositTx: string
  let wrappedEth: string
  let wrappedToken: string
  const demoMain = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 })
  const payee = getAddress('0x00000000000000000000000000000000000abcde')

  beforeAll(async () => {
    w = await startPegWorld({
      evm: {
        chain: 'anvil',
        confirmations: CONFIRMATIONS,
        // The 6-decimal token, deployed once the main chain is up, and a policy for it in every signer's evm section.
        beforeSigners: async (evm) => {
          const t = await deployDemoToken(evm.deployer, { name: 'Demo USD', symbol: 'DUSD', supply: 1_000_000n * 10n ** 6n, holder: demoMain.address })
          token = t.address
          return { [token.toLowerCase()]: { maxPerWithdrawal: '100000000000', maxPer24h: '1000000000000' } }
        },
      },
    })
    const evm = w.evm!
    anvil = evm.node
    vault = getAddress(evm.vault)
    file = {
      ...(await writePegWorldFile(w)),
      evm: {
        rpcUrl: evm.rpc,
        chainId: Number(evm.chainId),
        vault,
        vaultBlock: Number(evm.vaultBlock),
        members: evm.members.map((m) => getAddress(m)),
        threshold: 2,
        confirmations: evm.confirmations,
        tokens: [{ address: token, name: 'Demo USD', symbol: 'DUSD', decimals: 6 }],
        demo: { key: hdKey(1), address: demoMain.address },
      },
    }
    await writeWorldFile(w.dir, file)
    world = ['--world', w.dir]
  }, 400_000)

  afterAll(async () => {
    await w?.close() // stops anvil too
  })

  it('deposit: ETH and the 6-decimal token; the credited amount, nonce and wrapped token; decimals and zero refused first', async () => {
    const tooPrecise = await causeway(['evm', 'deposit', token, '0.0000001', '--json', ...world])
    expect(tooPrecise.code).toBe(1)
    expect(tooPrecise.json.error.code).toBe('CLI_AMOUNT_TOO_PRECISE')
    const zero = await causeway(['evm', 'deposit', 'eth', '0', '--json', ...world])
    expect(zero.json.error.code).toBe('CLI_AMOUNT_ZERO')
    const tooMuch = await causeway(['evm', 'deposit', token, '2000000', '--json', ...world])
    expect(tooMuch.json.error.code).toBe('CLI_EVM_INSUFFICIENT_BALANCE')
    expect(await anvil.rpc('eth_getTransactionCount', [demoMain.address, 'latest'])).toBe('0x0') // nothing sent

    const eth = await causeway(['evm', 'deposit', 'eth', '1.5', '--recipient', w.funded.address, '--json', ...world])
    expect(eth.code, eth.err).toBe(0)
    expect(eth.json).toMatchObject({ nonce: '1', amount: (15n * 10n ** 17n).toString(), recipient: w.funded.address, token: '0x0000000000000000000000000000000000000000' })
    expect(eth.json.wrappedToken).toMatch(/^0x[0-9a-fA-F]{40}$/)
    ethDepositTx = eth.json.mainTx
    wrappedEth = eth.json.wrappedToken

    const tok = await causeway(['evm', 'deposit', token, '25', '--recipient', w.funded.address, ...world])
    expect(tok.code, tok.err).toBe(0)
    expect(tok.out).toMatch(/deposit 2 locked in the vault/)
    expect(tok.out).toMatch(/credited:\s+25 DUSD/)
    expect(tok.err).toContain('approve(')
    wrappedToken = /wrapped token:\s+(0x[0-9a-fA-F]{40})/.exec(tok.out)![1]!
  }, 120_000)

  it('status of a deposit: confirmations, attested n/k, accepted, then minted by the signers\' relay', async () => {
    const first = await causeway(['evm', 'status', ethDepositTx, '--json', ...world])
    expect(first.code, first.err).toBe(0)
    expect(first.json).toMatchObject({ kind: 'deposit', header: { threshold: 2 } })
    expect(first.json.confirmations).toBeGreaterThanOrEqual(1)
    const done = await w.waitFor(
      'the ETH deposit minted',
      async () => {
        const r = await causeway(['evm', 'status', ethDepositTx, '--json', ...world])
        return r.json.minted === true ? r : undefined
      },
      120_000,
    )
    expect(done.json.header.accepted).toBe(true)
    expect(done.json.header.attestations).toBeGreaterThanOrEqual(2)
    expect(done.json.deposits[0]).toMatchObject({ nonce: '1', minted: true, wrappedToken: wrappedEth })
    const text = await causeway(['evm', 'status', ethDepositTx, ...world])
    expect(text.out).toMatch(/header attested:\s+[23]\/2, accepted/)
    expect(text.out).toMatch(/stage:\s+minted/)
  }, 150_000)

  it('register on a registered deposit says so and exits 0, sending nothing', async () => {
    const r = await causeway(['evm', 'register', ethDepositTx, '--json', ...world])
    expect(r.code, r.err).toBe(0)
    expect(r.json).toMatchObject({ alreadyRegistered: true, deposits: [{ nonce: '1', alreadyRegistered: true, sidechainTx: null }] })
  }, 60_000)

  it('status of an address: its wrapped balances', async () => {
    await w.waitFor('the token deposit minted', async () => (await causeway(['evm', 'status', w.funded.address, '--json', ...world])).json.balances?.length === 2, 120_000)
    const r = await causeway(['evm', 'status', w.funded.address, '--json', ...world])
    expect(r.json.balances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ wrappedToken: wrappedEth, symbol: 'cwETH', balance: (15n * 10n ** 17n).toString() }),
        expect.objectContaining({ wrappedToken: wrappedToken, symbol: 'cwDUSD', decimals: 6, balance: '25000000' }),
      ]),
    )
    expect(r.json.pendingWithdrawals).toEqual([])
  }, 150_000)

  it('withdraw: refusals before sending, then a withdrawal followed until the vault paid it', async () => {
    const unknown = await causeway(['evm', 'withdraw', token, '1', payee, '--json', ...world])
    expect(unknown.json.error.code).toBe('CLI_EVM_UNKNOWN_TOKEN')
    const zero = await causeway(['evm', 'withdraw', wrappedEth, '0', payee, '--json', ...world])
    expect(zero.json.error.code).toBe('CLI_AMOUNT_ZERO')
    const over = await causeway(['evm', 'withdraw', wrappedToken, '26', payee, '--json', ...world])
    expect(over.json.error.code).toBe('CLI_EVM_INSUFFICIENT_BALANCE')
    const r = await causeway(['evm', 'withdraw', wrappedEth, '0.5', payee, '--wait', '--json', ...world])
    expect(r.code, r.err).toBe(0)
    expect(r.json).toMatchObject({ id: '1', amount: (5n * 10n ** 17n).toString(), mainRecipient: payee, status: 'paid' })
    expect(r.json.vaultTx).toMatch(/^0x[0-9a-f]{64}$/)
    expect(BigInt(await anvil.rpc('eth_getBalance', [payee, 'latest']))).toBe(5n * 10n ** 17n)
    const s = await causeway(['evm', 'status', '1', '--json', ...world])
    expect(s.json).toMatchObject({ kind: 'withdrawal', status: 'paid', paid: true, threshold: 2, vaultTx: r.json.vaultTx, amountText: '0.5' })
    expect(s.json.signatures).toBeGreaterThanOrEqual(2)
    const none = await causeway(['evm', 'status', '99', '--json', ...world])
    expect(none.json.error.code).toBe('CLI_EVM_WITHDRAWAL_UNKNOWN')
  }, 240_000)

  it('register: a block not yet accepted is refused saying n of k attested; once k did, it relays the user\'s own proof and mints', async () => {
    // No signer runs, so no one else attests or relays: the members' attestations are made here, one at a time.
    await Promise.all(w.signers.map((s) => s.stop()))
    try {
      // An allowance that already covers the amount: the deposit sends no approve of its own.
      const demo = createWalletClient({ account: demoMain, chain: { id: MAIN_CHAIN_ID, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.url] } } }, transport: http(anvil.url) })
      const approved = await demo.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [vault, 10n ** 12n] })
      await createPublicClient({ transport: http(anvil.url) }).waitForTransactionReceipt({ hash: approved })
      const dep = await causeway(['evm', 'deposit', token, '3', '--recipient', w.funded.address, '--json', ...world])
      expect(dep.code, dep.err).toBe(0)
      expect(dep.err).toContain('no approve')
      expect(dep.err).not.toContain('approve(')
      const tx = dep.json.mainTx as string
      const none = await causeway(['evm', 'register', tx, '--json', ...world])
      expect(none.code).toBe(1)
      expect(none.json.error).toMatchObject({ code: 'CLI_EVM_HEADER_NOT_ACCEPTED', details: { attestations: 0, threshold: 2 } })
      const main = createPublicClient({ transport: http(anvil.url) })
      const rlp = toHex(await fetchEvmHeaderRlp(main, { hash: hexToBytes(dep.json.mainBlockHash as string, 'hash', 32) }))
      const attest = async (i: number) => {
        const k = await readKeystore(w.federation.files.keystores[i]!, PASSPHRASE)
        const member = new BridgeClient(w.fed.validators[0]!.rpcUrl, toHex(k.privateKey), w.fed.chainId)
        try {
          const sent = await member.send('attestEvmHeader', [BigInt(MAIN_CHAIN_ID), rlp])
          expect('hash' in sent && (await sent.mined)).toBe(true)
        } finally {
          member.close()
        }
      }
      await attest(0)
      const one = await causeway(['evm', 'register', tx, '--json', ...world])
      expect(one.json.error).toMatchObject({ code: 'CLI_EVM_HEADER_NOT_ACCEPTED', details: { attestations: 1, threshold: 2 } })
      await attest(1)
      const r = await causeway(['evm', 'register', tx, '--json', ...world])
      expect(r.code, r.err).toBe(0)
      expect(r.json).toMatchObject({ alreadyRegistered: false, deposits: [{ nonce: '3', alreadyRegistered: false }] })
      expect(r.json.deposits[0].sidechainTx).toMatch(/^0x[0-9a-f]{64}$/)
      const st = await causeway(['evm', 'status', tx, '--json', ...world])
      expect(st.json).toMatchObject({ minted: true, header: { attestations: 2, threshold: 2, accepted: true } })
    } finally {
      await Promise.all(w.signers.map((s) => s.start()))
    }
  }, 180_000)

  it('audit: balanced (exit 0), then exit 1 AUDIT_MISMATCH once the vault holds less ETH than supply + pending', async () => {
    const ok = await causeway(['audit', '--json', ...world])
    expect(ok.code, ok.err).toBe(0)
    expect(ok.json.evm).toMatchObject({ ran: true, vault })
    expect(ok.json.evm.tokens).toHaveLength(2)
    const eth = ok.json.evm.tokens.find((t: { symbol: string }) => t.symbol === 'cwETH')
    expect(BigInt(eth.locked)).toBe(BigInt(eth.supply) + BigInt(eth.pending))
    expect(BigInt(eth.vaultBalance)).toBeGreaterThanOrEqual(BigInt(eth.supply))
    // The same world described without its evm section: the EVM part is skipped, and the audit says so.
    const { evm: _evm, ...withoutEvm } = file
    const bare = mkdtempSync(path.join(tmpdir(), 'causeway-evm-cli-'))
    try {
      await writeWorldFile(bare, withoutEvm)
      const skipped = await causeway(['audit', '--json', '--world', bare])
      expect(skipped.code, skipped.err).toBe(0)
      expect(skipped.json.evm).toMatchObject({ ran: false })
      expect(skipped.json.evm.skipped).toMatch(/no main-chain node/)
      expect(skipped.err).toContain('EVM peg not audited')
    } finally {
      rmSync(bare, { recursive: true, force: true })
    }
    await anvil.rpc('anvil_setBalance', [vault, '0x1'])
    const short = await causeway(['audit', '--json', ...world])
    expect(short.code).toBe(1)
    expect(short.json.code).toBe('AUDIT_MISMATCH')
    expect(short.json.findings.map((f: { code: string }) => f.code)).toContain('AUDIT_EVM_VAULT_SHORT')
  }, 120_000)
})
