// regtest/evm/anvil.ts against the real anvil binary: it starts on a loopback port, mines on an interval, resumes
// the same chain from its state file after a restart, and stop() leaves no process behind.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ANVIL_BAD_OPTION, anvilArgs, anvilBinary, type AnvilNode, startAnvil } from '../../../regtest/evm/anvil.js'
import { pollUntil } from '../../../io/poll.js'
import { loopbackPortFree } from '../../../regtest/ports.js'

const nodes: AnvilNode[] = []
const dirs: string[] = []
afterAll(async () => {
  for (const n of nodes) await n.stop()
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function start(opts: Parameters<typeof startAnvil>[0] = {}): Promise<AnvilNode> {
  const n = await startAnvil(opts)
  nodes.push(n)
  return n
}

describe('anvil', () => {
  it('finds the binary and refuses bad options by code', () => {
    expect(anvilBinary()).toMatch(/anvil$/)
    expect(() => anvilArgs({ chainId: 0 }, 1)).toThrow(expect.objectContaining({ code: ANVIL_BAD_OPTION }))
    expect(() => anvilArgs({ blockTime: -1 }, 1)).toThrow(expect.objectContaining({ code: ANVIL_BAD_OPTION }))
  })

  it('starts on loopback with its chain id and automines', async () => {
    const n = await start({ chainId: 4242 })
    expect(n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(BigInt(await n.rpc('eth_chainId'))).toBe(4242n)
    expect(BigInt(await n.rpc('eth_blockNumber'))).toBe(0n)
    const [from] = (await n.rpc('eth_accounts')) as string[]
    await n.rpc('eth_sendTransaction', [{ from, to: from, value: '0x1' }])
    expect(BigInt(await n.rpc('eth_blockNumber'))).toBe(1n)
    await n.stop()
    await expect(n.rpc('eth_chainId')).rejects.toThrow()
    expect(await loopbackPortFree(Number(new URL(n.url).port))).toBe(true) // the process is gone, its port free
    await n.stop() // twice is fine
  })

  it('mines on an interval', async () => {
    const n = await start({ blockTime: 1 })
    const t0 = Date.now()
    const height = await pollUntil('three blocks', async () => (BigInt(await n.rpc('eth_blockNumber')) >= 3n ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 200,
    })
    expect(height).toBe(true)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_000)
    await n.stop()
  })

  it('resumes the same chain from its state file after a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'causeway-anvil-test-'))
    dirs.push(dir)
    const stateFile = path.join(dir, 'state.json')
    const a = await start({ stateFile })
    const [from] = (await a.rpc('eth_accounts')) as string[]
    const to = '0x000000000000000000000000000000000000c0de'
    await a.rpc('eth_sendTransaction', [{ from, to, value: '0x1234' }])
    await a.rpc('anvil_mine', ['0x4'])
    const height = BigInt(await a.rpc('eth_blockNumber'))
    await a.stop()
    expect((await stat(stateFile)).size).toBeGreaterThan(0)

    const b = await start({ stateFile })
    expect(BigInt(await b.rpc('eth_getBalance', [to, 'latest']))).toBe(0x1234n)
    expect(BigInt(await b.rpc('eth_blockNumber'))).toBe(height)
    await b.stop()
  })
})
