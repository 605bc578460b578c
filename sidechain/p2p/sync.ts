// Catching up with final blocks from peers: a node that is behind (restarted, partitioned, or a full node that
// follows the federation) fetches blocks with their certificates, checks each certificate against the validator
// set, re-executes the block and commits it. Nothing is taken on trust from the peer.
import { createBlockFromRLP } from '@ethereumjs/block'
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import { decodeCertificate, verifyCertificate, type ValidatorSet } from '../consensus/certificate.js'
import type { Node } from '../node/node.js'
import type { PeerClient } from './peer-client.js'

const BATCH = 32

export class Syncer {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false
  /** Highest height a peer reported in the last round and backed with a final block (or our own). */
  highestSeen = 0n
  startingBlock = 0n

  constructor(
    private readonly node: Node,
    private readonly set: ValidatorSet,
    private readonly peers: readonly PeerClient[],
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.startingBlock = this.node.blockNumber()
    const loop = () => {
      if (this.stopped) return
      this.timer = setTimeout(() => {
        void this.syncNow().finally(loop)
      }, intervalMs)
    }
    loop()
  }

  /** Runs one round of catching up (coalesced with one already running). */
  syncNow(): Promise<void> {
    this.running ??= this.syncOnce().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async syncOnce(): Promise<void> {
    const order = [...this.peers].sort(() => Math.random() - 0.5)
    // A height is believed only as far as a peer serves final blocks up to it: a peer that only claims a height
    // (issue 13 finding 6) does not make eth_syncing report it, let alone forever.
    let highest = this.node.blockNumber()
    for (const peer of order) {
      if (this.stopped) return
      const status = await peer.status()
      if (status === undefined || status.chainId !== this.node.chainId) continue
      let backed = status.height <= this.node.blockNumber()
      while (!this.stopped && status.height > this.node.blockNumber()) {
        const from = this.node.blockNumber() + 1n
        const blocks = await peer.blocks(from, BATCH)
        if (blocks === undefined || blocks.length === 0) break
        let applied = 0
        for (const wire of blocks) {
          try {
            await this.apply(wire.block, wire.certificate)
            applied++
            backed = true
          } catch (e) {
            this.logger.warn({ peer: peer.url, code: (e as CausewayError).code, err: (e as Error).message }, 'refused a synced block')
            break
          }
        }
        if (applied < blocks.length) break
        // Believed as far as it is shown while we catch up.
        if (backed && status.height > this.highestSeen) this.highestSeen = status.height
      }
      // At the end of a round a claim counts only if the peer showed us everything up to it.
      if (backed && this.node.blockNumber() >= status.height && status.height > highest) highest = status.height
    }
    this.highestSeen = highest
  }

  /** Verifies and commits one final block on top of the head; a block at or below the head is skipped. */
  async apply(blockRlp: Uint8Array, certificateRlp: Uint8Array): Promise<boolean> {
    const block = createBlockFromRLP(blockRlp, { common: this.node.common, setHardfork: false })
    const cert = decodeCertificate(certificateRlp)
    if (cert.height !== block.header.number) throw new CausewayError('CONSENSUS_BAD_CERTIFICATE', 'certificate height differs from the block number')
    verifyCertificate(this.set, this.node.chainId, cert, block.hash())
    return this.node.exclusive(async () => {
      if (block.header.number <= this.node.blockNumber()) return false
      const candidate = await this.node.replay(block)
      await this.node.commit(candidate, cert)
      this.logger.info({ height: Number(block.header.number), txs: block.transactions.length }, 'synced final block')
      return true
    })
  }

  syncing(): { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } | false {
    const current = this.node.blockNumber()
    return this.highestSeen > current + 1n ? { startingBlock: this.startingBlock, currentBlock: current, highestBlock: this.highestSeen } : false
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
  }
}
