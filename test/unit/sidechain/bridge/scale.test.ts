// Issue 11 items 1 and 5, performed through the bridge ABI inside the EVM over a synthetic regtest chain (real
// blocks and proofs): 400 deposits of 0.0002 BTC in one Bitcoin transaction, then one peg-out of nearly all of it.
// Before: the batch took all 400 inputs; its record and the signatures outgrew the 64 KiB per stored value and the
// second addSignatures reverted forever (BRIDGE_VALUE_TOO_LARGE) with the value burned. Now: registration in calls
// of at most 100 outputs, four consolidations of 100 inputs (their fee borne by the request), one payment of
// four inputs, every call within a block's gas, reserves balanced at every step. Then the fee shares: a small
// request beside one that needs many inputs pays for inputs only in proportion to its amount, never more than
// estimatePegOutFeeFor quoted; one that cannot pay its share is refunded on the side chain while the rest proceed.
import { Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { parseBridgeConfig, type BridgeConfig } from '../../../../sidechain/bridge/config.js'
import {
  buildBatch,
  buildConsolidation,
  depositScriptPubKey,
  encodeSignatures,
  signBatch,
  addressNetworkFor,
  type Batch,
  type FederationUtxo,
  type PegOutRequest,
} from '../../../../peg/bitcoin/index.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import { openBridgeVm, type BridgeVm } from '../../../helpers/bridge-vm.js'
import { RegtestChain, type MinedBlock } from '../../../helpers/regtest-chain.js'
import { address as btcAddress, payments } from 'bitcoinjs-lib'

const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x20 + i))
const memberPubkeys = memberKeys.map((k) => ecc.pointFromScalar(k, true)!)
const CHAIN_ID = 0xca05e2n
const WEI = 10n ** 10n
const rb = addressNetworkFor(regtest, 'rb')
const alice = new Uint8Array(20).fill(0xa1)
const bob = new Uint8Array(20).fill(0xb0)
const relayer = new Uint8Array(20).fill(0x77)
const BLOCK_GAS = 30_000_000n

function p2wpkhAddress(seed: number): { address: string; script: Uint8Array } {
  const p = payments.p2wpkh({ hash: Buffer.alloc(20, seed), network: { ...rbNetwork } })
  return { address: p.address!, script: new Uint8Array(p.output!) }
}
const rbNetwork = { messagePrefix: '', bech32: 'rb', bip32: { public: 0, private: 0 }, pubKeyHash: rb.pubKeyHash, scriptHash: rb.scriptHash, wif: 0 }

function config(extra: Record<string, unknown> = {}): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberPubkeys.map((p) => bytesToHex(p)), threshold: 2 },
      bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 }, confirmations: 2 },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 1,
      feeRateFloor: 2,
      ...extra,
    },
    CHAIN_ID,
  )
}

let funding = 0
function payTx(outputs: { script: Uint8Array; value: bigint }[]): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  const prev = Buffer.alloc(32)
  prev.writeUInt32LE(++funding, 0)
  tx.addInput(prev, 0, 0xfffffffd, Buffer.from([0x51]))
  for (const o of outputs) tx.addOutput(Buffer.from(o.script), o.value)
  return new Uint8Array(tx.toBuffer())
}

/** A bridge over a synthetic chain, with the helpers a signer and a relayer would use. */
async function world(cfg: BridgeConfig) {
  const vm = await openBridgeVm(cfg)
  const chain = new RegtestChain()
  let relayed = 0
  const members = cfg.members
  const self = {
    vm,
    chain,
    async relay(): Promise<void> {
      if (chain.height <= relayed) return
      const r = await vm.call(relayer, 'receiveBtcHeaders', [chain.headersFrom(relayed + 1)])
      expect(r.code).toBeUndefined()
      relayed = chain.height
    },
    async confirm(block: MinedBlock): Promise<void> {
      chain.mineEmpty(block.height + cfg.confirmations - 1 - chain.height)
      await self.relay()
    },
    async reserves() {
      const r = (await vm.call(relayer, 'getReserves')).result
      return { fed: r[0] as bigint, supply: r[1] as bigint, pending: r[2] as bigint }
    },
    async expectBalanced(): Promise<void> {
      const r = await self.reserves()
      expect(r.fed * WEI).toBe(r.supply + r.pending * WEI)
    },
    async utxos(): Promise<FederationUtxo[]> {
      const { BtcBridgeState: BridgeState } = await import('../../../../sidechain/bridge/bitcoin/state.js')
      const { AccountStorage } = await import('../../../../sidechain/bridge/storage.js')
      const { BRIDGE_ADDRESS } = await import('../../../../sidechain/chain/params.js')
      const state = new BridgeState(new AccountStorage(vm.vm.stateManager as never, BRIDGE_ADDRESS), CHAIN_ID)
      return (await state.utxos()).map((u) => u.utxo)
    },
    /** Registers a transaction, repeating the call until every federation output is in; returns the calls' gas. */
    async register(raw: Uint8Array, block: MinedBlock): Promise<bigint[]> {
      const gas: bigint[] = []
      for (let i = 0; i < 20; i++) {
        const r = await vm.call(relayer, 'registerBtcTransaction', [raw, block.proof()])
        if (r.code === 'PEG_ALREADY_REGISTERED') return gas
        expect(r.code, r.message).toBeUndefined()
        gas.push(r.gasUsed)
      }
      throw new Error('registration did not finish in 20 calls')
    },
    /** Two members sign batch `id` (rebuilt as a signer would), its transaction confirms and is registered. */
    async signAndConfirm(id: bigint, batch: Batch): Promise<{ gas: bigint[]; signedTx: Uint8Array }> {
      const gas: bigint[] = []
      for (const m of [0, 2]) {
        const s = await vm.call(members[m]!, 'addSignatures', [id, encodeSignatures(signBatch(batch, memberKeys[m]!, cfg.federation, CHAIN_ID))])
        expect(s.code, s.message).toBeUndefined()
        gas.push(s.gasUsed)
      }
      const view = (await vm.call(relayer, 'getBatch', [id])).result
      expect(view.status).toBe(3n)
      const signedTx = Buffer.from((view.signedTx as string).slice(2), 'hex')
      expect(bytesToHex(Transaction.fromBuffer(signedTx).getHash())).toBe(bytesToHex(batch.txid))
      const block = chain.mine([new Uint8Array(signedTx)])
      await self.confirm(block)
      const c = await vm.call(relayer, 'registerBtcTransaction', [new Uint8Array(signedTx), block.proof()])
      expect(c.code, c.message).toBeUndefined()
      gas.push(c.gasUsed)
      return { gas, signedTx: new Uint8Array(signedTx) }
    },
  }
  await self.relay()
  for (const who of [alice, bob]) expect((await vm.call(who, 'registerDepositAddress', [who])).code).toBeUndefined()
  return self
}

describe('batches of any reserve shape (issue 11 item 1)', () => {
  let w: Awaited<ReturnType<typeof world>>
  let cfg: BridgeConfig
  beforeAll(async () => {
    cfg = config()
    w = await world(cfg)
  })

  it('400 deposits of 0.0002 BTC to one deposit address, then one peg-out of nearly all of it: paid, balanced', async () => {
    const script = depositScriptPubKey(cfg.federation, CHAIN_ID, alice)
    const raw = payTx(Array.from({ length: 400 }, () => ({ script, value: 20_000n })))
    const block = w.chain.mine([raw])
    await w.confirm(block)
    const regGas = await w.register(raw, block)
    expect(regGas.length).toBe(4) // 100 outputs per call
    for (const g of regGas) expect(g).toBeLessThan(BLOCK_GAS / 3n)
    expect(await w.vm.balance(alice)).toBe(8_000_000n * WEI)
    await w.expectBalanced()

    const dest = p2wpkhAddress(7)
    const quoted = (await w.vm.call(alice, 'estimatePegOutFeeFor', [7_990_000n, dest.address])).result as bigint
    const p = await w.vm.call(alice, 'pegOut', [dest.address], { value: 7_990_000n * WEI })
    expect(p.code, p.message).toBeUndefined()
    expect(p.logs.map((l) => l.name)).toEqual(['PegOutRequested'])
    await w.expectBalanced()
    w.vm.blockNumber += 1n

    // Four consolidations of 100 inputs each, the first UTXOs of the set each time; then the queue waits.
    const request: PegOutRequest = { id: 1n, scriptPubKey: dest.script, valueSats: 7_990_000n }
    let prepaid = 0n
    const consolidations: { id: bigint; batch: Batch }[] = []
    for (let i = 0; i < 4; i++) {
      const before = await w.utxos()
      const r = await w.vm.call(relayer, 'flushPegOuts')
      expect(r.code, r.message).toBeUndefined()
      expect(r.gasUsed).toBeLessThan(BLOCK_GAS / 3n)
      expect(r.logs.map((l) => l.name)).toEqual(['PegOutConsolidated', 'PegOutBatched'])
      const ev = r.logs[1]!.args
      expect(ev.requestCount).toBe(0n)
      const mine = buildConsolidation(before, { fed: cfg.federation, chainId: CHAIN_ID, feeRateSatPerVb: 2n, inputCount: 100 })
      expect(ev.unsignedTx).toBe('0x' + bytesToHex(mine.unsignedTx))
      prepaid += mine.feeSats
      consolidations.push({ id: r.result as bigint, batch: mine })
      await w.expectBalanced()
    }
    const wait = await w.vm.call(relayer, 'flushPegOuts')
    expect(wait.code).toBe('PEG_BATCH_DEFERRED')
    expect((await w.vm.call(alice, 'getPegOut', [1n])).result.status).toBe(1n)

    for (const c of consolidations) {
      const { gas } = await w.signAndConfirm(c.id, c.batch)
      for (const g of gas) expect(g).toBeLessThan(BLOCK_GAS / 3n)
      await w.expectBalanced()
    }
    // The consolidated outputs head the set.
    const set = await w.utxos()
    expect(set.length).toBe(4)
    expect(set.every((u) => u.recipient === null)).toBe(true)

    const r = await w.vm.call(relayer, 'flushPegOuts')
    expect(r.code, r.message).toBeUndefined()
    expect(r.logs.map((l) => l.name)).toEqual(['PegOutBatched'])
    const pay = buildBatch(set, [{ ...request, prepaidFeeSats: prepaid }], { fed: cfg.federation, chainId: CHAIN_ID, feeRateSatPerVb: 2n, maxInputs: 100 })
    expect(r.logs[0]!.args.unsignedTx).toBe('0x' + bytesToHex(pay.unsignedTx))
    const paidSats = 7_990_000n - prepaid - pay.feeShares[0]!
    expect(pay.outputs[0]!.valueSats).toBe(paidSats)
    // What the user was quoted before signing bounds what it paid, consolidations included.
    expect(prepaid + pay.feeShares[0]!).toBeLessThanOrEqual(quoted)
    await w.signAndConfirm(r.result as bigint, pay)
    const view = (await w.vm.call(alice, 'getPegOut', [1n])).result
    expect(view.status).toBe(4n)
    expect(view.feeSats).toBe(prepaid + pay.feeShares[0]!)
    const res = await w.reserves()
    expect(res.pending).toBe(0n)
    await w.expectBalanced()
    // All that is left is alice's 10,000 sats on the side chain, backed by the change.
    expect(res.fed).toBe(8_000_000n - 7_990_000n)
  }, 120_000)
})

describe('a batch past the old cliff completes (issue 11 item 1)', () => {
  it('160 inputs in one batch: signatures stored, signed transaction assembled and stored apart', async () => {
    const cfg = config({ maxBatchInputs: 200 })
    const w = await world(cfg)
    const script = depositScriptPubKey(cfg.federation, CHAIN_ID, bob)
    const raw = payTx(Array.from({ length: 160 }, () => ({ script, value: 20_000n })))
    const block = w.chain.mine([raw])
    await w.confirm(block)
    await w.register(raw, block)
    const dest = p2wpkhAddress(9)
    expect((await w.vm.call(bob, 'pegOut', [dest.address], { value: 3_190_000n * WEI })).code).toBeUndefined()
    w.vm.blockNumber += 1n
    const set = await w.utxos()
    const r = await w.vm.call(relayer, 'flushPegOuts')
    expect(r.code, r.message).toBeUndefined()
    const batch = buildBatch(set, [{ id: 1n, scriptPubKey: dest.script, valueSats: 3_190_000n }], { fed: cfg.federation, chainId: CHAIN_ID, feeRateSatPerVb: 2n })
    expect(batch.inputs.length).toBe(160)
    const { gas, signedTx } = await w.signAndConfirm(r.result as bigint, batch)
    expect(signedTx.length).toBeGreaterThan(64 * 1024 - 20_000)
    for (const g of gas) expect(g).toBeLessThan(BLOCK_GAS)
    expect((await w.vm.call(bob, 'getPegOut', [1n])).result.status).toBe(4n)
    await w.expectBalanced()
  }, 60_000)
})

describe('fee shares by cost; a request that cannot pay is refunded (issue 11 item 5)', () => {
  it('a 20,000-sat request beside one needing 100 inputs pays its own output and its amount’s part, within its quote', async () => {
    const cfg = config()
    const w = await world(cfg)
    const script = depositScriptPubKey(cfg.federation, CHAIN_ID, alice)
    const raw = payTx([...Array.from({ length: 99 }, () => ({ script, value: 20_000n })), { script: depositScriptPubKey(cfg.federation, CHAIN_ID, bob), value: 100_000n }])
    const block = w.chain.mine([raw])
    await w.confirm(block)
    await w.register(raw, block)
    const big = p2wpkhAddress(1)
    const small = p2wpkhAddress(2)
    const quoteSmall = (await w.vm.call(bob, 'estimatePegOutFeeFor', [20_000n, small.address])).result as bigint
    expect((await w.vm.call(alice, 'pegOut', [big.address], { value: 1_970_000n * WEI })).code).toBeUndefined()
    expect((await w.vm.call(bob, 'pegOut', [small.address], { value: 20_000n * WEI })).code).toBeUndefined()
    w.vm.blockNumber += 1n
    const r = await w.vm.call(relayer, 'flushPegOuts')
    expect(r.code, r.message).toBeUndefined()
    const smallView = (await w.vm.call(bob, 'getPegOut', [2n])).result
    const bigView = (await w.vm.call(alice, 'getPegOut', [1n])).result
    const tx = Transaction.fromBuffer(Buffer.from((r.logs.at(-1)!.args.unsignedTx as string).slice(2), 'hex'))
    expect(tx.ins.length).toBe(100)
    // Equal shares made the small request pay half of a 100-input fee (~11,700 sats here); by cost it pays ~300.
    expect(smallView.feeSats).toBeLessThan(400n)
    expect(smallView.feeSats).toBeLessThanOrEqual(quoteSmall)
    expect(bigView.feeSats + smallView.feeSats).toBe(r.logs.at(-1)!.args.feeSats)
    await w.expectBalanced()
  })

  it('at a fee rate where a request cannot pay its share it is refunded on the side chain; the rest is paid', async () => {
    // 700 sat/vB: a 20,000-sat request's own output alone costs 21,700 sats. Before, equal shares stalled the whole
    // queue on PEG_FEE_EXCEEDS_OUTPUT; now that request goes back to its requester and the other is batched.
    const cfg = config({ feeRateFloor: 700, feeRateCeiling: 1000 })
    const w = await world(cfg)
    const raw = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, alice), value: 2_000_000n }, { script: depositScriptPubKey(cfg.federation, CHAIN_ID, bob), value: 21_000n }])
    const block = w.chain.mine([raw])
    await w.confirm(block)
    await w.register(raw, block)
    expect((await w.vm.call(alice, 'pegOut', [p2wpkhAddress(3).address], { value: 1_000_000n * WEI })).code).toBeUndefined()
    expect((await w.vm.call(bob, 'pegOut', [p2wpkhAddress(4).address], { value: 20_000n * WEI })).code).toBeUndefined()
    expect(await w.vm.balance(bob)).toBe(1_000n * WEI)
    w.vm.blockNumber += 1n
    const set = await w.utxos()
    const r = await w.vm.call(relayer, 'flushPegOuts')
    expect(r.code, r.message).toBeUndefined()
    expect(r.logs.map((l) => l.name)).toEqual(['PegOutRefunded', 'PegOutBatched'])
    expect(r.logs[0]!.args.id).toBe(2n)
    expect(r.logs[0]!.args.valueSats).toBe(20_000n)
    expect(await w.vm.balance(bob)).toBe(21_000n * WEI)
    expect((await w.vm.call(bob, 'getPegOut', [2n])).result.status).toBe(5n)
    const tx = Transaction.fromBuffer(Buffer.from((r.logs[1]!.args.unsignedTx as string).slice(2), 'hex'))
    expect(tx.outs.length).toBe(2) // alice's payment and the change
    expect(r.logs[1]!.args.requestCount).toBe(2n) // the range closes both ids
    await w.expectBalanced()
    expect((await w.vm.call(relayer, 'flushPegOuts')).code).toBe('PEG_BATCH_NOT_DUE')
    // A signer's recomputation (the range less the refunded request) gives the same transaction; once confirmed,
    // alice's request closes, the refunded one stays refunded, and the books balance.
    const pay = buildBatch(set, [{ id: 1n, scriptPubKey: p2wpkhAddress(3).script, valueSats: 1_000_000n }], { fed: cfg.federation, chainId: CHAIN_ID, feeRateSatPerVb: 700n })
    expect(bytesToHex(pay.unsignedTx)).toBe((r.logs[1]!.args.unsignedTx as string).slice(2))
    await w.signAndConfirm(r.result as bigint, pay)
    expect((await w.vm.call(alice, 'getPegOut', [1n])).result.status).toBe(4n)
    expect((await w.vm.call(bob, 'getPegOut', [2n])).result.status).toBe(5n)
    expect((await w.reserves()).pending).toBe(0n)
    await w.expectBalanced()
  })
})

describe('the input bound keeps the largest batch storable (issue 11 item 1)', () => {
  it('a batch record of maxInputsFor inputs (with recipients) and 500 outputs fits one stored value', async () => {
    const { encodeBatch } = await import('../../../../sidechain/bridge/bitcoin/records.js')
    const { MAX_VALUE_BYTES } = await import('../../../../sidechain/bridge/storage.js')
    const { maxInputsFor } = await import('../../../../peg/bitcoin/index.js')
    const cfg = config()
    const n = maxInputsFor(cfg.federation)
    const inputs = Array.from({ length: n }, (_, i) => ({ txid: new Uint8Array(32).fill(i % 256), vout: i, valueSats: 20_000n, recipient: alice }))
    const tx = new Transaction()
    for (const u of inputs) tx.addInput(Buffer.from(u.txid), u.vout, 0xfffffffd)
    for (let i = 0; i < 500; i++) tx.addOutput(Buffer.from(p2wshScript()), 1_000n)
    const record = encodeBatch({ status: 2, txid: new Uint8Array(32), feeSats: 1n, changeSats: 1n, firstRequestId: 1n, requestCount: 500, createdAt: 1n, signers: 0, inputs, unsignedTx: new Uint8Array(tx.toBuffer()), signedTx: new Uint8Array(0) })
    expect(record.length).toBeLessThanOrEqual(MAX_VALUE_BYTES)
    expect(n * 72).toBeLessThanOrEqual(MAX_VALUE_BYTES) // one member's signatures
  })
})

/** The largest output script a batch pays (P2WSH/P2TR, 34 bytes). */
function p2wshScript(): Uint8Array {
  return Uint8Array.of(0x00, 0x20, ...new Uint8Array(32).fill(7))
}
