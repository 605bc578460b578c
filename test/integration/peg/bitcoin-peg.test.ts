// The Bitcoin peg end to end with real processes: bcoin regtest, three validators (threshold 2) whose chain has the
// bridge, three signer daemons. Transactions are built and signed with bitcoinjs-lib (the demo wallet).
import { payments } from 'bitcoinjs-lib'
import { Contract, Wallet, parseUnits, type JsonRpcProvider, type Signer } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../spv/base/bytes.js'
import { buildBatch, depositScriptPubKey, encodePegInMemo, federationScriptPubKey, createFederation, type FederationUtxo, type PegOutRequest } from '../../../peg/bitcoin/index.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { startRewriteProxy } from '../../helpers/rpc-rewrite-proxy.js'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { toHex } from '../../../spv/base/bytes.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { bcoinRegtest } from '../../../regtest/bitcoin/network.js'

const WEI = 10n ** 10n

describe('Bitcoin peg with bcoin, 3 validators and 3 signers', () => {
  let w: PegWorld
  let fed: ReturnType<typeof createFederation>
  const alice = Wallet.createRandom()
  const bob = Wallet.createRandom()

  beforeAll(async () => {
    w = await startPegWorld()
    fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    // Gas money for the users: pegged coin of the world's funded account.
    for (const to of [alice.address, bob.address]) await (await w.funded.sendTransaction({ to, value: parseUnits('0.01', 18) }))!.wait()
  }, 240_000)

  afterAll(async () => {
    await w?.close()
  })

  /** `from` pegs `sats` out to a P2WPKH payee whose hash is 20 × `payeeByte`; returns the request id and payee. */
  async function pegOut(from: { connect(p: JsonRpcProvider): Signer }, payeeByte: number, sats: bigint): Promise<{ id: bigint; payee: ReturnType<typeof payments.p2wpkh> }> {
    const payee = payments.p2wpkh({ hash: Buffer.alloc(20, payeeByte), network: bcoinRegtest })
    const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, from.connect(w.provider))
    const receipt = await (await c.pegOut!(payee.address!, { value: sats * WEI })).wait()
    return { id: w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint, payee }
  }

  async function bridgeHeight(): Promise<number> {
    return Number((await w.bridge.getBtcBestBlock!())[1])
  }

  it('relays Bitcoin headers to the bridge', async () => {
    const tip = await w.bcoin.rpc.getBlockCount()
    await w.waitFor('the bridge to reach the Bitcoin tip', async () => (await bridgeHeight()) >= tip, 120_000)
  }, 180_000)

  it('peg-in of 1 BTC to a deposit address: one block early refused with a code, then minted exactly 10^18 wei once', async () => {
    const recipient = hexToBytes(alice.address, 'alice', 20)
    const depositAddress = await w.bridge.getDepositAddress!(alice.address)
    expect(depositAddress.startsWith('rb1q')).toBe(true)
    const script = depositScriptPubKey(fed, w.fed.chainId, recipient)
    expect(payments.p2wsh({ output: Buffer.from(script), network: bcoinRegtest }).address).toBe(depositAddress)
    const pay = await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: script, valueSats: 100_000_000n }] })
    await w.mine(5)
    const blockHash = (await w.bcoin.rpc.getTransactionBlockHash(pay.txid))!
    const proof = await w.bcoin.rpc.getTxOutProof([pay.txid], blockHash)
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()))
    const asAlice = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, alice.connect(w.provider))
    // ethers decodes custom errors of calls (not of gas estimates): ask as a call.
    await expect(asAlice.registerBtcDeposit!.staticCall(pay.raw, proof, alice.address)).rejects.toMatchObject({
      revert: { name: 'BridgeError', args: ['PEG_NOT_ENOUGH_CONFIRMATIONS', expect.any(String)] },
    })
    expect(await w.provider.getBalance(alice.address)).toBe(parseUnits('0.01', 18))
    await w.mine(1)
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()))
    const receipt = await (await asAlice.registerBtcDeposit!(pay.raw, proof, alice.address)).wait()
    expect(receipt.status).toBe(1)
    expect(await w.provider.getBalance(alice.address)).toBe(parseUnits('0.01', 18) + 10n ** 18n - BigInt(receipt.gasUsed) * BigInt(receipt.gasPrice))
    await expect(asAlice.registerBtcDeposit!.staticCall(pay.raw, proof, alice.address)).rejects.toMatchObject({
      revert: { args: ['PEG_ALREADY_REGISTERED', expect.any(String)] },
    })
    // A wrong merkle path (one hash of the proof changed) and a transaction paying no federation script.
    const forged = Buffer.from(proof)
    forged[80 + 4 + 1 + 5]! ^= 0xff
    await expect(asAlice.registerBtcDeposit!.staticCall(pay.raw, forged, alice.address)).rejects.toMatchObject({ revert: { args: [expect.stringMatching(/^SPV_/), expect.any(String)] } })
    const own = await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: w.wallet.scriptPubKey, valueSats: 1_000_000n }] })
    await w.mine(6)
    const ownProof = await w.bcoin.rpc.getTxOutProof([own.txid])
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()))
    await expect(asAlice.registerBtcTransaction!.staticCall(own.raw, ownProof)).rejects.toMatchObject({ revert: { args: ['PEG_NO_FEDERATION_OUTPUT', expect.any(String)] } })
    // A 64-byte transaction (one segwit input, one 4-byte OP_RETURN output, no change): bcoin mines it, the bridge
    // refuses its proof whatever it pays (its txid could pass for an inner merkle node).
    const small = await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: w.wallet.scriptPubKey, valueSats: 1_500n }] })
    const tx64 = await w.wallet.pay(w.bcoin.rpc, {
      outputs: [],
      opReturn: Uint8Array.of(0xca, 0x5e),
      feeRate: 10,
      inputs: [{ txid: small.txid, vout: 0, valueSats: 1_500n, height: null, coinbase: false }],
    })
    const { Transaction } = await import('bitcoinjs-lib')
    expect(Transaction.fromBuffer(Buffer.from(tx64.raw)).byteLength(false)).toBe(64)
    await w.mine(6)
    const proof64 = await w.bcoin.rpc.getTxOutProof([tx64.txid])
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()))
    await expect(asAlice.registerBtcTransaction!.staticCall(tx64.raw, proof64)).rejects.toMatchObject({ revert: { args: ['SPV_TX_64_BYTES', expect.any(String)] } })
    const [fedSats, supply] = await w.bridge.getReserves!()
    // The world's own funding peg-in (peg-world.ts) and alice's 1 BTC.
    expect(fedSats).toBe(w.fundedSats + 100_000_000n)
    expect(supply).toBe(w.fundedSats * WEI + 10n ** 18n)
  }, 180_000)

  it('the OP_RETURN form is relayed by the signers and minted the same way', async () => {
    const before = await w.provider.getBalance(bob.address)
    await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: 50_000_000n }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(bob.address, 'bob', 20) }).subarray(2),
    })
    await w.mine(6)
    await w.waitFor('the signers to register the memo peg-in', async () => (await w.provider.getBalance(bob.address)) === before + 50_000_000n * WEI, 90_000)
  }, 180_000)

  async function reserves(): Promise<{ fed: bigint; supply: bigint; pending: bigint }> {
    const [fed, supply, pending] = await w.bridge.getReserves!()
    return { fed, supply, pending }
  }

  async function expectBalanced(): Promise<void> {
    const r = await reserves()
    expect(r.fed * WEI).toBe(r.supply + r.pending * WEI)
  }

  it('peg-out of 0.4 BTC while one signer is stopped: batched, signed by two, broadcast, confirmed; reserves balance at every step', async () => {
    await w.signers[2]!.stop()
    await expectBalanced()
    const before = await reserves()
    const { id, payee } = await pegOut(alice, 0x5a, 40_000_000n)
    await expectBalanced()
    expect((await reserves()).pending).toBe(before.pending + 40_000_000n)
    const signed = await w.waitFor('the batch to be signed', async () => {
      const q = await w.bridge.getPegOut!(id)
      return Number(q.status) >= 3 ? q : undefined
    }, 90_000)
    await expectBalanced()
    const batch = await w.bridge.getBatch!(signed.batchId)
    expect(Number(batch.signers) & 4).toBe(0) // member 2 did not sign
    const txid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the batch transaction in bcoin\'s mempool', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 60_000)
    await w.mine(6)
    await w.waitFor('the batch to be confirmed on the bridge', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 90_000)
    const raw = await w.bcoin.rpc.getRawTransaction(txid)
    const { Transaction } = await import('bitcoinjs-lib')
    const tx = Transaction.fromBuffer(Buffer.from(raw))
    const out = tx.outs.find((o) => Buffer.from(o.script).equals(payee.output!))!
    const feeShare = (await w.bridge.getPegOut!(id)).feeSats as bigint
    expect(BigInt(out.value)).toBe(40_000_000n - feeShare)
    expect(feeShare).toBeGreaterThan(0n)
    const changeVout = tx.outs.length - 1
    expect(Buffer.from(tx.outs[changeVout]!.script).equals(Buffer.from(federationScriptPubKey(fed)))).toBe(true)
    expect(await w.bridge.isBtcOutpointRegistered!(batch.txid, changeVout)).toBe(true)
    const after = await reserves()
    expect(after.pending).toBe(before.pending)
    expect(after.fed).toBe(before.fed - 40_000_000n)
    await expectBalanced()
    await w.signers[2]!.start()
  }, 300_000)

  it('fifty peg-outs from ten accounts within one interval leave as one transaction with fifty outputs and one change', async () => {
    const users = Array.from({ length: 10 }, () => Wallet.createRandom().connect(w.provider))
    const asAlice = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, alice.connect(w.provider))
    // Fund ten accounts with pegged BTC from alice (and gas).
    let nonce = await w.provider.getTransactionCount(alice.address)
    const funding = await Promise.all(users.map((u) => alice.connect(w.provider).sendTransaction({ to: u.address, value: 1_000_000n * WEI * 5n + parseUnits('0.001', 18), nonce: nonce++ })))
    await Promise.all(funding.map((t) => t.wait()))
    void asAlice
    const payees = Array.from({ length: 50 }, (_, i) => payments.p2wpkh({ hash: Buffer.alloc(20, i + 1), network: bcoinRegtest }))
    const sent = await Promise.all(
      users.flatMap((u, ui) => {
        const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, u)
        return Array.from({ length: 5 }, (_, j) => c.pegOut!(payees[ui * 5 + j]!.address!, { value: 900_000n * WEI, nonce: j }))
      }),
    )
    const receipts = await Promise.all(sent.map((t) => t.wait()))
    const ids = receipts.map((r) => w.bridge.interface.parseLog(r.logs[0])!.args.id as bigint)
    const first = await w.waitFor('all fifty to be batched', async () => {
      const qs = await Promise.all(ids.map((id) => w.bridge.getPegOut!(id)))
      return qs.every((q) => Number(q.status) >= 2) ? qs : undefined
    }, 90_000)
    const batchIds = new Set(first.map((q) => q.batchId as bigint))
    expect(batchIds.size).toBe(1)
    const batch = await w.bridge.getBatch!([...batchIds][0]!)
    const { Transaction } = await import('bitcoinjs-lib')
    const tx = Transaction.fromBuffer(Buffer.from(batch.unsignedTx.slice(2), 'hex'))
    expect(tx.outs.length).toBe(51)
    expect(Buffer.from(tx.outs[50]!.script).equals(Buffer.from(federationScriptPubKey(fed)))).toBe(true)
    await expectBalanced()
    // It is signed, broadcast and confirmed like any batch.
    const txid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the broadcast', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 90_000)
    await w.mine(6)
    await w.waitFor('the confirmation', async () => Number((await w.bridge.getPegOut!(ids[0]!)).status) === 4, 90_000)
    expect((await reserves()).pending).toBe(0n)
    await expectBalanced()
  }, 300_000)

  it('round trip: peg in X, peg out X — the user gets X less the announced fee share; supply and reserves return to where they were', async () => {
    const dave = Wallet.createRandom().connect(w.provider)
    await (await w.funded.sendTransaction({ to: dave.address, value: parseUnits('0.01', 18) }))!.wait()
    const start = await reserves()
    const X = 30_000_000n
    await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: X }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(dave.address, 'dave', 20) }).subarray(2),
    })
    await w.mine(6)
    const gas0 = parseUnits('0.01', 18)
    await w.waitFor('the peg-in', async () => (await w.provider.getBalance(dave.address)) === gas0 + X * WEI, 90_000)
    const mid = await reserves()
    expect(mid.fed).toBe(start.fed + X)
    expect(mid.supply).toBe(start.supply + X * WEI)
    const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0xda), network: bcoinRegtest })
    const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, dave)
    const receipt = await (await c.pegOut!(payee.address!, { value: X * WEI })).wait()
    const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
    const q = await w.waitFor('the peg-out to be signed', async () => {
      const r = await w.bridge.getPegOut!(id)
      return Number(r.status) >= 3 ? r : undefined
    }, 90_000)
    const batch = await w.bridge.getBatch!(q.batchId)
    const txid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the broadcast', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 60_000)
    await w.mine(6)
    await w.waitFor('the confirmation', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 90_000)
    const { Transaction } = await import('bitcoinjs-lib')
    const tx = Transaction.fromBuffer(Buffer.from(await w.bcoin.rpc.getRawTransaction(txid)))
    const paid = BigInt(tx.outs.find((o) => Buffer.from(o.script).equals(payee.output!))!.value)
    const share = (await w.bridge.getPegOut!(id)).feeSats as bigint
    expect(paid).toBe(X - share)
    // Every fee accounted for: inputs − outputs of the batch = its fee = the sum of its requests' shares.
    let inputs = 0n
    for (const input of tx.ins) {
      const prev = Transaction.fromBuffer(Buffer.from(await w.bcoin.rpc.getRawTransaction(Buffer.from(input.hash).reverse().toString('hex'))))
      inputs += BigInt(prev.outs[input.index]!.value)
    }
    const outputs = tx.outs.reduce((s, o) => s + BigInt(o.value), 0n)
    expect(inputs - outputs).toBe(batch.feeSats as bigint)
    const end = await reserves()
    expect(end).toEqual(start)
    // Side-chain gas went to the fee address (nothing burned): the user's native balance is its gas money less gas.
    expect(await w.provider.getBalance(dave.address)).toBeLessThan(gas0)
  }, 300_000)

  it('a signer shown a batch that differs from its own recomputation refuses it with a coded reason in its log', async () => {
    const { Transaction } = await import('bitcoinjs-lib')
    const kinds = ['amount', 'extra-output', 'foreign-input'] as const
    let kind: (typeof kinds)[number] = 'amount'
    // Only the round's own batches are tampered: earlier ones reach the signer's ledger as they are, so what it
    // refuses is the tampering, not a change output it was shown under another txid (which batch spends which
    // UTXO depends on the whole set, e.g. the test account's funding peg-in).
    let tamperFrom = 0n
    const event = w.bridge.interface.getEvent('PegOutBatched')!
    const proxy = await startRewriteProxy(w.fed.validators[2]!.rpcUrl, (method, result) => {
      if (method !== 'eth_getLogs' || !Array.isArray(result)) return result
      return result.map((log: { topics: string[]; data: string }) => {
        if (log.topics[0] !== event.topicHash) return log
        const parsed = w.bridge.interface.parseLog(log)!
        if ((parsed.args.batchId as bigint) < tamperFrom) return log
        const tx = Transaction.fromBuffer(Buffer.from((parsed.args.unsignedTx as string).slice(2), 'hex'))
        if (kind === 'amount') tx.outs[0]!.value -= 1000n
        if (kind === 'extra-output') tx.addOutput(Buffer.from(payments.p2wpkh({ hash: Buffer.alloc(20, 0xee) }).output!), 5000n)
        if (kind === 'foreign-input') tx.ins[0]!.hash = Buffer.alloc(32, 0xab)
        const args = [...parsed.args]
        args[2] = tx.toBuffer()
        const encoded = w.bridge.interface.encodeEventLog(event, args)
        return { ...log, data: encoded.data, topics: encoded.topics }
      })
    })
    // Signer 2 restarts behind the tampering proxy (with a fresh log, so it reads every batch event again).
    const s2 = w.signers[2]!
    await s2.stop()
    const { readFileSync, writeFileSync } = await import('node:fs')
    const config = JSON.parse(readFileSync(s2.configFile, 'utf8'))
    writeFileSync(s2.configFile, JSON.stringify({ ...config, sidechain: { rpcUrl: proxy.url }, datadir: config.datadir + '-tampered' }))
    const expected = { amount: 'PEG_BATCH_AMOUNT_MISMATCH', 'extra-output': 'PEG_BATCH_EXTRA_OUTPUT', 'foreign-input': 'PEG_BATCH_FOREIGN_INPUT' }
    try {
      for (const k of kinds) {
        kind = k
        const batched = await w.bridge.queryFilter(w.bridge.filters.PegOutBatched!())
        const ids = batched.map((l) => w.bridge.interface.parseLog(l)!.args.batchId as bigint)
        tamperFrom = ids.reduce((m, id) => (id > m ? id : m), 0n) + 1n
        const mark = s2.output().length
        await s2.start()
        const { id } = await pegOut(alice, 0x70 + kinds.indexOf(k), 2_000_000n)
        // The two honest signers sign it; the tampered one refuses, with the code in its log.
        await w.waitFor('the batch signed by the others', async () => Number((await w.bridge.getPegOut!(id)).status) >= 3, 90_000)
        await w.waitFor(`signer 2 to refuse (${k})`, async () => s2.output().slice(mark).includes(`"code":"${expected[k]}"`), 30_000)
        const batch = await w.bridge.getBatch!((await w.bridge.getPegOut!(id)).batchId)
        expect(Number(batch.signers) & 4).toBe(0)
        await s2.stop()
        writeFileSync(s2.configFile, JSON.stringify({ ...config, sidechain: { rpcUrl: proxy.url }, datadir: config.datadir + '-tampered-' + k }))
        await w.mine(6)
      }
    } finally {
      writeFileSync(s2.configFile, JSON.stringify(config))
      await s2.start()
      await proxy.close()
    }
  }, 400_000)

  it('a signer killed with SIGKILL mid-batch finishes it after restart; the transaction is broadcast once', async () => {
    await w.signers[1]!.stop()
    await w.signers[2]!.stop()
    const { id } = await pegOut(alice, 0x99, 2_000_000n)
    const batchId = await w.waitFor('the batch', async () => {
      const r = await w.bridge.getPegOut!(id)
      return Number(r.status) >= 2 ? (r.batchId as bigint) : undefined
    }, 60_000)
    await w.waitFor('signer 0 to sign', async () => (Number((await w.bridge.getBatch!(batchId)).signers) & 1) === 1, 60_000)
    const s1 = w.signers[1]!
    const mark = s1.output().length
    await s1.start()
    // Kill it the moment its log shows the signature written (before or while it is being submitted).
    await w.waitFor('signer 1 to sign', async () => s1.output().slice(mark).includes('"signed a batch"'), 60_000)
    await s1.kill('SIGKILL')
    const afterKill = s1.output().length
    await s1.start()
    await w.waitFor('the batch to be complete', async () => Number((await w.bridge.getPegOut!(id)).status) >= 3, 60_000)
    expect(s1.output().slice(afterKill)).not.toContain('"signed a batch"') // it resubmitted from its log, no second signing
    const batch = await w.bridge.getBatch!(batchId)
    const txid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the broadcast', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 60_000)
    await w.mine(6)
    await w.waitFor('the confirmation', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 90_000)
    const broadcasts = w.signers.map((s) => s.output().split('\n').filter((l) => l.includes('broadcast a batch transaction') && l.includes(txid)).length)
    expect(broadcasts.reduce((a, b) => a + b, 0)).toBe(1)
    await w.signers[2]!.start()
  }, 300_000)

  it('a signer shown a second batch spending an outpoint it already signed refuses it (SIGNER_DOUBLE_SPEND)', async () => {
    // Batch B is signed by members 0 and 2 (member 1 stopped).
    await w.signers[0]!.start()
    await w.signers[2]!.start()
    await w.signers[1]!.stop()
    const { id } = await pegOut(alice, 0x3d, 1_000_000n)
    const batchId = await w.waitFor('the batch signed by members 0 and 2', async () => {
      const r = await w.bridge.getPegOut!(id)
      return Number(r.status) >= 3 ? (r.batchId as bigint) : undefined
    }, 90_000)
    expect(Number((await w.bridge.getBatch!(batchId)).signers) & 4).toBe(4)
    await w.signers[1]!.start()

    // The bridge's own history, read as a signer would: B's event, its requests, the UTXOs it spends.
    const iface = w.bridge.interface
    const chainId = (await w.provider.getNetwork()).chainId
    const logs = (await w.provider.getLogs({ address: toHex(BRIDGE_ADDRESS), fromBlock: 0 })).map((l) => ({ raw: l, parsed: iface.parseLog(l)! }))
    const batched = logs.find((l) => l.parsed.name === 'PegOutBatched' && l.parsed.args.batchId === batchId)!
    const utxos = new Map<string, FederationUtxo>()
    const requests = new Map<bigint, PegOutRequest>()
    const counts = new Map<bigint, number>()
    for (const { parsed } of logs) {
      const a = parsed.args
      if (parsed.name === 'PegInMinted' || parsed.name === 'PegInRefused') {
        utxos.set(`${a.txid}:${a.vout}`, { txid: hexToBytes(a.txid, 'txid'), vout: Number(a.vout), valueSats: a.valueSats, recipient: a.depositAddress ? hexToBytes(a.recipient, 'recipient', 20) : null })
      }
      if (parsed.name === 'PegOutBatched') counts.set(a.batchId, Number(a.requestCount))
      if (parsed.name === 'PegOutConfirmed' && a.changeSats > 0n) {
        const vout = counts.get(a.batchId)!
        utxos.set(`${a.txid}:${vout}`, { txid: hexToBytes(a.txid, 'txid'), vout, valueSats: a.changeSats, recipient: null })
      }
      if (parsed.name === 'PegOutRequested') requests.set(a.id, { id: a.id, scriptPubKey: hexToBytes(a.btcScript, 'script'), valueSats: a.valueSats })
    }
    const { Transaction } = await import('bitcoinjs-lib')
    const shownB = Transaction.fromBuffer(Buffer.from((batched.parsed.args.unsignedTx as string).slice(2), 'hex'))
    const spent = shownB.ins.map((i) => utxos.get(`0x${Buffer.from(i.hash).toString('hex')}:${i.index}`)!)
    expect(spent.every((u) => u !== undefined)).toBe(true)
    const first = batched.parsed.args.firstRequestId as bigint
    const reqs = Array.from({ length: Number(batched.parsed.args.requestCount) }, (_, i) => requests.get(first + BigInt(i))!)
    // A second, well-formed batch over the same inputs and requests at one more sat/vB: it is exactly what the
    // signer would compute itself for that fee rate, so only its signing log can tell it is a double spend.
    const feeRate = (batched.parsed.args.feeRate as bigint) + 1n
    const second = buildBatch(spent, reqs, { fed, chainId, feeRateSatPerVb: feeRate })
    expect(second.inputs.map((u) => `${toHex(u.txid)}:${u.vout}`)).toEqual(spent.map((u) => `${toHex(u.txid)}:${u.vout}`))
    expect(toHex(second.txid)).not.toBe(batched.parsed.args.txid)
    const fakeId = batchId + 1000n
    const event = iface.getEvent('PegOutBatched')!
    const args = [...batched.parsed.args]
    args[0] = fakeId
    args[1] = toHex(second.txid)
    args[2] = second.unsignedTx
    args[3] = second.feeSats
    args[4] = feeRate
    const fake = { ...iface.encodeEventLog(event, args) }
    const getBatchFake = iface.encodeFunctionData('getBatch', [fakeId])
    const getBatchReal = iface.encodeFunctionData('getBatch', [batchId])
    const callData = (params: unknown) => {
      const call = (params as [{ data?: string; input?: string }])[0]
      return call.data ?? call.input
    }
    // The proxy answers getBatch(second) with B's record turned back to "batched, no signatures", under the second
    // batch's transaction (the result rewrite sees the parameters as the signer sent them).
    const proxy = await startRewriteProxy(
      w.fed.validators[2]!.rpcUrl,
      (method, result, params) => {
        if (method === 'eth_getLogs' && Array.isArray(result)) {
          // Shown just before B, in B's block: the signer meets the second batch first, then B again.
          return result.flatMap((log: { transactionHash: string; logIndex: string }) =>
            log.transactionHash === batched.raw.transactionHash && Number(log.logIndex) === batched.raw.index ? [{ ...log, ...fake }, log] : [log])
        }
        if (method === 'eth_call' && callData(params) === getBatchFake) {
          const [view] = iface.decodeFunctionResult('getBatch', result as string)
          return iface.encodeFunctionResult('getBatch', [{ ...view.toObject(), unsignedTx: second.unsignedTx, txid: toHex(second.txid), status: 2n, signers: 0n, signedTx: '0x' }])
        }
        return result
      },
      (method, params) => {
        if (method !== 'eth_call' || callData(params) !== getBatchFake) return params
        const [call, ...rest] = params as [object, ...unknown[]]
        return [{ ...call, data: getBatchReal, input: undefined }, ...rest]
      },
    )
    // Signer 2 restarts behind the proxy with its own signing log (and a ledger rebuilt from the events).
    const s2 = w.signers[2]!
    await s2.stop()
    const { readFileSync, writeFileSync } = await import('node:fs')
    const config = JSON.parse(readFileSync(s2.configFile, 'utf8'))
    writeFileSync(s2.configFile, JSON.stringify({ ...config, sidechain: { rpcUrl: proxy.url } }))
    const mark = s2.output().length
    try {
      await s2.start()
      await w.waitFor('signer 2 to refuse the second batch', async () => s2.output().slice(mark).includes('"code":"SIGNER_DOUBLE_SPEND"'), 60_000)
      const out = s2.output().slice(mark)
      expect(out).toContain(`"batchId":"${fakeId}"`)
      expect(out).not.toContain('"signed a batch"')
    } finally {
      await s2.stop()
      writeFileSync(s2.configFile, JSON.stringify(config))
      await s2.start()
      await proxy.close()
    }
    // B itself goes on as before.
    await w.mine(6)
    await w.waitFor('B to be confirmed', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 90_000)
  }, 300_000)

  it('a Bitcoin reorg removing a deposit below the required depth mints nothing; mined again, it is minted exactly once', async () => {
    const carol = Wallet.createRandom()
    const value = 20_000_000n
    const pay = await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: value }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(carol.address, 'carol', 20) }).subarray(2),
    })
    await w.mine(3)
    const depositBlock = (await w.bcoin.rpc.getTransactionBlockHash(pay.txid))!
    await w.waitFor('the bridge to see the deposit block', async () => Number(await w.bridge.getBtcConfirmations!(Buffer.from(depositBlock, 'hex').reverse())) >= 3, 60_000)
    const orphanProof = await w.bcoin.rpc.getTxOutProof([pay.txid], depositBlock)
    await w.bcoin.rpc.invalidateBlock(depositBlock)
    // A longer chain without the deposit: the bridge follows it and the deposit block leaves its best chain.
    await w.mine(6)
    await w.waitFor('the bridge to leave the deposit block', async () => Number(await w.bridge.getBtcConfirmations!(Buffer.from(depositBlock, 'hex').reverse())) === 0, 60_000)
    expect(await w.provider.getBalance(carol.address)).toBe(0n)
    // Its proof now names a block off the bridge's best chain.
    await expect(w.bridge.registerBtcTransaction!.staticCall(pay.raw, orphanProof)).rejects.toMatchObject({ revert: { args: ['BRIDGE_NOT_BEST_CHAIN', expect.any(String)] } })
    // The same transaction mined again.
    await w.bcoin.rpc.sendRawTransaction(pay.raw)
    await w.mine(6)
    await w.waitFor('the deposit minted', async () => (await w.provider.getBalance(carol.address)) === value * WEI, 90_000)
    await w.mine(2)
    await new Promise((r) => setTimeout(r, 3000))
    expect(await w.provider.getBalance(carol.address)).toBe(value * WEI)
    const txidInternal = Buffer.from(pay.txid, 'hex').reverse()
    expect(await w.bridge.isBtcOutpointRegistered!(txidInternal, 0)).toBe(true)
    await expectBalanced()
  }, 300_000)

  it('a payment to the federation address without a memo is registered by the signers and refunded on Bitcoin to the paying wallet (issue 11 item 3)', async () => {
    const value = 3_000_000n
    const before = await reserves()
    const fedScript = Buffer.from(federationScriptPubKey(fed))
    const pay = await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: fedScript, valueSats: value }] })
    const { Transaction } = await import('bitcoinjs-lib')
    const vout = Transaction.fromBuffer(Buffer.from(pay.raw)).outs.findIndex((o) => Buffer.from(o.script).equals(fedScript))
    await w.mine(6)
    const txidInternal = Buffer.from(pay.txid, 'hex').reverse()
    const topic = w.bridge.interface.getEvent('PegInRefunded')!.topicHash
    const refunded = await w.waitFor('the signers to register the payment and the bridge to refund it', async () => {
      const logs = await w.provider.getLogs({ address: toHex(BRIDGE_ADDRESS), topics: [topic, '0x' + txidInternal.toString('hex')], fromBlock: 0 })
      return logs.length > 0 ? w.bridge.interface.parseLog(logs[0]!)! : undefined
    }, 90_000)
    expect(Number(refunded.args.vout)).toBe(vout)
    expect(refunded.args.valueSats).toBe(value)
    // The wallet's first input is P2WPKH: the refund goes back to the wallet's own script.
    expect(refunded.args.refundScript).toBe('0x' + Buffer.from(w.wallet.scriptPubKey).toString('hex'))
    expect(await w.bridge.isBtcOutpointRegistered!(txidInternal, vout)).toBe(true)
    const id = refunded.args.requestId as bigint
    const signed = await w.waitFor('the refund to be batched and signed', async () => {
      const q = await w.bridge.getPegOut!(id)
      return Number(q.status) >= 3 ? q : undefined
    }, 90_000)
    expect(signed.requester.toLowerCase()).toBe(toHex(BRIDGE_ADDRESS).toLowerCase())
    const batch = await w.bridge.getBatch!(signed.batchId)
    const batchTxid = Buffer.from(batch.txid.slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the refund batch in bcoin\'s mempool', async () => (await w.bcoin.rpc.getMempoolEntry(batchTxid)) !== null, 60_000)
    await w.mine(6)
    await w.waitFor('the refund batch confirmed on the bridge', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 90_000)
    const tx = Transaction.fromBuffer(Buffer.from(await w.bcoin.rpc.getRawTransaction(batchTxid)))
    const feeShare = (await w.bridge.getPegOut!(id)).feeSats as bigint
    const out = tx.outs.find((o) => Buffer.from(o.script).equals(Buffer.from(w.wallet.scriptPubKey)) && BigInt(o.value) === value - feeShare)
    expect(out).toBeDefined()
    const after = await reserves()
    expect(after).toEqual(before)
    await expectBalanced()
  }, 300_000)
})
