// The bridge's peg rules end to end inside the EVM, over a synthetic regtest chain (real blocks, real proofs):
// peg-in to a deposit address (too early refused, then minted once), the OP_RETURN form, registered deposit
// addresses, a deposit below the minimum held then minted, the refusals of the list, a peg-out with its
// refusals, batching at the interval, members' signatures (non-members, doubles and bad signatures refused), the
// assembled transaction, its confirmation, and reserves that balance at every step.
import { Transaction, payments } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { parseBridgeConfig, type BridgeConfig } from '../../../../sidechain/bridge/config.js'
import {
  buildBatch,
  depositAddress,
  depositScriptPubKey,
  encodePegInMemo,
  encodeSignatures,
  federationScriptPubKey,
  signBatch,
  addressNetworkFor,
  type FederationUtxo,
} from '../../../../peg/bitcoin/index.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import { openBridgeVm, type BridgeVm } from '../../../helpers/bridge-vm.js'
import { RegtestChain, type MinedBlock } from '../../../helpers/regtest-chain.js'

const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x10 + i))
const memberPubkeys = memberKeys.map((k) => ecc.pointFromScalar(k, true)!)
const CHAIN_ID = 0xca05e1n
const WEI = 10n ** 10n
const rb = addressNetworkFor(regtest, 'rb')

const alice = new Uint8Array(20).fill(0xa1)
const bob = new Uint8Array(20).fill(0xb0)
const carol = new Uint8Array(20).fill(0xc0)
const dave = new Uint8Array(20).fill(0xd0)
const relayer = new Uint8Array(20).fill(0x77)

function config(): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberPubkeys.map((p) => bytesToHex(p)), threshold: 2 },
      bitcoin: {
        network: 'regtest',
        bech32: 'rb',
        checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 },
        confirmations: 6,
      },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 3,
      feeRateFloor: 2,
    },
    CHAIN_ID,
  )
}

let fundingCounter = 0
/** A transaction paying `outputs` from a made-up funding outpoint (the bridge does not check inputs' scripts). */
function payTx(outputs: { script: Uint8Array; value: bigint }[]): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  const prev = Buffer.alloc(32)
  prev.writeUInt32LE(++fundingCounter, 0)
  tx.addInput(prev, 0, 0xfffffffd, Buffer.from([0x51]))
  for (const o of outputs) tx.addOutput(Buffer.from(o.script), o.value)
  return new Uint8Array(tx.toBuffer())
}

describe('bridge peg-in and peg-out (synthetic regtest chain)', () => {
  let vm: BridgeVm
  let cfg: BridgeConfig
  const chain = new RegtestChain()
  let relayed = 0
  const members = () => cfg.members

  async function relay(): Promise<void> {
    if (chain.height <= relayed) return
    const r = await vm.call(relayer, 'receiveBtcHeaders', [chain.headersFrom(relayed + 1)])
    expect(r.code).toBeUndefined()
    relayed = chain.height
  }

  async function confirm(block: MinedBlock, confirmations: number): Promise<void> {
    chain.mineEmpty(block.height + confirmations - 1 - chain.height)
    await relay()
  }

  async function reserves(): Promise<{ fed: bigint; supply: bigint; pending: bigint }> {
    const r = (await vm.call(relayer, 'getReserves')).result
    return { fed: r[0], supply: r[1], pending: r[2] }
  }

  async function expectBalanced(heldSats = 0n): Promise<void> {
    const r = await reserves()
    expect(r.fed * WEI).toBe(r.supply + (r.pending + heldSats) * WEI)
  }

  beforeAll(async () => {
    cfg = config()
    vm = await openBridgeVm(cfg)
  })

  it('gives each recipient its own deposit address', async () => {
    const a = (await vm.call(relayer, 'getDepositAddress', [alice])).result as string
    expect(a).toBe(depositAddress(cfg.federation, CHAIN_ID, alice, rb))
    expect(a.startsWith('rb1q')).toBe(true)
    expect((await vm.call(relayer, 'getDepositAddress', [bob])).result).not.toBe(a)
    const f = (await vm.call(relayer, 'getFederation')).result
    expect(Number(f[1])).toBe(2)
    expect(f[3]).toMatch(/^wsh\(sortedmulti\(2,.*\)\)#[a-z0-9]{8}$/)
  })

  it('peg-in of 1 BTC to a deposit address: one block too early refused, then minted exactly once', async () => {
    const raw = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, alice), value: 100_000_000n }])
    const block = chain.mine([raw])
    await confirm(block, 5)
    let r = await vm.call(relayer, 'registerBtcDeposit', [raw, block.proof(), alice])
    expect(r.code).toBe('PEG_NOT_ENOUGH_CONFIRMATIONS')
    expect(await vm.balance(alice)).toBe(0n)
    await confirm(block, 6)
    r = await vm.call(relayer, 'registerBtcDeposit', [raw, block.proof(), alice])
    expect(r.code).toBeUndefined()
    expect(await vm.balance(alice)).toBe(10n ** 18n)
    expect(r.logs.map((l) => l.name)).toEqual(['PegInMinted'])
    // The same proof again, by either entry point.
    expect((await vm.call(relayer, 'registerBtcDeposit', [raw, block.proof(), alice])).code).toBe('PEG_ALREADY_REGISTERED')
    expect((await vm.call(relayer, 'registerBtcTransaction', [raw, block.proof()])).code).toBe('PEG_NO_FEDERATION_OUTPUT')
    expect(await vm.balance(alice)).toBe(10n ** 18n)
    const txid = Transaction.fromBuffer(Buffer.from(raw)).getHash()
    expect((await vm.call(relayer, 'isBtcOutpointRegistered', [txid, 0])).result).toBe(true)
    expect(await reserves()).toEqual({ fed: 100_000_000n, supply: 10n ** 18n, pending: 0n })
  })

  it('the OP_RETURN form to the plain federation address mints the same way', async () => {
    const raw = payTx([
      { script: federationScriptPubKey(cfg.federation), value: 50_000_000n },
      { script: encodePegInMemo({ chainId: CHAIN_ID, recipient: bob }), value: 0n },
    ])
    const block = chain.mine([raw])
    await confirm(block, 6)
    const r = await vm.call(relayer, 'registerBtcTransaction', [raw, block.proof()])
    expect(r.code).toBeUndefined()
    expect(await vm.balance(bob)).toBe(50_000_000n * WEI)
    expect((await vm.call(relayer, 'registerBtcTransaction', [raw, block.proof()])).code).toBe('PEG_ALREADY_REGISTERED')
    await expectBalanced()
  })

  it('a registered deposit address is found by the two-argument registration', async () => {
    expect((await vm.call(relayer, 'registerDepositAddress', [carol])).logs.map((l) => l.name)).toEqual(['DepositAddressRegistered'])
    const raw = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, carol), value: 30_000_000n }])
    const block = chain.mine([raw])
    await confirm(block, 6)
    expect((await vm.call(relayer, 'registerBtcTransaction', [raw, block.proof()])).code).toBeUndefined()
    expect(await vm.balance(carol)).toBe(30_000_000n * WEI)
  })

  it('a deposit below the minimum is held (refused event), then minted with the next deposit', async () => {
    const small = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, dave), value: 5_000n }])
    const b1 = chain.mine([small])
    await confirm(b1, 6)
    let r = await vm.call(relayer, 'registerBtcDeposit', [small, b1.proof(), dave])
    expect(r.code).toBeUndefined()
    expect(r.logs.map((l) => l.name)).toEqual(['PegInRefused'])
    expect(r.logs[0]!.args.reason).toMatch(/below minimum/)
    expect(await vm.balance(dave)).toBe(0n)
    expect((await vm.call(relayer, 'getHeldDeposits', [dave])).result).toBe(5_000n)
    await expectBalanced(5_000n)
    const more = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, dave), value: 6_000n }])
    const b2 = chain.mine([more])
    await confirm(b2, 6)
    r = await vm.call(relayer, 'registerBtcDeposit', [more, b2.proof(), dave])
    expect(r.logs.map((l) => l.name)).toEqual(['PegInMinted'])
    expect(await vm.balance(dave)).toBe(11_000n * WEI)
    expect((await vm.call(relayer, 'getHeldDeposits', [dave])).result).toBe(0n)
    await expectBalanced()
  })

  it('refuses, minting nothing: a side-branch block, no federation output, a 64-byte transaction, an unknown block', async () => {
    const before = await reserves()
    // A fork block two below the tip: known to the bridge, but not on its best chain.
    const raw = payTx([{ script: depositScriptPubKey(cfg.federation, CHAIN_ID, alice), value: 1_000_000n }])
    const forkParent = chain.blocks[chain.height - 3]!
    const fork = chain.mine([raw], { parent: forkParent, tag: 7 })
    expect((await vm.call(relayer, 'receiveBtcHeaders', [fork.header])).code).toBeUndefined()
    expect((await vm.call(relayer, 'registerBtcDeposit', [raw, fork.proof(), alice])).code).toBe('BRIDGE_NOT_BEST_CHAIN')
    // Pays no federation script.
    const other = payTx([{ script: payments.p2wpkh({ hash: Buffer.alloc(20, 9) }).output!, value: 1_000_000n }])
    const b = chain.mine([other])
    await confirm(b, 6)
    expect((await vm.call(relayer, 'registerBtcTransaction', [other, b.proof()])).code).toBe('PEG_NO_FEDERATION_OUTPUT')
    expect((await vm.call(relayer, 'registerBtcDeposit', [other, b.proof(), alice])).code).toBe('PEG_NO_FEDERATION_OUTPUT')
    // A 64-byte transaction (one input with an empty script, one output with a 4-byte script).
    const t64 = new Transaction()
    t64.addInput(Buffer.alloc(32, 3), 0, 0xffffffff, Buffer.alloc(0))
    t64.addOutput(Buffer.from([0x6a, 0x02, 0x01, 0x02]), 0n)
    const raw64 = new Uint8Array(t64.toBuffer())
    expect(raw64.length).toBe(64)
    const b64 = chain.mine([raw64])
    await confirm(b64, 6)
    expect((await vm.call(relayer, 'registerBtcTransaction', [raw64, b64.proof()])).code).toBe('SPV_TX_64_BYTES')
    // A block the bridge never saw.
    const unseen = new RegtestChain().mine([raw])
    expect((await vm.call(relayer, 'registerBtcDeposit', [raw, unseen.proof(), alice])).code).toBe('BRIDGE_BLOCK_UNKNOWN')
    expect(await reserves()).toEqual(before)
  })

  it('peg-out refusals burn nothing; a good request burns its value and queues', async () => {
    const p2wpkh = payments.p2wpkh({ hash: Buffer.alloc(20, 0x42), network: rb as never }).address!
    const bal = await vm.balance(alice)
    expect((await vm.call(alice, 'pegOut', ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'], { value: 40_000_000n * WEI })).code).toBe('PEG_ADDRESS_WRONG_NETWORK')
    expect((await vm.call(alice, 'pegOut', ['not an address'], { value: 40_000_000n * WEI })).code).toBe('PEG_ADDRESS_INVALID')
    expect((await vm.call(alice, 'pegOut', [p2wpkh], { value: 40_000_000n * WEI + 1n })).code).toBe('PEG_NOT_WHOLE_SATOSHI')
    expect((await vm.call(alice, 'pegOut', [p2wpkh], { value: 19_999n * WEI })).code).toBe('PEG_BELOW_MINIMUM')
    expect(await vm.balance(alice)).toBe(bal)
    // The attack: unpegged coin (a genesis allocation) trying to claim more satoshis than were ever pegged in.
    const mallory = new Uint8Array(20).fill(0x3e)
    const pegged = (await reserves()).supply
    await vm.fund(mallory, pegged + 10n ** 18n)
    const r0 = await vm.call(mallory, 'pegOut', [p2wpkh], { value: pegged + 100_000n * WEI })
    expect(r0.code).toBe('BRIDGE_EXCEEDS_PEGGED_SUPPLY')
    expect(await vm.balance(mallory)).toBe(pegged + 10n ** 18n)
    const supplyBefore = (await reserves()).supply
    const r = await vm.call(alice, 'pegOut', [p2wpkh], { value: 40_000_000n * WEI })
    expect(r.code).toBeUndefined()
    expect(r.result).toBe(1n)
    expect(r.logs.map((l) => l.name)).toEqual(['PegOutRequested'])
    expect(await vm.balance(alice)).toBe(bal - 40_000_000n * WEI)
    const after = await reserves()
    expect(after.supply).toBe(supplyBefore - 40_000_000n * WEI)
    expect(after.pending).toBe(40_000_000n)
    await expectBalanced()
    expect((await vm.call(relayer, 'getPegOut', [1n])).result.status).toBe(1n)
  })

  it('batches at the interval; members sign; the assembled transaction confirms; reserves balance throughout', async () => {
    expect((await vm.call(relayer, 'flushPegOuts')).code).toBe('PEG_BATCH_NOT_DUE')
    vm.blockNumber += 3n
    const utxosBefore = await federationUtxos()
    const r = await vm.call(relayer, 'flushPegOuts')
    expect(r.code).toBeUndefined()
    expect(r.result).toBe(1n)
    const batched = r.logs.find((l) => l.name === 'PegOutBatched')!
    // A signer's recomputation from the same UTXOs and requests gives the same transaction.
    const request = (await vm.call(relayer, 'getPegOut', [1n])).result
    const mine = buildBatch(utxosBefore, [{ id: 1n, scriptPubKey: Buffer.from(request.btcScript.slice(2), 'hex'), valueSats: request.valueSats }], {
      fed: cfg.federation,
      chainId: CHAIN_ID,
      feeRateSatPerVb: 2n,
    })
    expect(batched.args.unsignedTx).toBe('0x' + bytesToHex(mine.unsignedTx))
    const tx = Transaction.fromBuffer(Buffer.from(mine.unsignedTx))
    expect(tx.outs.length).toBe(2)
    expect(BigInt(tx.outs[0]!.value)).toBe(40_000_000n - mine.feeShares[0]!)
    expect((await vm.call(relayer, 'getPegOut', [1n])).result.feeSats).toBe(mine.feeSats)
    await expectBalanced()

    const sigs = memberKeys.map((k) => encodeSignatures(signBatch(mine, k, cfg.federation, CHAIN_ID)))
    expect((await vm.call(relayer, 'addSignatures', [1n, sigs[0]!])).code).toBe('BRIDGE_NOT_FEDERATION')
    expect((await vm.call(members()[1]!, 'addSignatures', [1n, sigs[2]!])).code).toBe('BRIDGE_BAD_SIGNATURES')
    let s = await vm.call(members()[0]!, 'addSignatures', [1n, sigs[0]!])
    expect(s.code).toBeUndefined()
    expect(s.logs.map((l) => l.name)).toEqual(['PegOutSignatures'])
    expect((await vm.call(members()[0]!, 'addSignatures', [1n, sigs[0]!])).code).toBe('BRIDGE_ALREADY_SIGNED')
    s = await vm.call(members()[2]!, 'addSignatures', [1n, sigs[2]!])
    expect(s.logs.map((l) => l.name)).toEqual(['PegOutSignatures', 'PegOutSigned'])
    const signedTx = Buffer.from((s.logs[1]!.args.signedTx as string).slice(2), 'hex')
    const signed = Transaction.fromBuffer(signedTx)
    expect(signed.getId()).toBe(tx.getId())
    for (const input of signed.ins) expect(input.witness.length).toBe(4) // empty, two signatures, witness script
    expect((await vm.call(members()[1]!, 'addSignatures', [1n, sigs[1]!])).code).toBe('BRIDGE_BATCH_NOT_SIGNABLE')
    await expectBalanced()

    // Confirmed on Bitcoin: the request closes, the spent value leaves the reserves, the change joins them.
    const block = chain.mine([new Uint8Array(signedTx)])
    await confirm(block, 6)
    const before = await reserves()
    const c = await vm.call(relayer, 'registerBtcTransaction', [new Uint8Array(signedTx), block.proof()])
    expect(c.code).toBeUndefined()
    expect(c.logs.map((l) => l.name)).toEqual(['PegOutConfirmed'])
    const after = await reserves()
    expect(after.pending).toBe(0n)
    expect(after.fed).toBe(before.fed - 40_000_000n)
    expect(after.supply).toBe(before.supply)
    await expectBalanced()
    expect((await vm.call(relayer, 'getPegOut', [1n])).result.status).toBe(4n)
    const change = (await federationUtxos()).at(-1)!
    expect(change.valueSats).toBe(mine.changeSats)
    expect(Buffer.from(change.txid).equals(signed.getHash())).toBe(true)
    expect((await vm.call(relayer, 'registerBtcTransaction', [new Uint8Array(signedTx), block.proof()])).code).toBe('PEG_ALREADY_REGISTERED')
  })

  /** The bridge's UTXO set in order, read through its state (what a signer reconstructs from events). */
  async function federationUtxos(): Promise<FederationUtxo[]> {
    const { BtcBridgeState: BridgeState } = await import('../../../../sidechain/bridge/bitcoin/state.js')
    const { AccountStorage } = await import('../../../../sidechain/bridge/storage.js')
    const { BRIDGE_ADDRESS } = await import('../../../../sidechain/chain/params.js')
    const state = new BridgeState(new AccountStorage(vm.vm.stateManager as never, BRIDGE_ADDRESS), CHAIN_ID)
    return (await state.utxos()).map((u) => u.utxo)
  }
})
