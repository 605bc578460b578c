// Sees blocks become final: a `newHeads` WebSocket subscription stamps each block with the moment it was first
// announced, then the block is fetched (transaction hashes only, in batches) so every transaction gets the time
// its block was first seen. On the side chain every announced block is final (it carries its certificate); on
// Hardhat with automine, inclusion counts as final. A slow poll of eth_blockNumber fills any gap the
// subscription might leave (such blocks are counted, so a report can say whether the poll was ever needed).
import WebSocket from 'ws'
import { RpcClient, toQuantity } from './rpc.js'

export interface SeenBlock {
  readonly number: number
  /** performance.now() when the block was first announced. */
  readonly seenAt: number
  txs: number
  gasUsed: bigint
}

export class BlockWatcher {
  /** Transaction hash (lowercase) → block number and the time the block was first seen. */
  readonly txs = new Map<string, { block: number; at: number }>()
  readonly blocks = new Map<number, SeenBlock>()
  /** Blocks first learned from the fallback poll rather than the subscription. */
  polledBlocks = 0
  private last: number
  private readonly queue: number[] = []
  private fetching = false
  private fetchError: Error | undefined
  private poller: NodeJS.Timeout | undefined
  private closed = false

  private constructor(
    private readonly ws: WebSocket,
    private readonly rpc: RpcClient,
    startHead: number,
  ) {
    this.last = startHead
  }

  /** Connects, subscribes to newHeads and starts watching from the current head (exclusive). */
  static async start(wsUrl: string, rpc: RpcClient): Promise<BlockWatcher> {
    const ws = new WebSocket(wsUrl)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const head = Number(BigInt(await rpc.call<string>('eth_blockNumber')))
    const watcher = new BlockWatcher(ws, rpc, head)
    const subscribed = new Promise<string>((resolve, reject) => {
      ws.on('message', (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as { id?: number; result?: any; error?: { message: string }; method?: string; params?: { result?: { number?: string } } }
        if (msg.id === 1) {
          if (msg.error !== undefined) reject(new Error(`eth_subscribe newHeads: ${msg.error.message}`))
          else resolve(msg.result as string)
          return
        }
        const number = msg.params?.result?.number
        if (msg.method === 'eth_subscription' && number !== undefined) watcher.announce(Number(BigInt(number)), performance.now(), false)
      })
    })
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    await subscribed
    watcher.poller = setInterval(() => {
      rpc
        .call<string>('eth_blockNumber')
        .then((n) => watcher.announce(Number(BigInt(n)), performance.now(), true))
        .catch(() => undefined)
    }, 500)
    return watcher
  }

  get head(): number {
    return this.last
  }

  private announce(number: number, at: number, polled: boolean): void {
    if (this.closed || number <= this.last) return
    // Heights skipped by the subscription (should not happen) are stamped with the time the gap was noticed.
    for (let n = this.last + 1; n <= number; n++) {
      this.blocks.set(n, { number: n, seenAt: at, txs: 0, gasUsed: 0n })
      if (polled) this.polledBlocks++
      this.queue.push(n)
    }
    this.last = number
    void this.drain()
  }

  private async drain(): Promise<void> {
    if (this.fetching) return
    this.fetching = true
    try {
      while (this.queue.length > 0 && !this.closed) {
        const numbers = this.queue.splice(0, 100)
        const blocks = await this.rpc.batch<{ transactions: string[]; gasUsed: string } | null>(numbers.map((n) => ['eth_getBlockByNumber', [toQuantity(n), false]]))
        blocks.forEach((b, i) => {
          const n = numbers[i]!
          if (b === null || b instanceof Error) throw new Error(`block ${n} was announced but cannot be fetched`)
          const seen = this.blocks.get(n)!
          seen.txs = b.transactions.length
          seen.gasUsed = BigInt(b.gasUsed)
          for (const h of b.transactions) this.txs.set(h.toLowerCase(), { block: n, at: seen.seenAt })
        })
      }
    } catch (e) {
      this.fetchError = e as Error
    } finally {
      this.fetching = false
    }
  }

  /**
   * Resolves once every hash is in a seen block; rejects after `timeoutMs` without progress (naming how many are
   * missing). `onProgress` is called about once a second with the number seen so far.
   */
  async waitFor(hashes: readonly string[], timeoutMs: number, onProgress?: (seen: number) => void): Promise<void> {
    let seen = 0
    let lastProgressAt = Date.now()
    let lastReport = Date.now()
    for (;;) {
      if (this.fetchError !== undefined) throw this.fetchError
      let count = 0
      for (const h of hashes) if (this.txs.has(h)) count++
      if (count === hashes.length) return
      if (count > seen) {
        seen = count
        lastProgressAt = Date.now()
      }
      if (Date.now() - lastProgressAt > timeoutMs) {
        throw new Error(`${hashes.length - count} of ${hashes.length} transactions not in any block after ${timeoutMs} ms without progress (head ${this.last})`)
      }
      if (onProgress !== undefined && Date.now() - lastReport >= 1000) {
        lastReport = Date.now()
        onProgress(count)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  close(): void {
    this.closed = true
    if (this.poller !== undefined) clearInterval(this.poller)
    this.ws.terminate()
  }
}
