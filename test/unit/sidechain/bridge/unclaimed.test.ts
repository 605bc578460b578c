// Issue 11 item 3, each attack through the bridge's ABI inside the EVM, over a synthetic regtest chain (real blocks
// and proofs): payments to the plain federation address with no memo, a malformed memo or two memos used to revert
// and vanish. Now each is refunded on Bitcoin (to the memo's refund script, else to the script the first input
// reveals) or held for its owner and later refunded through a funding-transaction claim; the refunds leave in a
// batch that pays their scripts; peg-outs to federation scripts are refused with nothing burned; the signers'
// ledger recomputes the bridge's batch, and the audit's replay of every event balances.
import { Transaction, crypto as bcrypto, payments, script as bscript } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { parseBridgeConfig, type BridgeConfig } from '../../../../sidechain/bridge/config.js'
import {
  buildBatch,
  depositAddress,
  encodePegInMemo,
  encodeSignatures,
  federationAddress,
  federationScriptPubKey,
  signBatch,
  addressNetworkFor,
  MEMO_MAGIC,
} from '../../../../peg/bitcoin/index.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import type { BridgeLog } from '../../../../federation/signer/bridge-client.js'
import { FederationLedger } from '../../../../federation/signer/ledger.js'
import { ledgerEventOf } from '../../../../federation/signer/ledger-events.js'
import { auditFindings, replayBridgeEvents } from '../../../../cli/audit-ledger.js'
import { BRIDGE_ADDRESS } from '../../../../sidechain/chain/params.js'
import { openBridgeVm, type BridgeCallResult, type BridgeVm } from '../../../helpers/bridge-vm.js'
import { RegtestChain, type MinedBlock } from '../../../helpers/regtest-chain.js'

const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x20 + i))
const memberPubkeys = memberKeys.map((k) => ecc.pointFromScalar(k, true)!)
const CHAIN_ID = 0xca05e3n
const WEI = 10n ** 10n
const rb = addressNetworkFor(regtest, 'rb')
const relayer = new Uint8Array(20).fill(0x77)
const alice = new Uint8Array(20).fill(0xa1)
const bob = new Uint8Array(20).fill(0xb0)
const hex = (b: Uint8Array) => '0x' + bytesToHex(b)

function config(): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberPubkeys.map((p) => bytesToHex(p)), threshold: 2 },
      bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 }, confirmations: 6 },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 3,
      feeRateFloor: 2,
    },
    CHAIN_ID,
  )
}

/** A wallet key: its public key and a real DER signature, as a spend of its output reveals them. */
function wallet(seed: number) {
  const priv = new Uint8Array(32).fill(seed)
  const pubkey = ecc.pointFromScalar(priv, true)!
  const signature = bscript.signature.encode(ecc.sign(new Uint8Array(32).fill(seed + 1), priv), Transaction.SIGHASH_ALL)
  return { pubkey, signature, p2wpkh: payments.p2wpkh({ pubkey }).output!, p2pkh: payments.p2pkh({ pubkey }).output! }
}

let funding = 0
/** A transaction spending a made-up outpoint with the given scriptSig and witness, paying `outputs`. */
function spend(input: { scriptSig?: Uint8Array; witness?: Uint8Array[]; prev?: { txid: Uint8Array; vout: number } }, outputs: { script: Uint8Array; value: bigint }[]): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  const prev = input.prev?.txid ?? (() => {
    const b = new Uint8Array(32)
    new DataView(b.buffer).setUint32(0, ++funding + 1000, true)
    return b
  })()
  tx.addInput(prev, input.prev?.vout ?? 0, 0xfffffffd, input.scriptSig ?? new Uint8Array(0))
  if (input.witness !== undefined) tx.setWitness(0, input.witness)
  for (const o of outputs) tx.addOutput(o.script, o.value)
  return new Uint8Array(tx.toBuffer())
}

const txidOf = (raw: Uint8Array) => new Uint8Array(Transaction.fromBuffer(raw).getHash())

describe('payments to the federation without a valid memo (issue 11 item 3)', () => {
  let vm: BridgeVm
  let cfg: BridgeConfig
  let fedScript: Uint8Array
  const chain = new RegtestChain()
  let relayed = 0
  /** Every bridge event, in order, as the signers and the audit read them. */
  const events: BridgeLog[] = []
  const refunds: { script: Uint8Array; valueSats: bigint; requestId: bigint }[] = []
  let heldSats = 0n

  async function call(from: Uint8Array, method: string, args: unknown[] = [], options: { value?: bigint } = {}): Promise<BridgeCallResult> {
    const r = await vm.call(from, method, args, options)
    if (r.ok) r.logs.forEach((l, i) => events.push({ blockNumber: Number(vm.blockNumber), logIndex: events.length + i, name: l.name, args: l.args }))
    vm.blockNumber += 1n
    return r
  }

  async function confirmed(raw: Uint8Array): Promise<MinedBlock> {
    const block = chain.mine([raw])
    chain.mineEmpty(5)
    const r = await call(relayer, 'receiveBtcHeaders', [chain.headersFrom(relayed + 1)])
    expect(r.code).toBeUndefined()
    relayed = chain.height
    return block
  }

  async function reserves() {
    const r = (await vm.call(relayer, 'getReserves')).result
    return { fed: r[0] as bigint, supply: r[1] as bigint, pending: r[2] as bigint }
  }

  /** Reserves = supply + pending + what is held; nothing minted that was not locked. */
  async function expectBalanced(): Promise<void> {
    const r = await reserves()
    expect(r.fed * WEI).toBe(r.supply + (r.pending + heldSats) * WEI)
  }

  /** Registers `raw` and expects one refund to `script`, for the output's whole value, with no mint. */
  async function expectRefunded(raw: Uint8Array, vout: number, value: bigint, script: Uint8Array, reason: RegExp): Promise<void> {
    const block = await confirmed(raw)
    const before = await reserves()
    const r = await call(relayer, 'registerBtcTransaction', [raw, block.proof()])
    expect(r.code).toBeUndefined()
    expect(r.logs.map((l) => l.name)).toEqual(['PegInRefunded', 'PegOutRequested'])
    const [refunded, requested] = r.logs
    expect(refunded!.args.txid).toBe(hex(txidOf(raw)))
    expect(Number(refunded!.args.vout)).toBe(vout)
    expect(refunded!.args.valueSats).toBe(value)
    expect(refunded!.args.refundScript).toBe(hex(script))
    expect(refunded!.args.reason).toMatch(reason)
    expect(requested!.args.id).toBe(refunded!.args.requestId)
    expect(requested!.args.requester.toLowerCase()).toBe(hex(BRIDGE_ADDRESS))
    expect(requested!.args.btcScript).toBe(hex(script))
    const after = await reserves()
    expect(after).toEqual({ fed: before.fed + value, supply: before.supply, pending: before.pending + value })
    const q = (await vm.call(relayer, 'getPegOut', [refunded!.args.requestId])).result
    expect(q.status).toBe(1n)
    expect(q.valueSats).toBe(value)
    refunds.push({ script, valueSats: value, requestId: refunded!.args.requestId })
    // Each outpoint once.
    expect((await call(relayer, 'registerBtcTransaction', [raw, block.proof()])).code).toBe('PEG_ALREADY_REGISTERED')
    await expectBalanced()
  }

  beforeAll(async () => {
    cfg = config()
    fedScript = federationScriptPubKey(cfg.federation)
    vm = await openBridgeVm(cfg)
  })

  it('no memo, paid from a P2WPKH wallet: refunded on Bitcoin to that wallet', async () => {
    const w = wallet(0x31)
    const raw = spend({ witness: [w.signature, w.pubkey] }, [{ script: fedScript, value: 300_000n }])
    await expectRefunded(raw, 0, 300_000n, w.p2wpkh, /^no memo: refunded on Bitcoin to the first input's p2wpkh script/)
    expect(await vm.balance(alice)).toBe(0n)
  })

  it('a malformed memo, paid from a P2PKH wallet: refunded to the P2PKH script', async () => {
    const w = wallet(0x41)
    const bad = Uint8Array.of(0x6a, 0x05, ...MEMO_MAGIC, 0x02) // the magic, then an unknown version
    const raw = spend({ scriptSig: bscript.compile([w.signature, w.pubkey]) }, [
      { script: bad, value: 0n },
      { script: fedScript, value: 250_000n },
    ])
    await expectRefunded(raw, 1, 250_000n, w.p2pkh, /^a malformed memo: refunded on Bitcoin to the first input's p2pkh script/)
  })

  it('two memos, one with a refund script: nothing minted to either recipient; refunded to the memo\'s refund script', async () => {
    const w = wallet(0x51)
    const refundTo = payments.p2wsh({ hash: new Uint8Array(32).fill(0x5a) }).output!
    const raw = spend({ witness: [w.signature, w.pubkey] }, [
      { script: fedScript, value: 400_000n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: refundTo }), value: 0n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: bob }), value: 0n },
    ])
    await expectRefunded(raw, 0, 400_000n, refundTo, /^more than one memo: refunded on Bitcoin to the memo's refund script/)
    expect(await vm.balance(alice)).toBe(0n)
    expect(await vm.balance(bob)).toBe(0n)
  })

  it('a memo refund script naming the federation itself is not used: the first input\'s script is', async () => {
    const w = wallet(0x61)
    const raw = spend({ witness: [w.signature, w.pubkey] }, [
      { script: fedScript, value: 200_000n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: fedScript }), value: 0n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: alice, refundScript: fedScript }), value: 0n },
    ])
    await expectRefunded(raw, 0, 200_000n, w.p2wpkh, /first input's p2wpkh/)
  })

  it('a funder Bitcoin does not reveal (taproot key path): held for its owner, then refunded by a claim with the funding transaction', async () => {
    const owner = wallet(0x71)
    // The owner's funding transaction, made elsewhere: output 1 is theirs.
    const fundingTx = spend({ witness: [owner.signature, owner.pubkey] }, [
      { script: payments.p2wpkh({ hash: new Uint8Array(20).fill(1) }).output!, value: 10_000n },
      { script: owner.p2wpkh, value: 600_000n },
    ])
    const raw = spend({ witness: [new Uint8Array(64).fill(0x99)], prev: { txid: txidOf(fundingTx), vout: 1 } }, [{ script: fedScript, value: 500_000n }])
    const txid = txidOf(raw)
    const block = await confirmed(raw)
    const before = await reserves()
    const r = await call(relayer, 'registerBtcTransaction', [raw, block.proof()])
    expect(r.code).toBeUndefined()
    expect(r.logs.map((l) => l.name)).toEqual(['PegInHeld'])
    expect(r.logs[0]!.args.reason).toMatch(/^no memo: no refund script is known .*held for its owner; refundHeldPayment/)
    expect(await reserves()).toEqual({ ...before, fed: before.fed + 500_000n })
    heldSats += 500_000n
    await expectBalanced()
    const view = (await vm.call(relayer, 'getHeldPayment', [txid, 0])).result
    expect(view[0]).toBe(500_000n)
    expect(view[1]).toBe(hex(txidOf(fundingTx)))
    expect(Number(view[2])).toBe(1)
    expect((await call(relayer, 'registerBtcTransaction', [raw, block.proof()])).code).toBe('PEG_ALREADY_REGISTERED')

    // Claims that must fail change nothing: another transaction, an outpoint not held, value sent along.
    expect((await call(relayer, 'refundHeldPayment', [txid, 0, raw])).code).toBe('BRIDGE_FUNDING_TX_MISMATCH')
    expect((await call(relayer, 'refundHeldPayment', [txid, 1, fundingTx])).code).toBe('BRIDGE_NOT_HELD')
    await vm.fund(relayer, 10n ** 18n)
    expect((await call(relayer, 'refundHeldPayment', [txid, 0, fundingTx], { value: 1n })).code).toBe('BRIDGE_NOT_PAYABLE')
    // Anyone may claim; the destination is the funding output's script, whoever calls.
    const c = await call(bob, 'refundHeldPayment', [txid, 0, fundingTx])
    expect(c.code).toBeUndefined()
    expect(c.logs.map((l) => l.name)).toEqual(['HeldPaymentRefunded', 'PegOutRequested'])
    expect(c.logs[0]!.args.refundScript).toBe(hex(owner.p2wpkh))
    expect(c.logs[1]!.args.requester.toLowerCase()).toBe(hex(BRIDGE_ADDRESS))
    expect(c.result).toBe(c.logs[0]!.args.requestId)
    refunds.push({ script: owner.p2wpkh, valueSats: 500_000n, requestId: c.result })
    heldSats -= 500_000n
    expect((await reserves()).pending).toBe(before.pending + 500_000n)
    await expectBalanced()
    expect((await vm.call(relayer, 'getHeldPayment', [txid, 0])).result[0]).toBe(0n)
    expect((await call(relayer, 'refundHeldPayment', [txid, 0, fundingTx])).code).toBe('BRIDGE_NOT_HELD')
  })

  it('below the peg-out minimum: held in the reserves (it cannot pay a refund output), a claim refused', async () => {
    const w = wallet(0x81)
    const raw = spend({ witness: [w.signature, w.pubkey] }, [{ script: fedScript, value: 15_000n }])
    const block = await confirmed(raw)
    const r = await call(relayer, 'registerBtcTransaction', [raw, block.proof()])
    expect(r.logs.map((l) => l.name)).toEqual(['PegInHeld'])
    expect(r.logs[0]!.args.reason).toMatch(/below the peg-out minimum of 20000/)
    heldSats += 15_000n
    await expectBalanced()
    expect((await call(relayer, 'refundHeldPayment', [txidOf(raw), 0, raw])).code).toBe('PEG_BELOW_MINIMUM')
  })

  it('a deposit and a memo-less output in one transaction: the deposit minted, the other output refunded', async () => {
    const w = wallet(0x91)
    expect((await call(relayer, 'registerDepositAddress', [alice])).code).toBeUndefined()
    const { depositScriptPubKey } = await import('../../../../peg/bitcoin/index.js')
    const raw = spend({ witness: [w.signature, w.pubkey] }, [
      { script: depositScriptPubKey(cfg.federation, CHAIN_ID, alice), value: 1_000_000n },
      { script: fedScript, value: 100_000n },
    ])
    const block = await confirmed(raw)
    const r = await call(relayer, 'registerBtcTransaction', [raw, block.proof()])
    expect(r.logs.map((l) => l.name)).toEqual(['PegInMinted', 'PegInRefunded', 'PegOutRequested'])
    expect(await vm.balance(alice)).toBe(1_000_000n * WEI)
    refunds.push({ script: w.p2wpkh, valueSats: 100_000n, requestId: r.logs[1]!.args.requestId })
    await expectBalanced()
  })

  it('refuses a peg-out to the federation\'s address or to a registered deposit address, burning nothing', async () => {
    const balance = await vm.balance(alice)
    const before = await reserves()
    for (const address of [federationAddress(cfg.federation, rb), depositAddress(cfg.federation, CHAIN_ID, alice, rb)]) {
      const r = await call(alice, 'pegOut', [address], { value: 100_000n * WEI })
      expect(r.code).toBe('PEG_PAYS_FEDERATION')
    }
    expect(await vm.balance(alice)).toBe(balance)
    expect(await reserves()).toEqual(before)
  })

  it('the refunds leave in one batch paying each refund script its value less its fee share; signers recompute it; the audit balances', async () => {
    // A signer's wallet from the same events, as the daemon keeps it.
    const ledger = new FederationLedger()
    for (const e of events) {
      const le = ledgerEventOf(e)
      if (le !== undefined) ledger.apply(le)
    }
    vm.blockNumber += 3n
    const r = await call(relayer, 'flushPegOuts')
    expect(r.code).toBeUndefined()
    const batched = r.logs.find((l) => l.name === 'PegOutBatched')!
    expect(Number(batched.args.requestCount)).toBe(refunds.length)
    const requests = ledger.requestRange(batched.args.firstRequestId, refunds.length)!
    expect(requests.map((q) => q.id)).toEqual(refunds.map((x) => x.requestId))
    const mine = buildBatch(ledger.utxos(), requests, { fed: cfg.federation, chainId: CHAIN_ID, feeRateSatPerVb: batched.args.feeRate })
    expect(batched.args.unsignedTx).toBe(hex(mine.unsignedTx))
    const tx = Transaction.fromBuffer(mine.unsignedTx)
    refunds.forEach((x, i) => {
      expect(hex(tx.outs[i]!.script)).toBe(hex(x.script))
      expect(BigInt(tx.outs[i]!.value)).toBe(x.valueSats - mine.feeShares[i]!)
    })
    for (const k of memberKeys.slice(0, 2)) {
      const member = cfg.members[memberKeys.indexOf(k)]!
      expect((await call(member, 'addSignatures', [batched.args.batchId, encodeSignatures(signBatch(mine, k, cfg.federation, CHAIN_ID))])).code).toBeUndefined()
    }
    const signed = events.find((e) => e.name === 'PegOutSigned')!
    const signedTx = Uint8Array.from(Buffer.from((signed.args.signedTx as string).slice(2), 'hex'))
    const block = await confirmed(signedTx)
    const c = await call(relayer, 'registerBtcTransaction', [signedTx, block.proof()])
    expect(c.logs.map((l) => l.name)).toEqual(['PegOutConfirmed'])
    const res = await reserves()
    expect(res.pending).toBe(0n)
    await expectBalanced()

    // `causeway audit`'s checks over the replayed events and the bridge's counters.
    const replay = replayBridgeEvents(events)
    expect(replay.refundedPayments).toBe(refunds.length)
    expect(replay.heldPayments.map((h) => h.valueSats)).toEqual([15_000n])
    const audit = auditFindings({
      ledger: replay,
      reserves: { federationSats: res.fed, nativeSupplyWei: res.supply, pendingPegOutSats: res.pending },
      nodePeggedWei: res.supply,
      // This test's state holds only minted coin: the native supply is minted − burned.
      nativeSupplyWei: res.supply,
      nodeBalanced: true,
      heldSats,
      utxoFindings: [],
    })
    expect(audit.findings).toEqual([])
  })
})
