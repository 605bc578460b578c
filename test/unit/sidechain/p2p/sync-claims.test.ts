// Issue 13 finding 6: a peer's claimed height inflated eth_syncing forever (the syncer kept the highest height any
// peer ever reported). Now a claim counts only as far as the peer serves final blocks up to it, and only for the
// round it was made in.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Syncer } from '../../../../sidechain/p2p/sync.js'
import type { Node } from '../../../../sidechain/node/node.js'
import type { PeerClient } from '../../../../sidechain/p2p/peer-client.js'
import type { ValidatorSet } from '../../../../sidechain/consensus/certificate.js'

const CHAIN_ID = 13239777n

function liar(claim: bigint, blocks: 'none' | 'unreachable'): PeerClient {
  return {
    url: 'http://127.0.0.1:1/',
    status: async () => ({ chainId: CHAIN_ID, height: claim, hash: new Uint8Array(32) }),
    blocks: async () => (blocks === 'none' ? [] : undefined),
  } as unknown as PeerClient
}

describe('eth_syncing and claimed heights', () => {
  it('a peer that claims a height and serves nothing up to it is not believed', async () => {
    const node = { blockNumber: () => 7n, chainId: CHAIN_ID } as unknown as Node
    const syncer = new Syncer(node, {} as ValidatorSet, [liar(1_000_000_000n, 'none'), liar(50n, 'unreachable')], pino({ level: 'silent' }))
    await syncer.syncNow()
    expect(syncer.syncing()).toBe(false)
    expect(syncer.highestSeen).toBe(7n)
  })

  it('an honest peer at our height is believed, and a claim is forgotten once no peer makes it', async () => {
    let claim = 7n
    const peer = { url: 'x', status: async () => ({ chainId: CHAIN_ID, height: claim, hash: new Uint8Array(32) }), blocks: async () => [] } as unknown as PeerClient
    // The honest peer's head is ours (same height, same hash), so there is nothing to compare (conflict.ts).
    const node = { blockNumber: () => 7n, chainId: CHAIN_ID, chain: { head: () => ({ number: 7n, hash: new Uint8Array(32) }) } } as unknown as Node
    const syncer = new Syncer(node, {} as ValidatorSet, [peer], pino({ level: 'silent' }))
    await syncer.syncNow()
    expect(syncer.highestSeen).toBe(7n)
    claim = 9_000n
    await syncer.syncNow()
    expect(syncer.syncing()).toBe(false)
  })
})
