// Block production for a one-validator chain (`causeway node --dev`): whenever the mempool holds transactions,
// build a block, sign its certificate alone (threshold 1) and commit it. At most one block per wall-clock second,
// so timestamps never run ahead of the clock; a transaction waits at most about a second. After a block with
// transactions, two empty blocks follow a second apart: clients that wait by polling the block number (ethers'
// tx.wait()) may have taken their first reading after the block that holds their transaction, and on a chain that
// then went quiet they would wait forever.
import type { Logger } from 'pino'
import { publicKeyOf, signCommit, type Certificate } from '../consensus/certificate.js'
import { timingFields, type Node } from './node.js'

const TRAILING_EMPTY_BLOCKS = 2

export interface DevProducerOptions {
  readonly validatorKey: Uint8Array
  readonly logger: Logger
  /** Wait this long after the first pending transaction, to gather more into the block (default 25 ms). */
  readonly gatherMs?: number
}

export class DevProducer {
  private timer: NodeJS.Timeout | undefined
  private running = false
  private stopped = false
  private trailing = 0
  private readonly unsubscribe: () => void
  readonly publicKey: Uint8Array

  constructor(
    private readonly node: Node,
    private readonly options: DevProducerOptions,
  ) {
    this.publicKey = publicKeyOf(options.validatorKey)
    this.unsubscribe = node.onPending(() => this.schedule(options.gatherMs ?? 25))
    if (node.mempool.size > 0) this.schedule(0)
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer !== undefined || this.running) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.produce()
    }, delayMs)
  }

  private async produce(): Promise<void> {
    if (this.stopped || this.running) return
    this.running = true
    let committed = false
    try {
      const head = await this.node.headBlock()
      const nowMs = Date.now()
      const nextSecondMs = (Number(head.header.timestamp) + 1) * 1000
      if (nowMs < nextSecondMs) {
        // One block per second at most: wait for the clock to pass the head's timestamp.
        this.running = false
        this.schedule(nextSecondMs - nowMs)
        return
      }
      await this.node.exclusive(async () => {
        if (this.node.bridgeWaiting && this.trailing === 0) this.trailing = 1
        if (this.node.mempool.size === 0 && this.trailing === 0) return
        const candidate = await this.node.buildCandidate()
        const block = candidate.executed.block
        if (block.transactions.length === 0) {
          if (this.trailing === 0) {
            await this.node.abandon()
            return
          }
          this.trailing--
        } else {
          this.trailing = TRAILING_EMPTY_BLOCKS
        }
        const certificate: Certificate = {
          height: block.header.number,
          round: 0,
          blockHash: block.hash(),
          signatures: [{ validator: 0, signature: signCommit(this.options.validatorKey, this.node.chainId, block.header.number, 0, block.hash()) }],
        }
        const commitMs = await this.node.commit(candidate, certificate)
        committed = true
        this.options.logger.info(
          { height: Number(block.header.number), txs: block.transactions.length, gasUsed: Number(block.header.gasUsed), ...timingFields(candidate.timings, commitMs) },
          'block final',
        )
      })
    } catch (e) {
      this.options.logger.error({ err: e }, 'block production failed')
      await this.node.exclusive(() => this.node.abandon()).catch(() => undefined)
    } finally {
      this.running = false
    }
    // After a block, go on at once while there is work. When nothing could be included (transactions waiting
    // behind a nonce gap), retry only on the next new transaction or after a second, not in a busy loop.
    if (committed && (this.node.mempool.size > 0 || this.trailing > 0 || this.node.bridgeWaiting)) this.schedule(0)
    else if (this.node.mempool.size > 0) this.schedule(1_000)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.node.exclusive(async () => undefined)
  }
}
