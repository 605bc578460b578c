// The relayer loops a signer runs (anyone may run them: the bridge's relay methods are public, so no one can
// censor a peg-in): Bitcoin headers from the signer's own Bitcoin node to the bridge, following reorgs; proofs of
// transactions that pay the federation (peg-ins, and batch transactions, whose registration confirms them) once
// they are deep enough on the bridge's chain.
import { Block } from 'bitcoinjs-lib'
import { displayHexToHash, hashToDisplayHex, bytesToHex } from '../../spv/base/bytes.js'
import { HEADER_SIZE } from '../../spv/bitcoin/header.js'
import type { BitcoinRpcClient } from '../bitcoin/rpc-client.js'
import type { BridgeClient } from './bridge-client.js'

/** Headers per receiveBtcHeaders transaction (about 45,000 gas each). */
export const HEADERS_PER_TX = 200
/** How far below the tip the peg-in scan looks again, to catch deposits re-mined after a reorg. */
const RESCAN_DEPTH = 30

export interface RelayDeps {
  readonly btc: BitcoinRpcClient
  readonly bridge: BridgeClient
  readonly confirmations: number
  /** Output scripts (hex) of the federation: the plain address and every registered deposit address. */
  readonly isFederationScript: (scriptHex: string) => boolean
  /** Txids (display hex) of signed batches not yet confirmed on the bridge. */
  readonly pendingBatchTxids: () => ReadonlySet<string>
  readonly log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void
}

interface Pending {
  readonly until: number
  done: boolean
}

/** Gas for a registration sent without a dry run (right behind the headers that make it deep enough). */
const REGISTRATION_GAS = 2_000_000n

export class Relayer {
  private readonly scanned = new Map<number, string>()
  /** The header transaction in flight (not mined yet), and the Bitcoin tip it brings the bridge to. */
  private headersInFlight: (Pending & { readonly tip: number }) | undefined
  private readonly registrations = new Map<string, Pending>()
  private required: number | undefined
  private lastScanTip: string | undefined
  /** True when the last scan left blocks to look at again (the bridge's header chain lagged). */
  backlog = false

  constructor(private readonly d: RelayDeps) {}

  /** Whether the bridge's best Bitcoin block is behind this node's tip (a cheap check, two calls). */
  async lagging(): Promise<boolean> {
    const [, bridgeHeight] = await this.d.bridge.view<[string, bigint]>('getBtcBestBlock')
    return Number(bridgeHeight) < (await this.d.btc.getBlockCount())
  }

  /** Sends the headers the bridge lacks (from the last block it shares with this node's best chain). */
  async relayHeaders(): Promise<number> {
    if (this.headersInFlight !== undefined && !this.headersInFlight.done && Date.now() < this.headersInFlight.until) return 0
    const [bridgeHash, bridgeHeightBig] = await this.d.bridge.view<[string, bigint]>('getBtcBestBlock')
    const bridgeHeight = Number(bridgeHeightBig)
    const tip = await this.d.btc.getBlockCount()
    let fork = Math.min(bridgeHeight, tip)
    // Walk back to the last block both chains have.
    for (; fork > 0; fork--) {
      const ours = await this.d.btc.getBlockHash(fork)
      const theirs = fork === bridgeHeight ? bridgeHash : await this.d.bridge.view<string>('getBtcBlockHash', [BigInt(fork)])
      if (bytesToHex(displayHexToHash(ours)) === theirs.slice(2)) break
      if (/^0x0+$/.test(theirs)) break // below the bridge's checkpoint
    }
    if (tip <= fork || (tip <= bridgeHeight && fork === bridgeHeight)) return 0
    const last = Math.min(tip, fork + HEADERS_PER_TX)
    const raw = new Uint8Array((last - fork) * HEADER_SIZE)
    for (let h = fork + 1; h <= last; h++) {
      raw.set(await this.d.btc.getBlockHeaderRaw(await this.d.btc.getBlockHash(h)), (h - fork - 1) * HEADER_SIZE)
    }
    const r = await this.d.bridge.send('receiveBtcHeaders', [raw])
    if ('hash' in r) {
      const inFlight = { until: Date.now() + 15_000, done: false, tip: last }
      this.headersInFlight = inFlight
      void r.mined.then(() => (inFlight.done = true))
      this.d.log('info', 'relayed Bitcoin headers', { from: fork + 1, to: last })
    }
    return last - fork
  }

  /**
   * Registers transactions paying the federation (or confirming a batch) in blocks with enough confirmations.
   * Returns how many registrations the bridge accepted.
   */
  async relayTransactions(): Promise<number> {
    this.required ??= Number((await this.d.bridge.view<bigint[]>('getBridgeParams'))[0])
    const required = this.required
    // Nothing new on Bitcoin and nothing left to retry: no need to look at any block again.
    const best = await this.d.btc.getBestBlockHash()
    if (best === this.lastScanTip && !this.backlog) return 0
    this.lastScanTip = best
    const tip = await this.d.btc.getBlockCount()
    const deepest = tip - required + 1
    // Headers sent this round and not mined yet will make these blocks deep enough in the same side-chain block.
    const inFlightTip = this.headersInFlight !== undefined && !this.headersInFlight.done ? this.headersInFlight.tip : undefined
    let accepted = 0
    this.backlog = false
    for (let h = Math.max(1, deepest - RESCAN_DEPTH); h <= deepest; h++) {
      const hash = await this.d.btc.getBlockHash(h)
      if (this.scanned.get(h) === hash) continue
      const raw = (await this.d.btc.getBlock(hash, false)) as Uint8Array
      const block = Block.fromBuffer(Buffer.from(raw))
      let complete = true
      const pending = this.d.pendingBatchTxids()
      for (const tx of block.transactions ?? []) {
        const txid = tx.getId()
        const outs = tx.outs.map((o, i) => ({ i, hex: Buffer.from(o.script).toString('hex') })).filter((o) => this.d.isFederationScript(o.hex))
        if (outs.length === 0 && !pending.has(txid)) continue
        const inFlight = this.registrations.get(txid)
        if (inFlight !== undefined && !inFlight.done && Date.now() < inFlight.until) {
          complete = false
          continue
        }
        let fresh = outs.length === 0
        for (const o of outs) {
          if (!(await this.d.bridge.view<boolean>('isBtcOutpointRegistered', [tx.getHash(), o.i]))) fresh = true
        }
        if (!fresh && !pending.has(txid)) continue
        const proof = await this.d.btc.getTxOutProof([txid], hash)
        const args = [tx.toBuffer(), proof]
        let r = await this.d.bridge.send('registerBtcTransaction', args, [
          'PEG_ALREADY_REGISTERED',
          'PEG_NO_FEDERATION_OUTPUT',
          'PEG_NOT_ENOUGH_CONFIRMATIONS',
          'BRIDGE_BLOCK_UNKNOWN',
          'BRIDGE_NOT_BEST_CHAIN',
          'SPV_TX_64_BYTES',
        ])
        const waitsForHeaders = 'refused' in r && (r.refused === 'PEG_NOT_ENOUGH_CONFIRMATIONS' || r.refused === 'BRIDGE_BLOCK_UNKNOWN')
        if (waitsForHeaders && inFlightTip !== undefined && inFlightTip >= h + required - 1) {
          // Send it right behind the headers (next nonce): both land in one side-chain block.
          r = await this.d.bridge.send('registerBtcTransaction', args, [], { skipDryRun: true, gasLimit: REGISTRATION_GAS })
        }
        if ('hash' in r) {
          accepted++
          const p = { until: Date.now() + 15_000, done: false }
          this.registrations.set(txid, p)
          void r.mined.then((ok) => {
            p.done = true
            if (!ok) {
              this.scanned.delete(h) // reverted (a race, or headers not there after all): look again
              this.backlog = true
            }
          })
          complete = false // confirmed done only once mined and seen registered
          this.d.log('info', 'registered a Bitcoin transaction with the bridge', { txid, height: h })
        } else if (r.refused === 'PEG_NOT_ENOUGH_CONFIRMATIONS' || r.refused === 'BRIDGE_BLOCK_UNKNOWN' || r.refused === 'BRIDGE_NOT_BEST_CHAIN') {
          complete = false // the bridge's header chain lags: try this block again next round
        }
      }
      if (complete) this.scanned.set(h, hash)
      else this.backlog = true
    }
    for (const h of this.scanned.keys()) if (h < deepest - RESCAN_DEPTH - 10) this.scanned.delete(h)
    for (const [txid, p] of this.registrations) if (p.done && Date.now() > p.until) this.registrations.delete(txid)
    return accepted
  }
}

export { hashToDisplayHex }
