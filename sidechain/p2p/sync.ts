// Catching up with final blocks from peers: a node that is behind (restarted, partitioned, or a full node that
// follows the federation) fetches blocks with their certificates, checks each certificate against the validator
// set, re-executes the block and commits it. Nothing is taken on trust from the peer. A peer that shows a valid
// certificate for another block at a height we hold final halts the node (consensus/conflict.ts).
import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import { equalBytes } from '../../spv/base/bytes.js'
import { decodeCertificate, verifyCertificate, type Certificate, type ValidatorSet } from '../consensus/certificate.js'
import { checkConflict, type ConflictCheck } from '../consensus/conflict.js'
import type { Node } from '../node/node.js'
import type { FinalBlockWire, PeerClient } from './peer-client.js'

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
      // A halted node follows no one any more (Node.halt): the timer is not set again.
      if (this.stopped || this.node.halted !== undefined) return
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
    if (this.node.halted !== undefined) return
    const order = [...this.peers].sort(() => Math.random() - 0.5)
    // A height is believed only as far as a peer serves final blocks up to it: a peer that only claims a height
    // (issue 13 finding 6) does not make eth_syncing report it, let alone forever.
    let highest = this.node.blockNumber()
    for (const peer of order) {
      if (this.stopped || this.node.halted !== undefined) return
      const status = await peer.status()
      if (status === undefined || status.chainId !== this.node.chainId) continue
      // Conflicts are looked for only where the peer's chain visibly is not ours, so a peer on our chain costs
      // nothing more: a head at a height we hold with another hash, or (below) a first served block that does
      // not build on our head. Both chains are hash-linked, so a peer whose chain differs from ours anywhere at
      // or below min(its head, ours) differs there, and the one block fetched at that height (with its
      // certificate) is enough to decide. A lying peer costs at most one small extra request per round.
      if (status.height <= this.node.blockNumber() && status.height > 0n && !(await this.holds(status.height, status.hash))) {
        await this.compareAt(peer, status.height)
        continue
      }
      let backed = status.height <= this.node.blockNumber()
      while (!this.stopped && this.node.halted === undefined && status.height > this.node.blockNumber()) {
        const from = this.node.blockNumber() + 1n
        const blocks = await peer.blocks(from, BATCH)
        if (blocks === undefined || blocks.length === 0) break
        let applied = 0
        for (const wire of blocks) {
          try {
            const { block, cert } = this.decode(wire)
            const head = this.node.chain.head()
            if (block.header.number === head.number + 1n && !equalBytes(block.header.parentHash, head.hash)) {
              // The peer's chain forks from ours at or below our head: compare the blocks at our head height.
              await this.compareAt(peer, head.number)
              break
            }
            await this.commitVerified(block, cert, peer.url)
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

  /** Whether our final block at `height` (at most our head) has this hash. */
  private async holds(height: bigint, hash: Uint8Array): Promise<boolean> {
    const head = this.node.chain.head()
    if (height === head.number) return equalBytes(head.hash, hash)
    const ours = await this.node.getBlock(height)
    return ours !== undefined && equalBytes(ours.hash(), hash)
  }

  /** Fetches the peer's final block at `height` (one we hold) and compares it with ours; halts on a conflict. */
  private async compareAt(peer: PeerClient, height: bigint): Promise<void> {
    // Genesis has no certificate: a peer with another genesis is on another chain, not a conflict.
    if (height === 0n) return
    const wires = await peer.blocks(height, 1)
    const wire = wires?.[0]
    if (wire === undefined) return
    try {
      const { block, cert } = this.decode(wire)
      if (block.header.number !== height) throw new CausewayError('P2P_MALFORMED', `asked for block ${height}, served ${block.header.number}`)
      await this.checkHeld(block, cert, peer.url)
    } catch (e) {
      this.logger.warn({ peer: peer.url, code: (e as CausewayError).code, err: (e as Error).message }, 'refused a synced block')
    }
  }

  /**
   * Compares a block with a certificate at a height we hold final against ours: the same block is nothing, a
   * different one with a valid certificate halts the node, one without is a bad peer (logged).
   */
  private async checkHeld(block: Block, cert: Certificate, source: string): Promise<ConflictCheck> {
    const height = block.header.number
    const [ours, ourCert] = await Promise.all([this.node.getBlock(height), this.node.chain.getCertificate(height)])
    if (ours === undefined || ourCert === undefined) throw new CausewayError('NODE_STORE_CORRUPT', `final block ${height} or its certificate is missing`)
    const r = checkConflict(this.set, this.node.chainId, height, { blockHash: ours.hash(), certificate: ourCert }, { blockHash: block.hash(), certificate: cert }, source)
    if (r.kind === 'conflict') this.node.halt(r.error)
    else if (r.kind === 'bad-peer') this.logger.warn({ peer: source, height: Number(height), code: r.error.code, err: r.error.message }, 'peer served another block without a valid certificate')
    return r
  }

  private decode(wire: FinalBlockWire): { block: Block; cert: Certificate } {
    const block = createBlockFromRLP(wire.block, { common: this.node.common, setHardfork: false })
    const cert = decodeCertificate(wire.certificate)
    if (cert.height !== block.header.number) throw new CausewayError('CONSENSUS_BAD_CERTIFICATE', 'certificate height differs from the block number')
    return { block, cert }
  }

  /**
   * Verifies and commits one final block on top of the head. A block at or below the head is not committed
   * (false), but compared with ours: a valid certificate for another block there halts the node.
   */
  async apply(blockRlp: Uint8Array, certificateRlp: Uint8Array, source = 'a peer'): Promise<boolean> {
    const { block, cert } = this.decode({ block: blockRlp, certificate: certificateRlp })
    return this.commitVerified(block, cert, source)
  }

  private async commitVerified(block: Block, cert: Certificate, source: string): Promise<boolean> {
    verifyCertificate(this.set, this.node.chainId, cert, block.hash())
    return this.node.exclusive(async () => {
      if (block.header.number <= this.node.blockNumber()) {
        await this.checkHeld(block, cert, source)
        return false
      }
      this.node.refuseIfHalted()
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
