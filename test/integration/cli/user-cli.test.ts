// The user commands of the real `causeway` CLI (node cli/bin/causeway.mjs) against one real peg world (bcoin
// regtest, 3 validators, 3 signers) described by a world.json: a peg-in through `pegin address|status|register`,
// a peg-out through `pegout` and `pegout status` to its confirmation on Bitcoin, `status`, `audit` (balanced, and
// a Bitcoin node that lost a federation UTXO), `keys new`, and the coded errors a user meets.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { networks, payments } from 'bitcoinjs-lib'
import { Wallet, parseUnits } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFederation, depositScriptPubKey, encodePegInMemo, federationScriptPubKey } from '../../../peg/bitcoin/index.js'
import { hexToBytes } from '../../../spv/base/bytes.js'
import { bcoinRegtest } from '../../../regtest/bitcoin/network.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { writePegWorldFile } from '../../helpers/peg-world-file.js'
import { startRewriteProxy } from '../../helpers/rpc-rewrite-proxy.js'
import { freePort } from '../../helpers/ports.js'
import { projectRoot } from '../../helpers/testdata.js'
import { main } from '../../../cli/main.js'

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')
const WEI = 10n ** 10n

interface Run {
  code: number
  stdout: string
  stderr: string
  json: Record<string, any> | undefined
}

function causeway(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000, onStderr?: (soFar: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    delete childEnv['CAUSEWAY_KEY']
    if (env['CAUSEWAY_KEY'] !== undefined) childEnv['CAUSEWAY_KEY'] = env['CAUSEWAY_KEY']
    let err = ''
    const child = execFile(process.execPath, [bin, ...args], { cwd: projectRoot, timeout: timeoutMs, env: childEnv }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      if (code === -1) return reject(new Error(`causeway ${args.join(' ')}: ${String(error)}\n${stderr}`))
      let json: Record<string, any> | undefined
      const last = stdout.trim().split('\n').pop() ?? ''
      if (last.startsWith('{')) json = JSON.parse(last) as Record<string, any>
      resolve({ code, stdout, stderr, json })
    })
    if (onStderr !== undefined) child.stderr?.on('data', (d: Buffer) => onStderr((err += d.toString())))
  })
}

describe('causeway --help on every user command', () => {
  it('causeway pegin --help, as a process', async () => {
    const r = await causeway(['pegin', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: causeway pegin')
  }, 60_000)
  // The rest through the CLI's own entry point in this process: the same program, without a start-up each.
  it.each(['pegin address', 'pegin status', 'pegin register', 'pegout', 'pegout status', 'status', 'audit', 'keys', 'keys new'])('causeway %s --help', async (command) => {
    let out = ''
    const code = await main([...command.split(' '), '--help'], { out: (t) => (out += t), err: () => {} })
    expect(code).toBe(0)
    expect(out).toContain(`Usage: causeway ${command}`)
  })
})

describe('causeway user commands against a peg world', () => {
  let w: PegWorld
  let world: string[]
  const tmp = mkdtempSync(path.join(tmpdir(), 'causeway-cli-user-'))
  const user = Wallet.createRandom()
  const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x77), network: bcoinRegtest }).address!
  let deposit: { txid: string }
  let pegOutId: string

  beforeAll(async () => {
    w = await startPegWorld()
    await writePegWorldFile(w)
    world = ['--world', w.dir]
    await (await w.funded.sendTransaction({ to: user.address, value: parseUnits('0.01', 18) }))!.wait()
  }, 300_000)

  afterAll(async () => {
    await w?.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  const bridgeHeight = async () => Number((await w.bridge.getBtcBestBlock!())[1])

  it('keys new: a key, its Bitcoin address, and an encrypted keystore that a wrong passphrase does not open', async () => {
    const r = await causeway(['keys', 'new', '--json', ...world])
    expect(r.code).toBe(0)
    expect(new Wallet(r.json!.privateKey).address).toBe(r.json!.address)
    expect(r.json!.bitcoinAddress).toMatch(/^rb1q/)
    const human = await causeway(['keys', 'new', ...world])
    expect(human.stdout).toMatch(/address:\s+0x[0-9a-fA-F]{40}/)
    const file = path.join(tmp, 'key.json')
    const k = await causeway(['keys', 'new', '--keystore', file, '--json'], { CAUSEWAY_KEYSTORE_PASSPHRASE: 'right horse' })
    expect(k.code).toBe(0)
    expect(k.json!.privateKey).toBeUndefined()
    const again = await causeway(['keys', 'new', '--keystore', file, '--json'], { CAUSEWAY_KEYSTORE_PASSPHRASE: 'right horse' })
    expect(again.json!.error.code).toBe('CLI_FILE_EXISTS')
    const wrong = await causeway(['pegout', payee, '0.001', '--keystore', file, '--json', ...world], { CAUSEWAY_KEYSTORE_PASSPHRASE: 'wrong horse' })
    expect(wrong.code).toBe(1)
    expect(wrong.json!.error.code).toBe('CLI_BAD_PASSPHRASE')
  }, 120_000)

  it('an unreachable node is CLI_NODE_UNREACHABLE naming its URL', async () => {
    const port = await freePort()
    const r = await causeway(['status', '--rpc', `http://127.0.0.1:${port}/`, '--json'])
    expect(r.code).toBe(1)
    expect(r.json!.error.code).toBe('CLI_NODE_UNREACHABLE')
    expect(r.json!.error.message).toContain(`127.0.0.1:${port}`)
    expect(r.stderr).toContain('CLI_NODE_UNREACHABLE')
    const b = await causeway(['audit', ...world, '--bitcoin-rpc', `http://127.0.0.1:${port}/`, '--json'])
    expect(b.json!.error.code).toBe('CLI_NODE_UNREACHABLE')
    expect(b.json!.error.message).toContain(`127.0.0.1:${port}`)
    const none = await causeway(['status', '--world', tmp])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('WORLD_NOT_FOUND')
  }, 120_000)

  it('pegin address: the bridge\'s deposit address, the federation address and the memo; a bad address is refused', async () => {
    const r = await causeway(['pegin', 'address', user.address, '--json', ...world])
    expect(r.code).toBe(0)
    expect(r.json!.depositAddress).toBe(await w.bridge.getDepositAddress!(user.address))
    expect(r.json!.depositAddress).toMatch(/^rb1q/)
    expect(r.json!.federationAddress).toBe(w.federation.address)
    expect(r.json!.memoData).toMatch(/^0x43574159/) // "CWAY"
    expect(r.json!.confirmations).toBe(6)
    const text = await causeway(['pegin', 'address', user.address, ...world])
    expect(text.stdout).toContain(`Send BTC to ${r.json!.depositAddress}`)
    const bad = await causeway(['pegin', 'address', '0x1234', '--json', ...world])
    expect(bad.code).toBe(1)
    expect(bad.json!.error.code).toBe('CLI_BAD_ADDRESS')
  }, 60_000)

  it('a peg-in through the CLI: status shows confirmations n/6, register waits for them and mints, a second register is refused', async () => {
    const fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    const script = depositScriptPubKey(fed, w.fed.chainId, hexToBytes(user.address, 'user', 20))
    const pay = await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: script, valueSats: 50_000_000n }] })
    deposit = { txid: pay.txid }
    const inMempool = await causeway(['pegin', 'status', pay.txid, '--json', ...world])
    expect(inMempool.code).toBe(0)
    expect(inMempool.json).toMatchObject({ seen: 'mempool', confirmations: 0, required: 6, minted: false })
    await w.mine(2)
    const two = await causeway(['pegin', 'status', pay.txid, '--recipient', user.address, '--json', ...world])
    expect(two.json).toMatchObject({ seen: 'block', confirmations: 2, required: 6, registered: false, minted: false, stage: 'confirming' })
    expect(two.json!.outputs).toEqual([expect.objectContaining({ kind: 'deposit', valueSats: '50000000', registered: false })])
    const text = await causeway(['pegin', 'status', pay.txid, '--recipient', user.address, ...world])
    expect(text.stdout).toMatch(/confirmations:\s+2\/6 on Bitcoin/)
    // Without naming the recipient, a deposit-address payment cannot be attributed.
    const unknown = await causeway(['pegin', 'register', pay.txid, '--json', ...world, '--key', user.privateKey])
    expect(unknown.json!.error.code).toBe('CLI_RECIPIENT_UNKNOWN')
    // Register waits (progress on stderr) while the last blocks are mined: they are mined once it says it waits.
    let waiting: () => void = () => {}
    const saidWaiting = new Promise<void>((r) => (waiting = r))
    const registering = causeway(['pegin', 'register', pay.txid, '--recipient', user.address, '--key', user.privateKey, '--json', ...world], {}, 240_000, (soFar) => {
      if (/waiting for (Bitcoin blocks|the bridge's header chain)/.test(soFar)) waiting()
    })
    await Promise.race([saidWaiting, registering])
    await w.mine(4)
    const r = await registering
    expect(r.stderr).toMatch(/waiting for (Bitcoin blocks|the bridge's header chain)/)
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ txid: pay.txid, method: 'registerBtcDeposit', mintedWei: (50_000_000n * WEI).toString() })
    expect(await w.bridge.getHeldDeposits!(user.address)).toBe(0n)
    const again = await causeway(['pegin', 'register', pay.txid, '--recipient', user.address, '--key', user.privateKey, '--json', ...world])
    expect(again.code).toBe(1)
    expect(again.json!.error.code).toBe('PEG_ALREADY_REGISTERED')
    const done = await causeway(['pegin', 'status', pay.txid, '--json', ...world])
    expect(done.json).toMatchObject({ stage: 'minted', registered: true, minted: true, mintedWei: (50_000_000n * WEI).toString() })
    expect(done.json!.confirmations).toBeGreaterThanOrEqual(6)
    const byAddress = await causeway(['pegin', 'status', user.address, '--json', ...world])
    expect(byAddress.json!.depositAddress).toMatch(/^rb1q/)
    expect(byAddress.json!.events).toEqual([expect.objectContaining({ event: 'PegInMinted', txid: pay.txid, valueSats: '50000000' })])
  }, 300_000)

  it('pegin status: a malformed txid and an unknown one', async () => {
    const bad = await causeway(['pegin', 'status', 'xyz', '--json', ...world])
    expect(bad.json!.error.code).toBe('CLI_BAD_TXID')
    const unknown = await causeway(['pegin', 'status', 'ab'.repeat(32), '--json', ...world])
    expect(unknown.code).toBe(1)
    expect(unknown.json!.error.code).toBe('CLI_TX_NOT_FOUND')
  }, 60_000)

  it('pegout to a wrong-network address or of a fraction of a satoshi is refused before anything is burned', async () => {
    expect(deposit).toBeDefined()
    const before = await w.provider.getBalance(user.address)
    const mainnet = payments.p2wpkh({ hash: Buffer.alloc(20, 0x77), network: networks.bitcoin }).address!
    const r = await causeway(['pegout', mainnet, '0.1', '--key', user.privateKey, '--json', ...world])
    expect(r.code).toBe(1)
    expect(r.json!.error.code).toBe('PEG_ADDRESS_WRONG_NETWORK')
    // Without the world's network (explicit --rpc), the bridge's own dry run refuses it with the same code.
    const dry = await causeway(['pegout', mainnet, '0.1', '--key', user.privateKey, '--rpc', w.fed.validators[0]!.rpcUrl, '--json'])
    expect(dry.json!.error.code).toBe('PEG_ADDRESS_WRONG_NETWORK')
    const frac = await causeway(['pegout', payee, '0.123456789', '--key', user.privateKey, '--json', ...world])
    expect(frac.json!.error.code).toBe('CLI_AMOUNT_NOT_WHOLE_SATS')
    expect(await w.provider.getBalance(user.address)).toBe(before)
  }, 120_000)

  it('pegout shows the fee, burns, and pegout status follows it to its confirmation on Bitcoin', async () => {
    const r = await causeway(['pegout', payee, '0.2', '--key', user.privateKey, '--json', ...world])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/fee share: at most 0\.\d{8} BTC/)
    expect(BigInt(r.json!.feeEstimateSats)).toBeGreaterThan(0n)
    expect(BigInt(r.json!.receivesAtLeastSats)).toBe(20_000_000n - BigInt(r.json!.feeEstimateSats))
    pegOutId = r.json!.id
    const first = await causeway(['pegout', 'status', pegOutId, '--json', ...world])
    expect(first.code).toBe(0)
    expect(['requested', 'batched', 'signed']).toContain(first.json!.status)
    expect(first.json!.btcAddress).toBe(payee)
    const signed = await w.waitFor('the batch to be signed', async () => Number((await w.bridge.getPegOut!(BigInt(pegOutId))).status) >= 3, 120_000)
    expect(signed).toBe(true)
    // The quote shown before sending is an upper bound of the share the batch charged (issue 11 item 5).
    expect((await w.bridge.getPegOut!(BigInt(pegOutId))).feeSats as bigint).toBeLessThanOrEqual(BigInt(r.json!.feeEstimateSats))
    const batch = await w.bridge.getBatch!((await w.bridge.getPegOut!(BigInt(pegOutId))).batchId)
    const txid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the batch transaction in bcoin\'s mempool', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 90_000)
    const broadcast = await causeway(['pegout', 'status', pegOutId, '--json', ...world])
    expect(broadcast.json).toMatchObject({ status: 'signed', batch: { txid }, bitcoin: { seen: 'mempool' } })
    await w.mine(6)
    await w.waitFor('the batch to be confirmed on the bridge', async () => Number((await w.bridge.getPegOut!(BigInt(pegOutId))).status) === 4, 120_000)
    const done = await causeway(['pegout', 'status', pegOutId, '--json', ...world])
    expect(done.json).toMatchObject({ status: 'confirmed', batch: { txid, status: 'confirmed' }, bitcoin: { seen: 'block' } })
    expect(done.json!.bitcoin.confirmations).toBeGreaterThanOrEqual(6)
    expect(BigInt(done.json!.receivesSats)).toBe(20_000_000n - BigInt(done.json!.feeSats))
    const text = await causeway(['pegout', 'status', pegOutId, ...world])
    expect(text.stdout).toMatch(/status:\s+confirmed/)
    const unknown = await causeway(['pegout', 'status', '999999', '--json', ...world])
    expect(unknown.code).toBe(1)
    expect(unknown.json!.error.code).toBe('CLI_PEGOUT_UNKNOWN')
  }, 400_000)

  it('status: both chains\' heights, the bridge\'s header height, members online, the queue', async () => {
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()), 120_000)
    const r = await causeway(['status', '--json', ...world])
    expect(r.code).toBe(0)
    expect(r.json!.sidechain.head).toBeGreaterThan(0)
    expect(r.json!.sidechain.finalized).toBeGreaterThan(0)
    expect(r.json!.bitcoin.height).toBe(await w.bcoin.rpc.getBlockCount())
    expect(r.json!.bitcoin.bridgeHeight).toBeGreaterThan(0)
    expect(r.json!.federation.validators.map((v: { online: boolean }) => v.online)).toEqual([true, true, true])
    expect(r.json!.federation.signers).toHaveLength(3)
    expect(r.json!.federation.signers.every((s: { online: boolean }) => s.online)).toBe(true)
    expect(r.json!.queue.pendingPegOutSats).toBe('0')
    const text = await causeway(['status', ...world])
    expect(text.stdout).toMatch(/validator 2: online/)
  }, 120_000)

  it('audit: balanced (exit 0); a Bitcoin node that lost a federation UTXO makes it exit 1 with AUDIT_MISMATCH', async () => {
    const ok = await causeway(['audit', '--json', ...world])
    expect(ok.code).toBe(0)
    expect(ok.json).toMatchObject({ ok: true, findings: [] })
    expect(ok.json!.utxos.length).toBeGreaterThan(0)
    const [fedSats] = await w.bridge.getReserves!()
    expect(ok.json!.reserves.federationSats).toBe(String(fedSats))
    // Every wei is pegged: the coin in the state is exactly minted − burned (issue 11 item 2).
    expect(BigInt(ok.json!.supply.nativeWei)).toBeGreaterThan(0n)
    expect(ok.json!.supply.nativeWei).toBe(ok.json!.supply.mintedMinusBurnedWei)
    expect(ok.json!.supply.unbackedWei).toBe('0')
    const proxy = await startRewriteProxy(w.bcoin.rpcUrl, (method, result) => (method === 'gettxout' ? null : result))
    try {
      const bad = await causeway(['audit', '--json', ...world, '--bitcoin-rpc', proxy.url, '--bitcoin-rpc-user', 'x', '--bitcoin-rpc-password', w.bcoin.apiKey])
      expect(bad.code).toBe(1)
      expect(bad.json).toMatchObject({ ok: false, code: 'AUDIT_MISMATCH' })
      expect(bad.json!.findings.map((f: { code: string }) => f.code)).toContain('AUDIT_UTXO_MISSING')
      expect(bad.stderr).toContain('AUDIT_MISMATCH')
    } finally {
      await proxy.close()
    }
  }, 120_000)

  it('with every signer stopped, pegin register --relay-headers relays the headers itself and registers a memo peg-in', async () => {
    await Promise.all(w.signers.map((s) => s.stop()))
    const carol = Wallet.createRandom()
    const fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    const pay = await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: 30_000_000n }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(carol.address, 'carol', 20) }).subarray(2),
    })
    await w.mine(6)
    // The demo key (the world file's) pays the gas; the memo names the recipient.
    const r = await causeway(['pegin', 'register', pay.txid, '--relay-headers', '--json', ...world], {}, 240_000)
    expect(r.stderr).toContain('relayed Bitcoin headers')
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ method: 'registerBtcTransaction', mintedWei: (30_000_000n * WEI).toString() })
    expect(await w.provider.getBalance(carol.address)).toBe(30_000_000n * WEI)
    expect(await bridgeHeight()).toBe(await w.bcoin.rpc.getBlockCount())
  }, 300_000)
})
