// Issue 12 item 2 against a real development node: eth_call / eth_estimateGas are bounded like geth's
// --rpc.gascap (gas above the cap runs with the cap, estimates never search above it) and --rpc.evmtimeout (an
// endless loop is aborted with "execution aborted (timeout = …)" and the node answers the next request).
import { JsonRpcProvider, Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'

const DEV_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const GAS_CAP = 1_000_000n
/** JUMPDEST PUSH1 0 JUMP: loops until it runs out of gas. */
const LOOP = '0x5b600056'
/** Init code returning LOOP as the contract's code (PUSH4 LOOP PUSH1 0 MSTORE PUSH1 4 PUSH1 28 RETURN). */
const DEPLOY_LOOP = '0x635b6000566000526004601cf3'

let node: NodeProcess
let provider: JsonRpcProvider
let loop: string

async function rpc(method: string, params: unknown[]): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await res.json()) as never
}

beforeAll(async () => {
  node = await startDevNodeProcess({ devKey: DEV_KEY, extraArgs: ['--rpc-gascap', String(GAS_CAP)] })
  provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true })
  const dev = new Wallet(DEV_KEY, provider)
  const receipt = await (await dev.sendTransaction({ data: DEPLOY_LOOP, gasLimit: 100_000n })).wait()
  loop = receipt!.contractAddress!
  expect(await provider.getCode(loop)).toBe(LOOP)
}, 60_000)

afterAll(async () => {
  provider?.destroy()
  await node?.stop(true)
})

describe('eth_call / eth_estimateGas bounds (issue 12 item 2)', () => {
  it('clamps gas above the cap to the cap (the loop runs out of the cap, not of the asked-for gas)', async () => {
    // A cheap call with a huge gas limit is accepted (geth clamps instead of refusing).
    const ok = await rpc('eth_call', [{ to: '0x0000000000000000000000000000000000000004', data: '0x1234', gas: '0x' + (10n ** 12n).toString(16) }, 'latest'])
    expect(ok.result).toBe('0x1234')
    // The endless loop asked for 10^12 gas runs out of the cap's 1,000,000 at once (default 5 s timeout not reached).
    const t0 = Date.now()
    const oog = await rpc('eth_call', [{ to: loop, gas: '0x' + (10n ** 12n).toString(16) }, 'latest'])
    console.log(`endless loop with gas 10^12 under a cap of ${GAS_CAP}: ${Date.now() - t0} ms, ${JSON.stringify(oog.error)}`)
    expect(oog.error?.message).toMatch(/out of gas/)
    // The loop fails at every gas up to the cap; the search never tries above it.
    const est = await rpc('eth_estimateGas', [{ to: loop, gas: '0x' + (10n ** 12n).toString(16) }])
    expect(est.error?.message).toMatch(/out of gas/)
    // A call that succeeds is estimated within the cap.
    const fine = await rpc('eth_estimateGas', [{ to: '0x0000000000000000000000000000000000000004', data: '0x1234', gas: '0x' + (10n ** 12n).toString(16) }])
    expect(BigInt(fine.result)).toBeLessThanOrEqual(GAS_CAP)
  }, 60_000)
})

describe('eth_call timeout (issue 12 item 2)', () => {
  let slow: NodeProcess
  beforeAll(async () => {
    // A large cap so the loop outlasts the deadline.
    slow = await startDevNodeProcess({ devKey: DEV_KEY, extraArgs: ['--rpc-gascap', '1000000000', '--rpc-evmtimeout', '300'] })
  }, 60_000)
  afterAll(async () => {
    await slow?.stop(true)
  })

  it('aborts an endless loop at the deadline with a coded error and keeps serving', async () => {
    const call = (method: string, params: unknown[]) =>
      fetch(slow.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) }).then((r) => r.json() as Promise<any>)
    const t0 = Date.now()
    // The loop as init code of a create call: no deployment needed on this node.
    const r = await call('eth_call', [{ data: LOOP, gas: '0x3b9aca00' }, 'latest'])
    const ms = Date.now() - t0
    console.log(`eth_call of an endless loop answered in ${ms} ms: ${JSON.stringify(r.error)}`)
    expect(r.error?.code).toBe(-32000)
    expect(r.error?.message).toBe('execution aborted (timeout = 300ms)')
    const e = await call('eth_estimateGas', [{ data: LOOP }])
    expect(e.error?.message).toBe('execution aborted (timeout = 300ms)')
    const next = await call('eth_blockNumber', [])
    expect(next.result).toMatch(/^0x/)
  }, 60_000)
})
