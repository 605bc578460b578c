// A signer that refused a batch once comes back to it (GitHub issue 11, item 4): its Bitcoin node looks behind
// (a proxy answers gettxout with null), so it refuses with SIGNER_INPUT_SPENT while the only other running member
// has signed; once its node answers again it signs on a later round, without a restart, and the batch completes.
import { readFileSync, writeFileSync } from 'node:fs'
import { Contract, Wallet, parseUnits } from 'ethers'
import { payments } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { createFederation, encodePegInMemo, federationScriptPubKey } from '../../../peg/bitcoin/index.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { startRewriteProxy, type RewriteProxy } from '../../helpers/rpc-rewrite-proxy.js'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { bcoinRegtest } from '../../../regtest/bitcoin/network.js'

const WEI = 10n ** 10n

describe('signer re-review of a batch it refused', () => {
  let w: PegWorld
  let proxy: RewriteProxy | undefined
  let behind = true

  beforeAll(async () => {
    // Only member 0 runs at first; member 1 starts behind the proxy, member 2 stays stopped.
    w = await startPegWorld({ startSigners: [0] })
  }, 240_000)

  afterAll(async () => {
    await w?.close()
    await proxy?.close()
  })

  it('signs on a later round once its Bitcoin node reports the inputs unspent', async () => {
    const fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    const bob = Wallet.createRandom()
    await (await w.funded.sendTransaction({ to: bob.address, value: parseUnits('0.01', 18) }))!.wait()
    // A peg-in to the plain federation script (OP_RETURN memo), relayed by member 0.
    const before = await w.provider.getBalance(bob.address)
    await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: 50_000_000n }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(bob.address, 'bob', 20) }).subarray(2),
    })
    await w.mine(6)
    await w.waitFor('the peg-in', async () => (await w.provider.getBalance(bob.address)) === before + 50_000_000n * WEI, 90_000)

    const s1 = w.signers[1]!
    proxy = await startRewriteProxy(JSON.parse(readFileSync(w.signers[0]!.configFile, 'utf8')).bitcoin.rpcUrl, (method, result) =>
      method === 'gettxout' && behind ? null : result,
    )
    const config = JSON.parse(readFileSync(s1.configFile, 'utf8'))
    writeFileSync(s1.configFile, JSON.stringify({ ...config, bitcoin: { ...config.bitcoin, rpcUrl: proxy.url } }))
    const mark = s1.output().length
    await s1.start()

    const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x5a), network: bcoinRegtest })
    const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, bob.connect(w.provider))
    const receipt = await (await c.pegOut!(payee.address!, { value: 2_000_000n * WEI })).wait()
    const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
    const batchId = await w.waitFor('the batch', async () => {
      const r = await w.bridge.getPegOut!(id)
      return Number(r.status) >= 2 ? (r.batchId as bigint) : undefined
    }, 60_000)
    await w.waitFor('member 0 to sign', async () => (Number((await w.bridge.getBatch!(batchId)).signers) & 1) === 1, 30_000)
    await w.waitFor('member 1 to refuse', async () => s1.output().slice(mark).includes('"code":"SIGNER_INPUT_SPENT"'), 30_000)
    expect(Number((await w.bridge.getBatch!(batchId)).status)).toBe(2)

    // Its node catches up: the same process signs on a later round and the batch completes.
    behind = false
    await w.waitFor('the batch to be complete', async () => Number((await w.bridge.getBatch!(batchId)).status) >= 3, 30_000)
    expect(Number((await w.bridge.getBatch!(batchId)).signers) & 3).toBe(3)
    expect(s1.output().slice(mark)).toContain('"signed a batch"')
  }, 240_000)
})
