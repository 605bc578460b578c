// The Bitcoin peg end to end with real processes: bcoin regtest, three validators (threshold 2) whose chain has the
// bridge, three signer daemons. Transactions are built and signed with bitcoinjs-lib (the demo wallet).
import { payments } from 'bitcoinjs-lib'
import { Contract, Wallet, parseUnits } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../spv/base/bytes.js'
import { depositScriptPubKey, encodePegInMemo, federationScriptPubKey, createFederation } from '../../../peg/bitcoin/index.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
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
    // Gas money for the users (development allocation, not pegged).
    for (const to of [alice.address, bob.address]) await (await w.funded.sendTransaction({ to, value: parseUnits('0.01', 18) }))!.wait()
  }, 240_000)

  afterAll(async () => {
    await w?.close()
  })

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
    const early = await asAlice.registerBtcDeposit!.estimateGas(pay.raw, proof, alice.address).catch((e: unknown) => e)
    console.log('early', early, (early as { data?: unknown }).data)
    expect(early).toMatchObject({ revert: { name: 'BridgeError', args: ['PEG_NOT_ENOUGH_CONFIRMATIONS', expect.any(String)] } })
    expect(await w.provider.getBalance(alice.address)).toBe(parseUnits('0.01', 18))
    await w.mine(1)
    await w.waitFor('headers', async () => (await bridgeHeight()) >= (await w.bcoin.rpc.getBlockCount()))
    const receipt = await (await asAlice.registerBtcDeposit!(pay.raw, proof, alice.address)).wait()
    expect(receipt.status).toBe(1)
    expect(await w.provider.getBalance(alice.address)).toBe(parseUnits('0.01', 18) + 10n ** 18n - BigInt(receipt.gasUsed) * BigInt(receipt.gasPrice))
    await expect(asAlice.registerBtcDeposit!.estimateGas(pay.raw, proof, alice.address)).rejects.toMatchObject({
      revert: { args: ['PEG_ALREADY_REGISTERED', expect.any(String)] },
    })
    const [fedSats, supply] = await w.bridge.getReserves!()
    expect(fedSats).toBe(100_000_000n)
    expect(supply).toBe(10n ** 18n)
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
})
