// Federated finality with real processes: four validators (quorum 3) and a full node, each with its own data
// directory. A validator killed with SIGKILL while proposing does not stop finality and catches up on restart;
// a full node syncs from scratch; every node agrees on every block hash and state root; a network cut (through
// TCP proxies) never yields two different final blocks at one height, and everyone converges once it heals.
import { JsonRpcProvider, Wallet } from 'ethers'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_PREFUND_WEI, startFederation, type Federation, type MemberProcess } from '../../helpers/federation.js'
import { pollUntil, sleep } from '../../../io/poll.js'

let fed: Federation | undefined
const providers: JsonRpcProvider[] = []

afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy()
  await fed?.close()
  fed = undefined
})

function provider(m: MemberProcess, chainId: bigint): JsonRpcProvider {
  const p = new JsonRpcProvider(m.rpcUrl, Number(chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 })
  providers.push(p)
  return p
}

async function rpc(m: MemberProcess, method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(m.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const j = (await r.json()) as { result?: unknown; error?: { message: string } }
  if (j.error) throw new Error(j.error.message)
  return j.result
}

const head = async (m: MemberProcess): Promise<number> => Number(await rpc(m, 'eth_blockNumber'))

/** A member's RPC failing (it is restarting) means not yet. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await pollUntil(what, async () => (await check()) || undefined, { timeoutMs, intervalMs: 200, retry: () => true })
}

/** Block hash and state root at every height 0..upTo, as one node reports them. */
async function chainOf(m: MemberProcess, upTo: number): Promise<string[]> {
  const out: string[] = []
  for (let h = 0; h <= upTo; h++) {
    const b = await rpc(m, 'eth_getBlockByNumber', [`0x${h.toString(16)}`, false])
    out.push(b === null ? 'missing' : `${b.hash}/${b.stateRoot}`)
  }
  return out
}

/** Sends `count` transfers through `m`, one after another, each waited for. */
async function transfers(fedx: Federation, m: MemberProcess, count: number, wallet?: Wallet): Promise<number[]> {
  const w = wallet ?? new Wallet(fedx.fundedKey, provider(m, fedx.chainId))
  const blocks: number[] = []
  for (let i = 0; i < count; i++) {
    const tx = await w.sendTransaction({ to: Wallet.createRandom().address, value: 1000n + BigInt(i) })
    const r = await tx.wait(1, 30_000)
    blocks.push(r!.blockNumber)
  }
  return blocks
}

describe('four validators, quorum 3, and a full node', () => {
  it('keep finalizing when the proposer is SIGKILLed, catch up on restart, and agree everywhere', async () => {
    fed = await startFederation({ validators: 4, threshold: 3, fullNodes: 1, startFullNodes: false, testPrefundWei: TEST_PREFUND_WEI })
    const [v0, v1, v2, v3] = fed.validators as [MemberProcess, MemberProcess, MemberProcess, MemberProcess]
    await transfers(fed, v0, 2)

    // The proposer of the next height (round 0) is (height) mod 4: kill exactly that one.
    const next = (await head(v0)) + 1
    const victim = fed.validators[next % 4]!
    const survivor = fed.validators.find((v) => v !== victim)!
    await victim.kill('SIGKILL')
    const before = await head(survivor)
    const blocks = await transfers(fed, survivor, 3)
    expect(Math.min(...blocks)).toBeGreaterThan(before)
    const others = fed.validators.filter((v) => v !== victim)
    await until('the survivors at the same head', async () => new Set(await Promise.all(others.map(head))).size === 1)

    // Restarted from its data directory, it catches up.
    await victim.start()
    const target = await head(survivor)
    await until('the restarted validator caught up', async () => (await head(victim)) >= target)
    await transfers(fed, victim, 1) // and it takes part again: a transaction sent to it is finalized

    // A full node started from scratch syncs, checking every certificate.
    const full = fed.fullNodes[0]!
    await full.start()
    const top = await head(v0)
    await until('the full node synced', async () => (await head(full)) >= top)

    const height = Math.min(...(await Promise.all([v0, v1, v2, v3, full].map(head))))
    const chains = await Promise.all([v0, v1, v2, v3, full].map((m) => chainOf(m, height)))
    for (const c of chains.slice(1)) expect(c).toEqual(chains[0])
    expect(chains[0]).not.toContain('missing')
  }, 180_000)
})

describe('a network cut', () => {
  it('lets at most one side finalize, never two blocks at one height, and all converge after it heals', async () => {
    fed = await startFederation({ validators: 4, threshold: 3, proxies: true, testPrefundWei: TEST_PREFUND_WEI })
    const [v0, v1, v2, v3] = fed.validators as [MemberProcess, MemberProcess, MemberProcess, MemberProcess]
    await transfers(fed, v1, 1)

    // Isolate validator 0 from all others.
    fed.cut(0, 1)
    fed.cut(0, 2)
    fed.cut(0, 3)
    await sleep(2_000) // messages delivered just before the cut are handled first
    const isolatedHead = await head(v0)
    // Transactions reach both sides: v0's side cannot gather 3 signatures, v1+v2+v3 can.
    const lonely = new Wallet(Wallet.createRandom().privateKey)
    const funder = new Wallet(fed.fundedKey, provider(v1, fed.chainId))
    await (await funder.sendTransaction({ to: lonely.address, value: 10n ** 18n })).wait(1, 30_000)
    const rawForV0 = await lonely.signTransaction({ to: Wallet.createRandom().address, value: 1n, nonce: 0, gasLimit: 21_000, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 0n, chainId: fed.chainId, type: 2 })
    await rpc(v0, 'eth_sendRawTransaction', [rawForV0]).catch(() => undefined) // v0 may not know the funding yet
    const majorityBlocks = await transfers(fed, v2, 3)
    expect(Math.max(...majorityBlocks)).toBeGreaterThan(isolatedHead)
    await sleep(3_000) // v0 gets time to try (and fail) to finalize alone
    expect(await head(v0)).toBe(isolatedHead)

    fed.heal(0, 1)
    fed.heal(0, 2)
    fed.heal(0, 3)
    await transfers(fed, v1, 1)
    const top = await head(v1)
    await until('validator 0 converged', async () => (await head(v0)) >= top, 40_000)
    const height = Math.min(...(await Promise.all([v0, v1, v2, v3].map(head))))
    const chains = await Promise.all([v0, v1, v2, v3].map((m) => chainOf(m, height)))
    expect(chains[1]).toEqual(chains[0])
    expect(chains[2]).toEqual(chains[0])
    expect(chains[3]).toEqual(chains[0])
  }, 180_000)
})
