// A reader of bridge logs facing a node that refuses ranges with too many logs (issue 12 item 3): it splits the
// range until every part is answered, in order, instead of retrying the refused range forever.
import { describe, expect, it } from 'vitest'
import { isLimitRefusal, readSplitting } from '../../../../federation/signer/log-ranges.js'
import { expectCode } from '../../../helpers/expect.js'

/** A node holding `perBlock[b]` logs in block b that refuses any answer of more than `limit` logs. */
function node(perBlock: number[], limit: number) {
  let calls = 0
  const fetch = async (from: number, to: number) => {
    calls++
    const out: string[] = []
    for (let b = from; b <= to; b++) for (let i = 0; i < (perBlock[b] ?? 0); i++) out.push(`${b}:${i}`)
    if (out.length > limit) throw Object.assign(new Error('could not coalesce error'), { info: { error: { code: -32005, message: `RPC_LIMIT_EXCEEDED: more than ${limit} logs match` } } })
    return out
  }
  return { fetch, calls: () => calls }
}

describe('readSplitting', () => {
  it('reads a stuffed range in parts, every log once and in order', async () => {
    // 1,000 blocks, ten of them stuffed with 4,000 logs each: the whole range holds 40,000 + 990.
    const perBlock = Array.from({ length: 1000 }, (_, b) => (b % 100 === 7 ? 4000 : 1))
    const n = node(perBlock, 10_000)
    const logs = await readSplitting(0, 999, n.fetch)
    expect(logs.length).toBe(40_990)
    expect(logs[0]).toBe('0:0')
    expect(logs.at(-1)).toBe('999:0')
    const blocks = logs.map((l) => Number(l.split(':')[0]))
    expect(blocks.every((b, i) => i === 0 || b >= blocks[i - 1]!)).toBe(true)
    expect(n.calls()).toBeLessThan(100)
  })

  it('a single block the node refuses alone is a coded error naming it; transport errors pass through', async () => {
    const n = node([0, 0, 20_000], 10_000)
    const e = await readSplitting(0, 5, n.fetch).then(() => undefined, (x: unknown) => x)
    expectCode(() => {
      throw e
    }, 'LOGS_BLOCK_TOO_LARGE')
    await expect(readSplitting(0, 5, async () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED')
    expect(isLimitRefusal(new Error('ECONNREFUSED'))).toBe(false)
  })
})
