// The relayer loops a signer runs (anyone may run them: the bridge's relay methods are public, so no one can
// censor a peg-in): Bitcoin headers from the signer's own Bitcoin node to the bridge, following reorgs; proofs of
// transactions that pay the federation (peg-ins, and batch transactions, whose registration confirms them) once
// they are deep enough on the bridge's chain.
import { Block } from 'bitcoinjs-lib'
import { displayHexToHash, hashToDisplayHex, bytesToHex } from '../../spv/base/bytes.js'
import { HEADER_SIZE } from '../../spv/bitcoin/header.js'
import { confirmationsAt, isDeepEnough } from '../../peg/bitcoin/index.js'
import type { BitcoinRpcClient } from '../bitcoin/rpc-client.js'
import type { BridgeClient } from './bridge-client.js'

/** Headers per receiveBtcHeaders transaction (about 45,000 gas each). */
export const HEADERS_PER_TX = 200
/** Blocks below the tip the scan covers (a deposit older than this when a signer starts is not relayed by it). */
const SCAN_WINDOW = 100

interface Candidate {
  readonly height: number
  readonly blockHash: string
  readonly raw: Uint8Array
  readonly txidInternal: Uint8Array
  readonly federationOutputs: readonly number[]
  proof?: Uint8Array
}

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
  /** Block hash read at each height (to notice reorgs), and the highest height read. */
  private readonly scanned = new Map<number, string>()
  private scannedTip = 0
  /** Transactions paying the federation (or confirming a batch), by display txid, until registered. */
  private readonly candidates = new Map<string, Candidate>()
  /** The header transaction in flight (not mined yet), and the Bitcoin tip it brings the bridge to. */
  private headersInFlight: (Pending & { readonly tip: number }) | undefined
  private readonly registrations = new Map<string, Pending>()
  private required: number | undefined
  private lastScanTip: string | undefined

  constructor(private readonly d: RelayDeps) {}

  /** Whether the bridge's best Bitcoin block is behind this node's tip (a cheap check, two calls). */
  async lagging(): Promise<boolean> {
    const [, bridgeHeight] = await this.d.bridge.read.getBtcBestBlock()
    return Number(bridgeHeight) < (await this.d.btc.getBlockCount())
  }

  /** Sends the headers the bridge lacks (from the last block it shares with this node's best chain). */
  async relayHeaders(): Promise<number> {
    if (this.headersInFlight !== undefined && !this.headersInFlight.done && Date.now() < this.headersInFlight.until) return 0
    const [bridgeHash, bridgeHeightBig] = await this.d.bridge.read.getBtcBestBlock()
    const bridgeHeight = Number(bridgeHeightBig)
    const tip = await this.d.btc.getBlockCount()
    let fork = Math.min(bridgeHeight, tip)
    // Walk back to the last block both chains have.
    for (; fork > 0; fork--) {
      const ours = await this.d.btc.getBlockHash(fork)
      const theirs = fork === bridgeHeight ? bridgeHash : await this.d.bridge.read.getBtcBlockHash([BigInt(fork)])
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
   * Registers transactions paying the federation (or confirming a batch) once their blocks have the bridge's
   * required confirmations. Blocks are read as soon as they appear, so a registration goes out the moment its
   * block is deep enough — right behind the headers that make it so, in the same side-chain block. Returns how many
   * registrations were sent.
   */
  async relayTransactions(): Promise<number> {
    this.required ??= Number((await this.d.bridge.read.getBridgeParams())[0])
    const required = this.required
    const best = await this.d.btc.getBestBlockHash()
    if (best !== this.lastScanTip) {
      await this.scanNewBlocks()
      this.lastScanTip = best
    }
    if (this.candidates.size === 0) return 0
    const tip = await this.d.btc.getBlockCount()
    const inFlightTip = this.headersInFlight !== undefined && !this.headersInFlight.done ? this.headersInFlight.tip : undefined
    const pendingBatches = this.d.pendingBatchTxids()
    let sent = 0
    for (const [txid, c] of this.candidates) {
      if (!isDeepEnough(confirmationsAt(tip, c.height), required)) continue
      const inFlight = this.registrations.get(txid)
      if (inFlight !== undefined && !inFlight.done && Date.now() < inFlight.until) continue
      let fresh = c.federationOutputs.length === 0 && pendingBatches.has(txid)
      for (const vout of c.federationOutputs) {
        if (!(await this.d.bridge.read.isBtcOutpointRegistered([`0x${bytesToHex(c.txidInternal)}`, vout]))) fresh = true
      }
      if (!fresh) {
        this.candidates.delete(txid)
        continue
      }
      c.proof ??= await this.d.btc.getTxOutProof([txid], c.blockHash)
      const args = [c.raw, c.proof]
      let r = await this.d.bridge.send('registerBtcTransaction', args, [
        'PEG_ALREADY_REGISTERED',
        'PEG_NO_FEDERATION_OUTPUT',
        'PEG_NOT_ENOUGH_CONFIRMATIONS',
        'BRIDGE_BLOCK_UNKNOWN',
        'BRIDGE_NOT_BEST_CHAIN',
        'SPV_TX_64_BYTES',
      ])
      const waitsForHeaders = 'refused' in r && (r.refused === 'PEG_NOT_ENOUGH_CONFIRMATIONS' || r.refused === 'BRIDGE_BLOCK_UNKNOWN')
      if (waitsForHeaders && inFlightTip !== undefined && isDeepEnough(confirmationsAt(inFlightTip, c.height), required)) {
        // The headers in flight make it deep enough: send it right behind them (next nonce, same block).
        r = await this.d.bridge.send('registerBtcTransaction', args, [], { skipDryRun: true, gasLimit: REGISTRATION_GAS })
      }
      if ('hash' in r) {
        sent++
        const p = { until: Date.now() + 15_000, done: false }
        this.registrations.set(txid, p)
        void r.mined.then(() => (p.done = true))
        this.d.log('info', 'registered a Bitcoin transaction with the bridge', { txid, height: c.height })
      } else if (r.refused === 'PEG_ALREADY_REGISTERED' || r.refused === 'PEG_NO_FEDERATION_OUTPUT' || r.refused === 'SPV_TX_64_BYTES') {
        this.candidates.delete(txid)
      }
      // Other refusals (headers lagging, a side branch): the candidate stays and is tried again.
    }
    return sent
  }

  /** Reads blocks not seen yet (and again after a reorg) for transactions paying the federation. */
  private async scanNewBlocks(): Promise<void> {
    const tip = await this.d.btc.getBlockCount()
    let from = Math.max(1, tip - SCAN_WINDOW + 1)
    // Resume after the last block read, unless it is no longer on this node's best chain (a reorg).
    for (let h = Math.min(this.scannedTip, tip); h >= from; h--) {
      if (this.scanned.get(h) === (await this.d.btc.getBlockHash(h))) {
        from = h + 1
        break
      }
    }
    for (const [txid, c] of this.candidates) if (c.height >= from) this.candidates.delete(txid)
    const pending = this.d.pendingBatchTxids()
    for (let h = from; h <= tip; h++) {
      const hash = await this.d.btc.getBlockHash(h)
      const block = Block.fromBuffer(Buffer.from((await this.d.btc.getBlock(hash, false)) as Uint8Array))
      for (const tx of block.transactions ?? []) {
        const txid = tx.getId()
        const federationOutputs = tx.outs.flatMap((o, i) => (this.d.isFederationScript(Buffer.from(o.script).toString('hex')) ? [i] : []))
        if (federationOutputs.length === 0 && !pending.has(txid)) continue
        this.candidates.set(txid, { height: h, blockHash: hash, raw: new Uint8Array(tx.toBuffer()), txidInternal: new Uint8Array(tx.getHash()), federationOutputs })
      }
      this.scanned.set(h, hash)
    }
    this.scannedTip = tip
    for (const h of this.scanned.keys()) if (h < tip - SCAN_WINDOW) this.scanned.delete(h)
  }
}

export { hashToDisplayHex }
