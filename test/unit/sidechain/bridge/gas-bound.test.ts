// Issue 12 item 2, through the bridge ABI inside the EVM over a synthetic regtest chain (real blocks and proofs):
// with 1,000 and then 10,000 registered deposit addresses, one registerBtcTransaction of a transaction paying 100
// of them is charged the same gas and does work linear in the transaction (before: one scan of the transaction per
// recipient it paid, run to the end before gas was compared). A call with too little gas fails out of gas, changes
// nothing, and has read no more slots than it paid for.
import { Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { parseBridgeConfig, type BridgeConfig } from '../../../../sidechain/bridge/config.js'
import { BtcBridgeState as BridgeState } from '../../../../sidechain/bridge/bitcoin/state.js'
import { AccountStorage } from '../../../../sidechain/bridge/storage.js'
import { BRIDGE_GAS } from '../../../../sidechain/bridge/precompile.js'
import { BRIDGE_ADDRESS } from '../../../../sidechain/chain/params.js'
import { depositScriptPubKey } from '../../../../peg/bitcoin/index.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import { openBridgeVm, type BridgeVm } from '../../../helpers/bridge-vm.js'
import { RegtestChain } from '../../../helpers/regtest-chain.js'

const memberPubkeys = [1, 2, 3].map((i) => ecc.pointFromScalar(new Uint8Array(32).fill(0x20 + i), true)!)
const CHAIN_ID = 0xca05e7n
const relayer = new Uint8Array(20).fill(0x77)
/** Deposit outputs of the attack transaction (BRIDGE_GAS_PAID=1000 reproduces the figures). */
const PAID = Number(process.env.BRIDGE_GAS_PAID ?? 100)

function config(): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberPubkeys.map((p) => bytesToHex(p)), threshold: 2 },
      bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 }, confirmations: 2 },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 1,
      feeRateFloor: 2,
    },
    CHAIN_ID,
  )
}

function recipient(i: number): Uint8Array {
  const r = new Uint8Array(20)
  new DataView(r.buffer).setUint32(0, i + 1)
  r[19] = 0x5a
  return r
}

function payTx(scripts: Uint8Array[]): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  tx.addInput(Buffer.alloc(32, 0x11), 0, 0xfffffffd, Buffer.from([0x51]))
  for (const s of scripts) tx.addOutput(Buffer.from(s), 20_000n)
  return new Uint8Array(tx.toBuffer())
}

/** A bridge with `registered` deposit addresses (written straight into its storage: the setup, not the attack). */
async function world(registered: number) {
  const cfg = config()
  const vm = await openBridgeVm(cfg)
  const state = new BridgeState(new AccountStorage(vm.vm.stateManager as never, BRIDGE_ADDRESS), CHAIN_ID)
  const scripts: Uint8Array[] = []
  for (let i = 0; i < registered; i++) {
    const script = depositScriptPubKey(cfg.federation, CHAIN_ID, recipient(i))
    await state.registerDepositScript(script, recipient(i))
    if (i < PAID) scripts.push(script)
  }
  const chain = new RegtestChain()
  const raw = payTx(scripts)
  const block = chain.mine([raw])
  chain.mineEmpty(3)
  expect((await vm.call(relayer, 'receiveBtcHeaders', [chain.headersFrom(1)])).code).toBeUndefined()
  return { vm, raw, proof: block.proof(), cfg }
}

/** Counts the bridge's slot reads and writes the EVM makes. */
function spy(vm: BridgeVm) {
  const sm = vm.vm.evm.stateManager as unknown as { getStorage: Function; putStorage: Function }
  const counts = { reads: 0, writes: 0 }
  const [get, put] = [sm.getStorage.bind(sm), sm.putStorage.bind(sm)]
  sm.getStorage = (a: { bytes: Uint8Array }, k: Uint8Array) => (bytesToHex(a.bytes) === bytesToHex(BRIDGE_ADDRESS) && counts.reads++, get(a, k))
  sm.putStorage = (a: { bytes: Uint8Array }, k: Uint8Array, v: Uint8Array) => (bytesToHex(a.bytes) === bytesToHex(BRIDGE_ADDRESS) && counts.writes++, put(a, k, v))
  return counts
}

describe('bridge gas bound (issue 12 item 2)', () => {
  it('charges the same gas for a deposit whatever the number of registered recipients', async () => {
    const gas: bigint[] = []
    for (const n of [1_000, 10_000]) {
      const w = await world(n)
      const t0 = process.cpuUsage()
      const r = await w.vm.call(relayer, 'registerBtcTransaction', [w.raw, w.proof])
      const cpu = process.cpuUsage(t0)
      expect(r.code).toBeUndefined()
      expect(r.logs.filter((l) => l.name === 'PegInMinted')).toHaveLength(Math.min(PAID, 100))
      console.log(`registered=${n} outputs=${PAID} gas=${r.gasUsed} cpu=${((cpu.user + cpu.system) / 1000).toFixed(0)}ms`)
      gas.push(r.gasUsed)
    }
    expect(gas[1]).toBe(gas[0])
  }, 300_000)

  it('fails out of gas with too little gas, changing nothing and reading no more than it paid', async () => {
    const w = await world(PAID)
    const limit = 150_000n
    const counts = spy(w.vm)
    const r = await w.vm.call(relayer, 'registerBtcTransaction', [w.raw, w.proof], { gasLimit: limit })
    expect(r.ok).toBe(false)
    expect(r.message).toBe('out of gas')
    // The precompile's OOG consumes all the gas the call was given (the EVM adds no more for a direct call).
    expect(r.gasUsed).toBe(limit)
    const upfront = BRIDGE_GAS.write + BigInt(w.raw.length + w.proof.length) * BRIDGE_GAS.argByte
    expect(upfront + BigInt(counts.reads) * BRIDGE_GAS.slotRead + BigInt(counts.writes) * BRIDGE_GAS.slotWrite).toBeLessThanOrEqual(limit)
    expect(counts.reads).toBeGreaterThan(0)
    const still = await w.vm.call(relayer, 'isBtcOutpointRegistered', [w.raw.length > 0 ? Transaction.fromBuffer(Buffer.from(w.raw)).getHash() : '0x', 0n])
    expect(still.result).toBe(false)
    expect(await w.vm.balance(recipient(0))).toBe(0n)
    // With enough gas the same call goes through.
    expect((await w.vm.call(relayer, 'registerBtcTransaction', [w.raw, w.proof])).code).toBeUndefined()
    expect(await w.vm.balance(recipient(0))).toBeGreaterThan(0n)
  }, 120_000)
})
