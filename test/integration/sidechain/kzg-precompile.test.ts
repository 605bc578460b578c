// Issue 12 item 5, through JSON-RPC against a real development node: the Prague precompile at 0x0a (KZG point
// evaluation) answered eth_call with an internal error, and a transaction reaching it broke every commit and
// vanished (no receipt, eth_getTransactionByHash null). Now a valid input is evaluated, and transactions to it —
// valid or not — get receipts.
import { randomBytes } from 'node:crypto'
import { JsonRpcProvider, Wallet, hexlify } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../spv/base/bytes.js'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'
import { validPointEvaluationInput } from '../../helpers/kzg-input.js'

const KZG = '0x000000000000000000000000000000000000000a'
const devKey = randomBytes(32)
let node: NodeProcess
let provider: JsonRpcProvider

describe('the KZG point-evaluation precompile on a real node (issue 12 item 5)', () => {
  beforeAll(async () => {
    node = await startDevNodeProcess({ devKey: toHex(devKey) })
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 })
  }, 60_000)
  afterAll(async () => {
    provider?.destroy()
    await node?.stop(true)
  })

  it('eth_call evaluates a valid proof; transactions to 0x0a are mined with receipts, a false proof as failed', async () => {
    const input = hexlify(validPointEvaluationInput())
    const answer = await provider.call({ to: KZG, data: input })
    expect(BigInt(answer.slice(0, 66))).toBe(4096n)
    const wallet = new Wallet(toHex(devKey), provider)
    const ok = await wallet.sendTransaction({ to: KZG, data: input, gasLimit: 200_000n })
    expect((await ok.wait(1, 30_000))!.status).toBe(1)
    const forged = input.slice(0, 2 + 64 * 2) + (input[2 + 64 * 2] === 'f' ? '0' : 'f') + input.slice(3 + 64 * 2)
    const bad = await wallet.sendTransaction({ to: KZG, data: forged, gasLimit: 200_000n })
    const r = await bad.wait(1, 30_000).catch((e: { receipt?: unknown }) => e.receipt)
    expect((r as { status: number }).status).toBe(0)
    expect(await provider.getTransaction(bad.hash)).not.toBeNull()
    // The chain goes on.
    const after = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n })
    expect((await after.wait(1, 30_000))!.status).toBe(1)
  }, 120_000)
})
