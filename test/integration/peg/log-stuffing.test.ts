// Issue 12 item 3, "Log stuffing stops every signer and the audit", through the public interface (JSON-RPC, the
// bridge ABI, real bcoin, signer processes, the `causeway audit` CLI). Anyone who pays gas can put bridge events in
// a block range (here: deposit-address registrations for random recipients); a node refuses an eth_getLogs answer
// past its bound, and readers that asked for fixed windows retried the refused one forever — the signers stopped
// relaying and signing, the audit failed. The nodes here are configured with a bound of 20 logs and 50 blocks (the
// default is 10,000 and 10,000) so a few dozen events cross it; readers now split a refused range, and a one-block
// range is always answered whole (the block's gas bounds it), so past the bound the peg goes on.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { Contract, Wallet, parseUnits } from 'ethers'
import { payments } from 'bitcoinjs-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bridgeAbiJson } from '../../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../../sidechain/chain/params.js'
import { toHex } from '../../../spv/base/bytes.js'
import { bcoinRegtest } from '../../../regtest/bitcoin/network.js'
import { startPegWorld, type PegWorld } from '../../helpers/peg-world.js'
import { writePegWorldFile } from '../../helpers/peg-world-file.js'
import { projectRoot } from '../../helpers/testdata.js'

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')
const WEI = 10n ** 10n
const MAX_LOGS = 20
const STUFFED = 60

function audit(dir: string): Promise<{ code: number; out: string; json: Record<string, any> | undefined }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, 'audit', '--json', '--world', dir], { cwd: projectRoot, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      if (code === -1) return reject(new Error(`causeway audit: ${String(error)}\n${stderr}`))
      const last = stdout.trim().split('\n').pop() ?? ''
      resolve({ code, out: stdout + stderr, json: last.startsWith('{') ? (JSON.parse(last) as Record<string, any>) : undefined })
    })
  })
}

describe('bridge logs stuffed past the node\'s eth_getLogs bound (issue 12 item 3)', () => {
  let w: PegWorld

  beforeAll(async () => {
    w = await startPegWorld({ logLimits: { maxLogs: MAX_LOGS, maxLogRange: 50 } })
    await writePegWorldFile(w)
  }, 300_000)

  afterAll(async () => {
    await w?.close()
  })

  it('signers still relay a peg-in and sign a peg-out after the range, and the audit still balances', async () => {
    // Two signers are down while the range is stuffed (a restart, an upgrade): on return they must read past it, and
    // the peg-out below needs one of them (threshold 2).
    await Promise.all([w.signers[1]!.stop(), w.signers[2]!.stop()])
    // The attack: 60 registrations of random recipients, sent in one JSON-RPC batch so that one block holds more
    // than 20 events.
    const fees = await w.provider.getFeeData()
    let nonce = await w.provider.getTransactionCount(w.funded.address, 'pending')
    const raws: string[] = []
    for (let i = 0; i < STUFFED; i++) {
      raws.push(
        await w.funded.signTransaction({
          to: toHex(BRIDGE_ADDRESS),
          data: w.bridge.interface.encodeFunctionData('registerDepositAddress', [Wallet.createRandom().address]),
          nonce: nonce++,
          gasLimit: 300_000n,
          chainId: w.fed.chainId,
          maxFeePerGas: fees.maxFeePerGas!,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas!,
        }),
      )
    }
    const answers = (await (
      await fetch(w.fed.validators[0]!.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] }))),
      })
    ).json()) as { result?: string; error?: unknown }[]
    const receipts = await Promise.all(answers.map((a) => w.provider.waitForTransaction(a.result ?? `refused: ${JSON.stringify(a.error)}`, 1, 60_000)))
    const blocks = receipts.map((r) => r!.blockNumber)
    const perBlock = new Map<number, number>()
    for (const b of blocks) perBlock.set(b, (perBlock.get(b) ?? 0) + 1)
    const first = Math.min(...blocks)
    const last = Math.max(...blocks)
    // The node refuses a range over the stuffed blocks as one answer (what stopped the readers) …
    await expect(w.provider.getLogs({ address: toHex(BRIDGE_ADDRESS), fromBlock: first - 1, toBlock: last })).rejects.toThrow(/more than 20 logs/)
    // … and answers its fullest block whole, past the bound.
    const [fullest, count] = [...perBlock].sort((a, b) => b[1] - a[1])[0]!
    expect(count, `events per block: ${JSON.stringify([...perBlock])}`).toBeGreaterThan(MAX_LOGS)
    expect((await w.provider.getLogs({ address: toHex(BRIDGE_ADDRESS), fromBlock: fullest, toBlock: fullest })).length).toBeGreaterThanOrEqual(count)

    await Promise.all([w.signers[1]!.start(), w.signers[2]!.start()])

    // A user registers a deposit address after the stuffed range and pays 0.02 BTC to it: only a signer that read
    // past the range knows the address and relays the deposit.
    const user = Wallet.createRandom().connect(w.provider)
    await (await w.funded.sendTransaction({ to: user.address, value: parseUnits('0.01', 18) }))!.wait()
    const asUser = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, user)
    await (await asUser.registerDepositAddress!(user.address)).wait()
    const depositAddress = (await w.bridge.getDepositAddress!(user.address)) as string
    const sats = 2_000_000n
    await w.wallet.pay(w.bcoin.rpc, { outputs: [{ scriptPubKey: payments.p2wsh({ address: depositAddress, network: bcoinRegtest }).output!, valueSats: sats }] })
    await w.mine(6)
    const gas = parseUnits('0.01', 18)
    await w.waitFor('the signers to relay the deposit', async () => (await w.provider.getBalance(user.address)) > gas, 120_000)

    // The user pegs it out: signers must read the batch event past the range to sign it.
    const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x5f), network: bcoinRegtest })
    const receipt = await (await asUser.pegOut!(payee.address!, { value: sats * WEI })).wait()
    const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
    const q = await w.waitFor('the peg-out to be signed', async () => {
      const r = await w.bridge.getPegOut!(id)
      return Number(r.status) >= 3 ? r : undefined
    }, 120_000)
    const batch = await w.bridge.getBatch!(q.batchId)
    const txid = Buffer.from((batch.txid as string).slice(2), 'hex').reverse().toString('hex')
    await w.waitFor('the broadcast', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 60_000)
    await w.mine(6)
    await w.waitFor('the confirmation', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 120_000)

    // The audit reads every bridge event from genesis through the stuffed range and balances.
    const r = await audit(w.dir)
    expect(r.json, r.out).toMatchObject({ ok: true })
    expect(r.code).toBe(0)
    for (const s of w.signers) expect(s.output()).not.toMatch(/RPC_LIMIT_EXCEEDED|LOGS_BLOCK_TOO_LARGE/)
  }, 420_000)
})
