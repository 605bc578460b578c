// Talking to one peer over HTTP: consensus messages, transaction forwarding, status and final blocks. Every call
// is bounded by a timeout; failures are returned, never thrown into the consensus loop. Connections are kept
// alive (io/http.ts): a validator sends each peer hundreds of small requests a second. A validator signs
// every POST with its validator key (peer-auth.ts), so peers take its consensus messages; a full node has no key
// and sends unsigned, which peers accept for forwarded transactions only.
import { KeepAliveHttp } from '../../io/http.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { toWire, type SignedMessage } from '../consensus/messages.js'
import { signRequest, type PeerKey } from './peer-auth.js'

/** Longest answer read from a peer for status and acknowledgements. */
export const SMALL_ANSWER_BYTES = 1024 * 1024
/**
 * Longest answer read for final blocks: above what the peer port sends in one answer (MAX_BLOCKS_ANSWER_BYTES in
 * server.ts, plus one block past it, which is at most a 30M-gas block's ~15 MB of hex).
 */
export const BLOCKS_ANSWER_BYTES = 64 * 1024 * 1024

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
  private readonly base: URL
  private readonly http = new KeepAliveHttp(8)
  private readonly timeoutMs: number
  private readonly key: PeerKey | undefined
  private readonly now: () => number

  /** `key`: this node's validator key, to sign POSTs with; none for a full node. */
  constructor(
    readonly url: string,
    options: { readonly key?: PeerKey; readonly timeoutMs?: number; readonly now?: () => number } = {},
  ) {
    this.base = new URL(url)
    this.key = options.key
    this.timeoutMs = options.timeoutMs ?? 2_000
    this.now = options.now ?? Date.now
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.close()
  }

  get healthy(): boolean {
    return this.failures === 0
  }

  /** `maxBytes`: the longest answer read (status and acknowledgements are small; a batch of final blocks is not). */
  private async request(path: string, init?: { method: 'POST'; body: unknown }, maxBytes = SMALL_ANSWER_BYTES): Promise<unknown> {
    const url = new URL(path, this.base)
    let post: { body: string; headers: Record<string, string> } | undefined
    if (init !== undefined) {
      const body = JSON.stringify(init.body)
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      // Signed over the exact bytes sent (http.ts sends the string as UTF-8) and the path the server will see.
      if (this.key !== undefined) Object.assign(headers, signRequest(this.key, { method: 'POST', path: url.pathname, body: Buffer.from(body, 'utf8'), timeMs: this.now() }))
      post = { body, headers }
    }
    const answer = await this.http.request(url, { ...post, timeoutMs: this.timeoutMs, maxBytes })
    if (answer.status < 200 || answer.status >= 300) throw new Error(`${path}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`)
    return answer.text.length === 0 ? undefined : JSON.parse(answer.text)
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
    const r = (await this.tracked(() => this.request(`/p2p/blocks?from=${from}&limit=${limit}`, undefined, BLOCKS_ANSWER_BYTES))) as { blocks: { block: string; certificate: string }[] } | undefined
    if (r === undefined || !Array.isArray(r.blocks)) return undefined
    try {
      return r.blocks.map((b) => ({ block: hexToBytes(b.block, 'block'), certificate: hexToBytes(b.certificate, 'certificate') }))
    } catch {
      return undefined
    }
  }
}
