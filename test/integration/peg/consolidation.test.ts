// Issue 11 item 1 with the real parts: a real bcoin, three validators and three signer daemons. Anyone could freeze
// the peg with ~160 small payments to their own deposit address and one large peg-out (the batch outgrew the
// bridge's storage and never completed). Here: 400 deposits of 0.0002 BTC in one Bitcoin transaction, then one
// peg-out of nearly all of it. The signers register the deposit in calls of 100 outputs, review and sign four
// consolidations and then the payment they rebuild from their own ledgers, and it is paid on Bitcoin; the
// reserves balance and no signer refuses anything.
import { readFileSync } from 'node:fs'
import { Contract, Wallet, parseUnits } from 'ethers'
import { payments, Transaction } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { createFederation, depositScriptPubKey } from '../../../peg/bitcoin/index.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { bcoinRegtest } from '../../../regtest/bitcoin/network.js'

const WEI = 10n ** 10n

describe('400 federation UTXOs to one paid peg-out (real bcoin and signers)', () => {
  let w: PegWorld

  beforeAll(async () => {
    // The test account's funding peg-in (peg-world.ts) is kept just above alice's gas money, so that one plain UTXO
    // cannot pay the peg-out by itself: the 400 deposits must be consolidated.
    w = await startPegWorld({ bridge: { batchIntervalBlocks: 2 }, fundSats: 1_100_000n })
  }, 240_000)

  afterAll(async () => {
    await w?.close()
  })

  it('consolidates by itself and pays; reserves balance; no signer refuses', async () => {
    const fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    const alice = Wallet.createRandom().connect(w.provider)
    await (await w.funded.sendTransaction({ to: alice.address, value: parseUnits('0.01', 18) }))!.wait()
    const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, alice)
    await (await bridge.registerDepositAddress!(alice.address)).wait()
    const script = depositScriptPubKey(fed, w.fed.chainId, hexToBytes(alice.address, 'alice', 20))
    const before = await w.provider.getBalance(alice.address)
    const paid = await w.wallet.pay(w.bcoin.rpc, { outputs: Array.from({ length: 400 }, () => ({ scriptPubKey: script, valueSats: 20_000n })) })
    void paid
    await w.mine(6)
    await w
      .waitFor('the 400 deposits to be minted', async () => (await w.provider.getBalance(alice.address)) === before + 8_000_000n * WEI, 240_000)
      .catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}; minted ${await w.provider.getBalance(alice.address)}; signer 0 said:\n${w.signers[0]!.output().split('\n').slice(-40).join('\n')}`)
      })

    const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x6b), network: bcoinRegtest })
    const receipt = await (await bridge.pegOut!(payee.address!, { value: 7_990_000n * WEI })).wait()
    const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
    // Bitcoin blocks keep coming while the federation works (consolidations, then the payment).
    const status = await w
      .waitFor('the peg-out to be confirmed on Bitcoin', async () => {
        await w.mine(1)
        await new Promise((r) => setTimeout(r, 1000))
        const r = await w.bridge.getPegOut!(id)
        return Number(r.status) === 4 ? r : undefined
      }, 300_000)
      .catch((e: unknown) => {
        const tail = (text: string) => text.split('\n').slice(-25).join('\n')
        throw new Error(`${(e as Error).message}\nbcoin:\n${tail(readFileSync(w.bcoin.logFile, 'utf8'))}\nsigner 0:\n${tail(w.signers[0]!.output())}`)
      })
    const batch = await w.bridge.getBatch!(status.batchId)
    const tx = Transaction.fromHex((batch.signedTx as string).slice(2))
    // How the consolidations interleave with Bitcoin blocks decides how many there are (a confirmed one heads the
    // set and can be joined again by the next); the payment itself spends a handful of consolidated outputs.
    expect(tx.ins.length).toBeLessThanOrEqual(4)
    expect(Buffer.from(tx.outs[0]!.script).equals(payee.output!)).toBe(true)
    expect(BigInt(tx.outs[0]!.value)).toBe(7_990_000n - (status.feeSats as bigint))
    const consolidated = await w.bridge.queryFilter(w.bridge.filters.PegOutConsolidated!())
    expect(consolidated.length).toBeGreaterThanOrEqual(4)
    expect(consolidated.length).toBeLessThanOrEqual(8)

    const [federationSats, supplyWei, pendingSats] = await w.bridge.getReserves!()
    expect(pendingSats).toBe(0n)
    expect(federationSats * WEI).toBeGreaterThanOrEqual(supplyWei)
    for (const s of w.signers) expect(s.output()).not.toContain('refused to sign a batch')
  }, 600_000)
})
