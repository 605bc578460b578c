// The bridge precompile over real Bitcoin mainnet data: its header chain starts at a checkpoint, takes relayed
// headers through IBridge.receiveBtcHeaders, and a real `gettxoutproof` of block 830,000 is checked against it —
// confirmations counted on the best chain, a forged proof and a bad header refused with codes and nothing changed.
import { Block, Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { beforeAll, describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { bytesToHex, hashToDisplayHex } from '../../../../spv/base/bytes.js'
import { hash256 } from '../../../../spv/bitcoin/hash.js'
import { parseBridgeConfig, type BridgeConfig } from '../../../../sidechain/bridge/config.js'
import { bridge, openBridgeVm, type BridgeVm } from '../../../helpers/bridge-vm.js'
import { Address } from '@ethereumjs/util'
import { hexlify } from 'ethers'
import { BRIDGE_ADDRESS } from '../../../../sidechain/chain/params.js'
import { bitcoinTestdata, MAINNET_HEADERS_FILE, MAINNET_HEADERS_START, readTestdata } from '../../../helpers/testdata.js'

const CHECKPOINT = 828_576 // a difficulty period's first block
const headersFile = readTestdata(MAINNET_HEADERS_FILE)
const headerAt = (h: number) => headersFile.slice((h - MAINNET_HEADERS_START) * 80, (h - MAINNET_HEADERS_START + 1) * 80)
const run = (from: number, to: number) => headersFile.slice((from - MAINNET_HEADERS_START) * 80, (to - MAINNET_HEADERS_START + 1) * 80)

export const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(i))
export const memberPubkeys = memberKeys.map((k) => ecc.pointFromScalar(k, true)!)

export function mainnetConfig(): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberPubkeys.map((p) => bytesToHex(p)), threshold: 2 },
      bitcoin: {
        network: 'mainnet',
        checkpoint: { height: CHECKPOINT, header: bytesToHex(headerAt(CHECKPOINT)), chainWork: (1n << 94n).toString() },
        confirmations: 6,
      },
    },
    0xca05e0n,
  )
}

const relayer = new Uint8Array(20).fill(0x77)
const block830000 = Block.fromBuffer(Buffer.from(readTestdata('mainnet-block-830000.bin')))
const proofFiles = readdirSync(path.join(bitcoinTestdata, 'txoutproof-830000')).sort()

async function relay(vm: BridgeVm, from: number, to: number): Promise<void> {
  for (let h = from; h <= to; h += 200) {
    const r = await vm.call(relayer, 'receiveBtcHeaders', [run(h, Math.min(h + 199, to))])
    expect(r.code).toBeUndefined()
  }
}

describe('bridge header chain (mainnet data)', () => {
  let vm: BridgeVm
  beforeAll(async () => {
    vm = await openBridgeVm(mainnetConfig())
  })

  it('starts at the checkpoint and follows relayed headers, emitting an event per call', async () => {
    let best = await vm.call(relayer, 'getBtcBestBlock')
    expect(Number(best.result[1])).toBe(CHECKPOINT)
    const r = await vm.call(relayer, 'receiveBtcHeaders', [run(CHECKPOINT + 1, CHECKPOINT + 200)])
    expect(r.ok).toBe(true)
    expect(r.result).toBe(200n)
    expect(r.logs.map((l) => l.name)).toEqual(['BtcHeadersReceived'])
    console.log(`receiveBtcHeaders: 200 headers cost ${r.gasUsed} gas`)
    await relay(vm, CHECKPOINT + 201, 830_004)
    best = await vm.call(relayer, 'getBtcBestBlock')
    expect(Number(best.result[1])).toBe(830_004)
    expect(best.result[0]).toBe('0x' + bytesToHex(hash256(headerAt(830_004))))
    const conf = await vm.call(relayer, 'getBtcConfirmations', [hash256(headerAt(830_000))])
    expect(conf.result).toBe(5n)
    expect((await vm.call(relayer, 'getBtcConfirmations', [new Uint8Array(32).fill(9)])).result).toBe(-1n)
    expect((await vm.call(relayer, 'getBtcBlockHash', [830_000n])).result).toBe('0x' + bytesToHex(hash256(headerAt(830_000))))
  })

  it('headers it already has connect nothing and emit nothing (issue 12 item 3: log stuffing)', async () => {
    const again = await vm.call(relayer, 'receiveBtcHeaders', [run(CHECKPOINT + 1, CHECKPOINT + 10)])
    expect(again.ok).toBe(true)
    expect(again.result).toBe(0n)
    expect(again.logs).toEqual([])
  })

  it('counts a real proof\'s confirmations: one short is refused, then a transaction that pays no federation is refused', async () => {
    const file = proofFiles[0]!
    const index = Number(/830000-(\d+)\.bin/.exec(file)![1])
    const tx = block830000.transactions![index]!
    const proof = readTestdata(path.join('txoutproof-830000', file))
    const raw = tx.toBuffer()
    let r = await vm.call(relayer, 'registerBtcTransaction', [raw, proof])
    expect(r.code).toBe('PEG_NOT_ENOUGH_CONFIRMATIONS')
    await relay(vm, 830_005, 830_005)
    r = await vm.call(relayer, 'registerBtcTransaction', [raw, proof])
    expect(r.code).toBe('PEG_NO_FEDERATION_OUTPUT')
    // A wrong merkle path: flip one byte of the first hash after the header and the count.
    const forged = proof.slice()
    forged[80 + 4 + 1 + 3]! ^= 1
    r = await vm.call(relayer, 'registerBtcTransaction', [raw, forged])
    expect(r.code).toMatch(/^SPV_/)
    // Another transaction of the block than the one proven.
    const other = block830000.transactions![index + 1]!
    r = await vm.call(relayer, 'registerBtcTransaction', [other.toBuffer(), proof])
    expect(r.code).toBe('SPV_PROOF_TX_NOT_MATCHED')
    expect(hashToDisplayHex(tx.getHash())).toHaveLength(64)
    expect(Transaction.fromBuffer(raw).getId()).toBe(tx.getId())
  })

  it('refuses bad headers with a code and changes nothing', async () => {
    const before = await vm.call(relayer, 'getBtcBestBlock')
    const bad = run(830_006, 830_008)
    bad[80 + 76]! ^= 0xff // the nonce of the second header: its proof of work fails
    const r = await vm.call(relayer, 'receiveBtcHeaders', [bad])
    expect(r.ok).toBe(false)
    expect(r.code).toBe('SPV_BAD_POW')
    expect((await vm.call(relayer, 'getBtcBestBlock')).result).toEqual(before.result)
    expect((await vm.call(relayer, 'receiveBtcHeaders', [new Uint8Array(79)])).code).toBe('BRIDGE_BAD_HEADERS')
  })

  it('refuses writes in a static call, value sent to a non-payable method, and unknown selectors', async () => {
    expect((await vm.call(relayer, 'receiveBtcHeaders', [run(830_006, 830_006)], { isStatic: true })).code).toBe('BRIDGE_STATIC_CALL')
    await vm.fund(relayer, 10n ** 18n)
    const r = await vm.call(relayer, 'receiveBtcHeaders', [run(830_006, 830_006)], { value: 5n })
    expect(r.code).toBe('BRIDGE_NOT_PAYABLE')
    expect(await vm.balance(relayer)).toBe(10n ** 18n)
    // Views refuse value too: getReserves with 12,345 sats used to succeed and keep them.
    for (const view of ['getReserves', 'getBtcBestBlock', 'getFeeRate'] as const) {
      const v = await vm.call(relayer, view, [], { value: 12_345n * 10n ** 10n })
      expect(v.code).toBe('BRIDGE_NOT_PAYABLE')
    }
    expect(await vm.balance(relayer)).toBe(10n ** 18n)
    expect(await vm.balance(BRIDGE_ADDRESS)).toBe(0n)
    const raw = await vm.vm.evm.runCall({ caller: new Address(relayer), to: new Address(BRIDGE_ADDRESS), data: Uint8Array.of(1, 2, 3, 4), gasLimit: 100_000n })
    expect(raw.execResult.exceptionError?.error).toBe('revert')
    expect(bridge.parseError(hexlify(raw.execResult.returnValue))?.args[0]).toBe('BRIDGE_UNKNOWN_METHOD')
  })

  it('without a bridge configured, every method reverts with BRIDGE_NOT_CONFIGURED', async () => {
    const bare = await openBridgeVm(undefined)
    expect((await bare.call(relayer, 'getBtcBestBlock')).code).toBe('BRIDGE_NOT_CONFIGURED')
    expect((await bare.call(relayer, 'receiveBtcHeaders', [run(CHECKPOINT + 1, CHECKPOINT + 1)])).code).toBe('BRIDGE_NOT_CONFIGURED')
  })
})
