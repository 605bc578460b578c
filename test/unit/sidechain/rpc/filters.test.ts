// Poll filters on a fake clock: idle filters expire, their number is bounded, a long gap is reported in chunks,
// pending hashes are bounded, and the node listener lives exactly as long as a pending filter does.
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../../spv/base/bytes.js'
import { FilterManager, type FilterLimits } from '../../../../sidechain/rpc/filters.js'
import { TOKEN, fakeChain, signedTx } from '../../../helpers/fake-node.js'

const limits: FilterLimits = { maxFilters: 3, maxFiltersPerClient: 3, idleMs: 60_000, maxPollBlocks: 2, maxPendingHashes: 2 }

function setup() {
  const node = fakeChain()
  let now = 1_000_000
  const filters = new FilterManager(node, limits, () => now)
  return { node, filters, advance: (ms: number) => (now += ms) }
}

describe('FilterManager', () => {
  it('removes a filter idle longer than the limit, and keeps a polled one', async () => {
    const { filters, advance } = setup()
    const idle = filters.newBlockFilter('a')
    const polled = filters.newBlockFilter('a')
    advance(40_000)
    await filters.changes(polled)
    advance(40_000)
    expect(await filters.changes(polled)).toEqual([])
    await expect(filters.changes(idle)).rejects.toMatchObject({ code: 'RPC_FILTER_NOT_FOUND' })
    expect(filters.size).toBe(1)
  })

  it('bounds the number of filters', () => {
    const { filters, advance } = setup()
    for (let i = 0; i < 3; i++) filters.newBlockFilter('a')
    expect(() => filters.newBlockFilter('a')).toThrow(expect.objectContaining({ code: 'RPC_LIMIT_EXCEEDED' }))
    advance(61_000)
    expect(filters.newBlockFilter('a')).toMatch(/^0x[0-9a-f]{32}$/)
  })

  it('reports a long gap of blocks in chunks of maxPollBlocks', async () => {
    const { node, filters } = setup()
    const id = filters.newBlockFilter('a')
    const mined = [node.mine([]), node.mine([]), node.mine([])].map((b) => toHex(b.hash()))
    expect(await filters.changes(id)).toEqual(mined.slice(0, 2))
    expect(await filters.changes(id)).toEqual(mined.slice(2))
    expect(await filters.changes(id)).toEqual([])
  })

  it('reports logs of new blocks only, in chunks', async () => {
    const { node, filters } = setup()
    const id = filters.newLogFilter({ fromBlock: 'earliest', addresses: [TOKEN], topics: [] }, 'a')
    const open = filters.newLogFilter({ addresses: [TOKEN], topics: [] }, 'a')
    node.mine([signedTx(4, '1559', TOKEN)])
    node.mine([])
    node.mine([signedTx(5, '1559', TOKEN)])
    expect((await filters.changes(id)).length).toBe(1)
    expect((await filters.changes(id)).length).toBe(1)
    // eth_getFilterLogs reads the whole range now: from the genesis, or only the head block for `latest`.
    expect(await filters.logs(id)).toHaveLength(4)
    expect(await filters.changes(open)).toHaveLength(1)
    expect(await filters.logs(open)).toHaveLength(1)
  })

  it('keeps the newest pending hashes and listens only while a pending filter exists', async () => {
    const { node, filters } = setup()
    const before = node.listenerCount
    const a = filters.newPendingTransactionFilter('a')
    const b = filters.newPendingTransactionFilter('a')
    expect(node.listenerCount).toBe(before + 1)
    const hashes = [7, 8, 9].map((n) => toHex(node.addPending(signedTx(n))))
    expect(await filters.changes(a)).toEqual(hashes.slice(1))
    expect(filters.uninstall(a)).toBe(true)
    expect(node.listenerCount).toBe(before + 1)
    expect(filters.uninstall(b)).toBe(true)
    expect(node.listenerCount).toBe(before)
    await expect(filters.logs(filters.newBlockFilter('a'))).rejects.toMatchObject({ code: 'RPC_FILTER_NOT_FOUND' })
  })

  it('bounds filters per client; another client still gets one; expiry and uninstall free the slots', () => {
    const node = fakeChain()
    let now = 1_000_000
    const filters = new FilterManager(node, { ...limits, maxFilters: 5, maxFiltersPerClient: 2 }, () => now)
    const first = filters.newBlockFilter('10.0.0.1')
    filters.newPendingTransactionFilter('10.0.0.1')
    expect(() => filters.newBlockFilter('10.0.0.1')).toThrow(
      expect.objectContaining({ code: 'RPC_LIMIT_EXCEEDED', message: expect.stringContaining('limit 2 per client') }),
    )
    expect(filters.newBlockFilter('10.0.0.2')).toMatch(/^0x[0-9a-f]{32}$/)
    expect(filters.countFor('10.0.0.1')).toBe(2)
    expect(filters.uninstall(first)).toBe(true)
    expect(filters.countFor('10.0.0.1')).toBe(1)
    filters.newBlockFilter('10.0.0.1')
    // The global bound holds over all clients.
    filters.newBlockFilter('10.0.0.3')
    filters.newBlockFilter('10.0.0.3')
    expect(() => filters.newBlockFilter('10.0.0.4')).toThrow(
      expect.objectContaining({ code: 'RPC_LIMIT_EXCEEDED', message: expect.stringContaining('limit 5 over all clients') }),
    )
    now += 61_000
    expect(filters.newBlockFilter('10.0.0.1')).toMatch(/^0x/)
    expect(filters.countFor('10.0.0.1')).toBe(1)
    expect(filters.size).toBe(1)
  })
})
