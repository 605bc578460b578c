// Poll filters are bounded per client over real JSON-RPC (issue 12 item 4): one remote address at its bound is
// refused with a coded error naming the limit, while a client from another address still installs filters.
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startRpcServer, type RpcServer } from '../../../../sidechain/rpc/index.js'
import { fakeChain } from '../../../helpers/fake-node.js'

let server: RpcServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** One JSON-RPC call sent from `localAddress` (Linux routes all of 127/8 to loopback). */
function call(url: string, localAddress: string, method: string, params: unknown[] = []): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve(JSON.parse(text)))
    })
    req.on('error', reject)
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
  })
}

describe('filters per client over JSON-RPC', () => {
  it('refuses a client past its bound and serves another', async () => {
    server = await startRpcServer({ api: fakeChain(), port: 0, limits: { maxFiltersPerClient: 2 } })
    const a = '127.0.0.1'
    const b = '127.0.0.2'
    const first = await call(server.url, a, 'eth_newBlockFilter')
    expect(first.result).toMatch(/^0x[0-9a-f]{32}$/)
    expect((await call(server.url, a, 'eth_newPendingTransactionFilter')).result).toMatch(/^0x/)
    const refused = await call(server.url, a, 'eth_newFilter', [{}])
    expect(refused.error.code).toBe(-32005)
    expect(refused.error.message).toContain('limit 2 per client')
    expect((await call(server.url, b, 'eth_newBlockFilter')).result).toMatch(/^0x/)
    expect((await call(server.url, a, 'eth_uninstallFilter', [first.result])).result).toBe(true)
    expect((await call(server.url, a, 'eth_newBlockFilter')).result).toMatch(/^0x/)
  })
})
