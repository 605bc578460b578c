// Talking to one peer over HTTP: consensus messages, transaction forwarding, status and final blocks. Every call
// is bounded by a timeout; failures are returned, never thrown into the consensus loop.
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { toWire, type SignedMessage } from '../consensus/messages.js'

export interface PeerStatus {
  readonly chainId: bigint
  readonly height: bigint
  readonly hash: Uint8Array
}

export interface FinalBlockWire {
  readonly block: Uint8Array
  readonly certificate: Uint8Array
}

export class PeerClient {
  /** Consecutive failures, for logs and the peers gauge. */
  failures = 0

  constructor(
    readonly url: string,
    private readonly timeoutMs = 2_000,
  ) {}

  get healthy(): boolean {
    return this.failures === 0
  }

  private async request(path: string, init?: { method: 'POST'; body: unknown }): Promise<unknown> {
    const response = await fetch(new URL(path, this.url), {
      method: init?.method ?? 'GET',
      headers: init === undefined ? {} : { 'content-type': 'application/json' },
      body: init === undefined ? null : JSON.stringify(init.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`)
    return text.length === 0 ? undefined : JSON.parse(text)
  }

  private async tracked<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await work()
      this.failures = 0
      return r
    } catch {
      this.failures++
      return undefined
    }
  }

  /** Sends a consensus message; resolves false if the peer could not be reached or refused it. */
  async send(message: SignedMessage): Promise<boolean> {
    return (await this.tracked(() => this.request('/p2p/message', { method: 'POST', body: toWire(message) }))) !== undefined
  }

  async forwardTxs(raws: readonly Uint8Array[]): Promise<boolean> {
    return (await this.tracked(() => this.request('/p2p/txs', { method: 'POST', body: { txs: raws.map((r) => toHex(r)) } }))) !== undefined
  }

  async status(): Promise<PeerStatus | undefined> {
    const s = (await this.tracked(() => this.request('/p2p/status'))) as { chainId: string; height: string; hash: string } | undefined
    if (s === undefined) return undefined
    try {
      return { chainId: BigInt(s.chainId), height: BigInt(s.height), hash: hexToBytes(s.hash, 'hash', 32) }
    } catch {
      return undefined
    }
  }

  async blocks(from: bigint, limit: number): Promise<FinalBlockWire[] | undefined> {
    const r = (await this.tracked(() => this.request(`/p2p/blocks?from=${from}&limit=${limit}`))) as { blocks: { block: string; certificate: string }[] } | undefined
    if (r === undefined || !Array.isArray(r.blocks)) return undefined
    try {
      return r.blocks.map((b) => ({ block: hexToBytes(b.block, 'block'), certificate: hexToBytes(b.certificate, 'certificate') }))
    } catch {
      return undefined
    }
  }
}
