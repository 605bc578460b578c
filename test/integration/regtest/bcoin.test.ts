// The Bitcoin side of a regtest world against a real bcoin 1.0.2 process: start it standalone on free loopback
// ports, activate segwit with the demo wallet, pay a 2-of-3 P2WSH, prove the payment with this project's SPV code
// (gettxoutproof + HeaderChain fed from bcoin's raw headers), the refusals, what invalidateblock really does,
// two instances side by side, and a stop that leaves no process.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Transaction, payments } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { displayHexToHash, hashToDisplayHex, hexToBytes } from '../../../spv/base/bytes.js'
import { MemoryStore } from '../../../spv/base/kv.js'
import { HeaderChain } from '../../../spv/bitcoin/chain.js'
import { regtest } from '../../../spv/bitcoin/networks.js'
import { workFromBits } from '../../../spv/bitcoin/pow.js'
import { verifyTxInProof } from '../../../spv/bitcoin/transaction.js'
import { BitcoinRpcClient } from '../../../federation/bitcoin/rpc-client.js'
import { freePort } from '../../helpers/ports.js'
import { DemoWallet, SEGWIT_HEIGHT, bcoinRegtest, startBcoin, type BcoinProcess, type SignedPayment } from '../../../regtest/bitcoin/index.js'

const timings: Record<string, number> = {}
const since = (t0: number) => Math.round(performance.now() - t0)

/** The 2-of-3 witness script of three fixed keys, as the federation's deposit address will be. */
const federation = [1, 2, 3].map((i) => new DemoWallet({ seed: `federation member ${i}` }).publicKey)
const multisig = payments.p2wsh({ redeem: payments.p2ms({ m: 2, pubkeys: federation, network: bcoinRegtest }), network: bcoinRegtest })
const DEPOSIT = 150_000_000n
/** Refusals are only known when the acceptance wait is over (bcoin): a short one where a refusal is certain. */
const QUICK = { acceptTimeoutMs: 1_000 }

/** Every raw header of bcoin's best chain from height 1 to its tip. */
async function headersFrom(rpc: BitcoinRpcClient, from: number): Promise<Uint8Array[]> {
  const tip = await rpc.getBlockCount()
  const out: Uint8Array[] = []
  for (let h = from; h <= tip; h += 32) {
    const heights = Array.from({ length: Math.min(32, tip - h + 1) }, (_, i) => h + i)
    out.push(...(await Promise.all(heights.map(async (x) => rpc.getBlockHeaderRaw(await rpc.getBlockHash(x))))))
  }
  return out
}

/** The same transaction with one bit of its first input's signature flipped (still DER, now false). */
function withBadSignature(raw: Uint8Array): Uint8Array {
  const tx = Transaction.fromBuffer(raw)
  const sig = tx.ins[0]!.witness[0]!.slice()
  sig[sig.length - 2]! ^= 1 // last byte of s, before the sighash type
  tx.ins[0]!.witness[0] = sig
  return tx.toBuffer()
}

function processesMentioning(text: string): number[] {
  if (!existsSync('/proc')) return []
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

describe('bcoin regtest node (real process)', () => {
  let node: BcoinProcess
  let rpc: BitcoinRpcClient
  const wallet = new DemoWallet({ seed: 'bcoin integration test' })
  const chain = HeaderChain.open(new MemoryStore(), regtest, {
    height: 0,
    header: hexToBytes(regtest.genesisHeader, 'genesis', 80),
    chainWork: workFromBits(regtest.powLimitBits),
  })
  let payment: SignedPayment
  let paymentBlock: string
  const started = performance.now()

  beforeAll(async () => {
    const t0 = performance.now()
    node = await startBcoin()
    rpc = node.rpc
    timings['startMs'] = since(t0)
  }, 60_000)

  afterAll(async () => {
    await node?.stop()
    timings['totalMs'] = since(started)
    console.log(`bcoin timings: ${JSON.stringify(timings)}`)
  })

  it('answers on loopback as a fresh standalone regtest node, with coded errors', async () => {
    expect(node.rpcUrl).toBe(`http://127.0.0.1:${node.rpcPort}/`)
    expect(await rpc.getBlockCount()).toBe(0)
    expect(await rpc.getBestBlockHash()).toBe(regtest.genesisHash)
    expect(await rpc.call('getconnectioncount')).toBe(0) // no loader peer, no seeds
    expect(await rpc.estimateSmartFee(2)).toBeNull() // bcoin: {fee: -1} without data
    expect(await rpc.getMempoolEntry('11'.repeat(32))).toBeNull()
    await expect(rpc.call('nosuchmethod')).rejects.toMatchObject({ code: 'BTC_RPC_ERROR', details: { rpcCode: -32601 } })
    await expect(rpc.getBlockHash(5)).rejects.toMatchObject({ code: 'BTC_RPC_ERROR', details: { rpcCode: -8 } })
    const wrongKey = new BitcoinRpcClient({ url: node.rpcUrl, password: 'not-the-key' })
    await expect(wrongKey.getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNAUTHORIZED' })
    // bcoin's regtest address prefixes, as bcoinRegtest gives them to bitcoinjs-lib.
    expect(wallet.address.startsWith('rb1q')).toBe(true)
    const p2pkh = payments.p2pkh({ pubkey: wallet.publicKey, network: bcoinRegtest }).address!
    for (const address of [wallet.address, p2pkh, multisig.address!]) {
      expect(await rpc.call('validateaddress', [address])).toMatchObject({ isvalid: true })
    }
  })

  it('activates segwit by mining to the demo wallet', async () => {
    const t0 = performance.now()
    const r = await wallet.activateSegwit(rpc)
    timings['segwitMs'] = since(t0)
    expect(r.height).toBe(SEGWIT_HEIGHT)
    expect(await rpc.getBlockCount()).toBe(SEGWIT_HEIGHT)
    // Coinbases at heights 1..333 are mature at tip 432; halving every 150 blocks: 149×50 + 150×25 + 34×12.5 BTC.
    expect(wallet.spendable(r.height)).toHaveLength(333)
    expect(r.spendableSats).toBe((149n * 5000n + 150n * 2500n + 34n * 1250n) * 1_000_000n)
    const info = await rpc.call<{ bip9_softforks: { segwit: { status: string } } }>('getblockchaininfo')
    expect(info.bip9_softforks.segwit.status).toBe('active')
  })

  it('pays a 2-of-3 P2WSH with OP_RETURN data; gettxoutproof and bcoin headers prove it with 6 confirmations', async () => {
    payment = await wallet.pay(rpc, { outputs: [{ scriptPubKey: multisig.output!, valueSats: DEPOSIT }], opReturn: new TextEncoder().encode('causeway:0x00'), feeRate: 3 })
    expect(payment.feeSats).toBeGreaterThanOrEqual(BigInt(3 * payment.vsize))
    const entry = await rpc.getMempoolEntry(payment.txid)
    expect(entry).toMatchObject({ vsize: payment.vsize, feeSats: payment.feeSats })
    expect(await rpc.getTransactionBlockHash(payment.txid)).toBeNull()
    const unconfirmed = await rpc.getTxOut(payment.txid, 0)
    expect(unconfirmed).toMatchObject({ confirmations: 0, valueSats: DEPOSIT, coinbase: false })
    expect(unconfirmed!.scriptPubKey).toEqual(multisig.output)

    const mined = await wallet.fund(rpc, 6)
    paymentBlock = mined.blockHashes[0]!
    expect(await rpc.getTransactionBlockHash(payment.txid)).toBe(paymentBlock)
    expect(await rpc.getMempoolEntry(payment.txid)).toBeNull()
    expect(await rpc.getTxOut(payment.txid, 0)).toMatchObject({ confirmations: 6, valueSats: DEPOSIT })

    const raw = await rpc.getRawTransaction(payment.txid)
    expect(raw).toEqual(payment.raw)
    const proof = await rpc.getTxOutProof([payment.txid])
    expect(await rpc.getTxOutProof([payment.txid], paymentBlock)).toEqual(proof)
    const inclusion = verifyTxInProof(raw, proof, await rpc.getBlockHeaderRaw(paymentBlock))
    expect(hashToDisplayHex(inclusion.blockHash)).toBe(paymentBlock)
    expect(hashToDisplayHex(inclusion.txid)).toBe(payment.txid)
    expect(inclusion.index).toBe(1) // after the coinbase

    const headerChain = await chain
    const r = await headerChain.add(await headersFrom(rpc, 1))
    expect(r.tip.height).toBe(SEGWIT_HEIGHT + 6)
    expect(hashToDisplayHex(r.tip.hash)).toBe(await rpc.getBestBlockHash())
    expect(await headerChain.confirmations(inclusion.blockHash)).toBe(6)
  })

  it('refuses double spends, bad signatures and non-transactions with BTC_TX_REJECTED', async () => {
    const tip = await rpc.getBlockCount()
    // Spends the coins the confirmed payment already spent.
    const doubleSpend = wallet.createPayment({ outputs: [{ scriptPubKey: multisig.output!, valueSats: 1_000_000n }], inputs: payment.inputs }, tip)
    await expect(rpc.sendRawTransaction(doubleSpend.raw, QUICK)).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { txid: doubleSpend.txid } })

    // A conflict with a mempool transaction (bcoin runs without replace-by-fee).
    const first = await wallet.pay(rpc, { outputs: [{ scriptPubKey: multisig.output!, valueSats: 2_000_000n }] })
    const conflict = wallet.createPayment({ outputs: [{ scriptPubKey: multisig.output!, valueSats: 3_000_000n }], inputs: first.inputs }, tip)
    await expect(rpc.sendRawTransaction(conflict.raw, QUICK)).rejects.toMatchObject({ code: 'BTC_TX_REJECTED' })

    // A false signature; the txid does not cover the witness, so the good transaction has the same txid — and
    // bcoin must still take it afterwards (a bad witness must not get the txid blacklisted).
    const good = wallet.createPayment({ outputs: [{ scriptPubKey: multisig.output!, valueSats: 4_000_000n }] }, tip)
    const bad = withBadSignature(good.raw)
    await expect(rpc.sendRawTransaction(bad, QUICK)).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { txid: good.txid } })
    const paid = await wallet.pay(rpc, { outputs: [{ scriptPubKey: multisig.output!, valueSats: 4_000_000n }] })
    expect(paid.raw).toEqual(good.raw) // deterministic: same coins, same RFC 6979 signatures
    expect(await rpc.getRawMempool()).toEqual(expect.arrayContaining([first.txid, good.txid]))

    await expect(rpc.sendRawTransaction(Uint8Array.of(0, 1, 2))).rejects.toMatchObject({ code: 'BTC_TX_REJECTED', details: { reason: 'decode' } })
    await expect(rpc.sendRawTransaction(payment.raw)).rejects.toMatchObject({ code: 'BTC_TX_ALREADY_IN_CHAIN', details: { blockHash: paymentBlock } })
  })

  it('invalidateblock deletes blocks, empties the mempool; the payment can be sent again and the header chain reorgs', async () => {
    const headerChain = await chain
    const tip = await rpc.getBlockCount()
    const tipHash = await rpc.getBestBlockHash()
    expect((await rpc.getRawMempool()).length).toBe(2)

    await rpc.invalidateBlock(tipHash)
    expect(await rpc.getBlockCount()).toBe(tip - 1)
    // bcoin resets its chain instead of disconnecting: the block is gone, and the whole mempool with it.
    await expect(rpc.getBlockHeaderRaw(tipHash)).rejects.toMatchObject({ code: 'BTC_RPC_ERROR' })
    expect(await rpc.getRawMempool()).toEqual([])
    expect(await rpc.getTxOut(payment.txid, 0)).toMatchObject({ confirmations: 5 })

    // Now the block holding the payment: it is not returned to the mempool; bcoin forgets it entirely.
    await rpc.invalidateBlock(paymentBlock)
    expect(await rpc.getBlockCount()).toBe(SEGWIT_HEIGHT)
    expect(await rpc.getRawMempool()).toEqual([])
    expect(await rpc.getMempoolEntry(payment.txid)).toBeNull()
    expect(await rpc.getTxOut(payment.txid, 0)).toBeNull()
    await expect(rpc.getRawTransaction(payment.txid)).rejects.toMatchObject({ code: 'BTC_RPC_ERROR' })
    const input = payment.inputs[0]!
    expect(await rpc.getTxOut(input.txid, input.vout)).not.toBeNull() // its coin is unspent again
    // reconsiderblock only lifts the mark: the deleted blocks do not come back.
    await rpc.reconsiderBlock(paymentBlock)
    expect(await rpc.getBlockCount()).toBe(SEGWIT_HEIGHT)

    // Anyone holding the payment can send it again; a longer chain then confirms it in a new block.
    expect(await rpc.sendRawTransaction(payment.raw)).toBe(payment.txid)
    const mined = await rpc.generateToAddress(7, wallet.address)
    expect(await rpc.getTransactionBlockHash(payment.txid)).toBe(mined[0])
    const r = await headerChain.add(await headersFrom(rpc, SEGWIT_HEIGHT + 1))
    expect(r.bestChange?.left.map((b) => b.height)).toEqual([438, 437, 436, 435, 434, 433])
    expect(r.bestChange?.joined.map((b) => b.height)).toEqual([433, 434, 435, 436, 437, 438, 439])
    expect(await headerChain.confirmations(displayHexToHash(paymentBlock))).toBe(0) // now a side branch
    const proof = await rpc.getTxOutProof([payment.txid])
    const inclusion = verifyTxInProof(payment.raw, proof)
    expect(hashToDisplayHex(inclusion.blockHash)).toBe(mined[0])
    expect(await headerChain.confirmations(inclusion.blockHash)).toBe(7)
  })

  it('runs side by side with a second instance, each on its own ports and directory', async () => {
    const t0 = performance.now()
    const other = await startBcoin()
    try {
      timings['secondStartMs'] = since(t0)
      expect(other.rpcPort).not.toBe(node.rpcPort)
      expect(other.dataDir).not.toBe(node.dataDir)
      expect(await other.rpc.getBlockCount()).toBe(0)
      expect(await rpc.getBlockCount()).toBe(SEGWIT_HEIGHT + 7)
      await expect(new BitcoinRpcClient({ url: other.rpcUrl, password: node.apiKey }).getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNAUTHORIZED' })
    } finally {
      await other.stop()
    }
    expect(existsSync(other.dataDir)).toBe(false)
  })

  it('a given data directory survives stop() (SIGTERM) and a restart keeps its chain; before height 432 our payments are refused', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'causeway-bcoin-keep-'))
    try {
      const first = await startBcoin({ dataDir })
      const w = new DemoWallet({ seed: 'restart' })
      let hashes: readonly string[]
      try {
        hashes = (await w.fund(first.rpc, 101)).blockHashes
        await expect(w.pay(first.rpc, { outputs: [{ scriptPubKey: multisig.output!, valueSats: 1_000_000n }] }, QUICK)).rejects.toMatchObject({ code: 'BTC_TX_REJECTED' })
      } finally {
        await first.stop()
      }
      expect(existsSync(path.join(dataDir, 'bcoin.log'))).toBe(true)
      const again = await startBcoin({ dataDir })
      try {
        expect(await again.rpc.getBlockCount()).toBe(101)
        expect(await again.rpc.getBestBlockHash()).toBe(hashes.at(-1))
      } finally {
        await again.stop()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('a port already taken fails fast with BCOIN_START_FAILED and the tail of bcoin’s log', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const rpcPort = (blocker.address() as AddressInfo).port
      const t0 = performance.now()
      const err = await startBcoin({ rpcPort, p2pPort: await freePort() }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toMatchObject({ code: 'BCOIN_START_FAILED', details: { portInUse: true, rpcPort } })
      expect((err as Error).message).toMatch(/EADDRINUSE/)
      expect(since(t0)).toBeLessThan(20_000)
    } finally {
      blocker.close()
    }
  })

  it('stop() ends the process: nothing left running, the RPC unreachable, the temporary directory removed', async () => {
    const t0 = performance.now()
    await node.stop()
    timings['stopMs'] = since(t0)
    expect(() => process.kill(node.pid, 0)).toThrow()
    expect(processesMentioning(node.dataDir)).toEqual([])
    await expect(rpc.getBlockCount()).rejects.toMatchObject({ code: 'BTC_RPC_UNREACHABLE', details: { reason: 'network' } })
    expect(existsSync(node.dataDir)).toBe(false)
    await node.stop() // twice is fine
  })
})
