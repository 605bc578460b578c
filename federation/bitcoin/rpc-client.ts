// A small client for a Bitcoin node's JSON-RPC (Bitcoin Core, or bcoin with its Core-compatible RPC): the calls a
// peg needs, typed, with coded errors. Txids and block hashes at this edge are display-order hex (reversed, as
// RPC and explorers show them); raw headers, transactions and proofs come back as bytes in wire order.
import { bytesToHex, hashToDisplayHex } from '../../spv/base/bytes.js'
import { CausewayError, fail, isCausewayError } from '../../spv/base/errors.js'
import { txid as computeTxid } from '../../spv/bitcoin/transaction.js'
import { asBytes, asHash, asHeight, asInt, asObject, badResponse, btcToSats, checkHash, type DisplayHashHex } from './rpc-answers.js'
import { BitcoinRpcTransport, RPC_CODES } from './rpc-transport.js'

export { btcToSats, type DisplayHashHex } from './rpc-answers.js'
export { RPC_CODES, type BitcoinRpcOptions } from './rpc-transport.js'

export interface SendOptions {
  /**
   * How long to wait for the transaction to show in the mempool (default 5 s). bcoin answers
   * `sendrawtransaction` before its mempool has looked at the transaction, so acceptance is polled; a refusal
   * is only known when this time is up, so it is generous: calling a slow node's good transaction rejected
   * would be worse than waiting.
   */
  readonly acceptTimeoutMs?: number
}

/** A block as `getblock <hash> true` describes it, with transaction ids only. */
export interface BlockInfo {
  readonly hash: DisplayHashHex
  readonly height: number
  /** On the node's best chain: 1 for the tip. Core answers -1 for a block off the best chain. */
  readonly confirmations: number
  readonly previousBlockHash: DisplayHashHex | null
  readonly merkleRootDisplay: string
  readonly time: number
  readonly txids: readonly DisplayHashHex[]
}

export interface TxOutInfo {
  readonly bestBlock: DisplayHashHex
  /** 0 for an output created by a mempool transaction. */
  readonly confirmations: number
  readonly valueSats: bigint
  readonly scriptPubKey: Uint8Array
  readonly coinbase: boolean
}

export interface MempoolEntryInfo {
  /** Virtual size (Core `vsize`; bcoin `size`, which is already virtual). */
  readonly vsize: number
  readonly feeSats: bigint
  /** Unix seconds when it entered the mempool. */
  readonly time: number
  /** Chain height when it entered the mempool. */
  readonly height: number
  /** Unconfirmed parents. */
  readonly depends: readonly DisplayHashHex[]
}

export interface FeeEstimate {
  /** Satoshis per 1000 virtual bytes. */
  readonly satPerKvB: bigint
  readonly blocks: number
}

const DEFAULT_ACCEPT_TIMEOUT_MS = 5_000

/** The calls a peg needs, typed, over the transport (`call` stays public for anything else). */
export class BitcoinRpcClient extends BitcoinRpcTransport {
  async getBlockCount(): Promise<number> {
    return asHeight(await this.call('getblockcount'), 'getblockcount')
  }

  async getBestBlockHash(): Promise<DisplayHashHex> {
    return asHash(await this.call('getbestblockhash'), 'getbestblockhash')
  }

  async getBlockHash(height: number): Promise<DisplayHashHex> {
    if (!Number.isSafeInteger(height) || height < 0) fail('BTC_RPC_BAD_ARGUMENT', `getblockhash: not a height: ${height}`)
    return asHash(await this.call('getblockhash', [height]), 'getblockhash')
  }

  /** The 80 raw header bytes, wire order (`getblockheader <hash> false`). */
  async getBlockHeaderRaw(blockHash: DisplayHashHex): Promise<Uint8Array> {
    return asBytes(await this.call('getblockheader', [checkHash(blockHash, 'blockHash'), false]), 'getblockheader', 80)
  }

  /**
   * `getblock`: raw block bytes when `verbose` is false, a description with txids when true. Both nodes take a
   * boolean here (Core's verbosity 0/1; bcoin has no verbosity 2 — it takes a third boolean instead — so
   * transaction details are not offered: decode the raw block).
   */
  getBlock(blockHash: DisplayHashHex, verbose: false): Promise<Uint8Array>
  getBlock(blockHash: DisplayHashHex, verbose: true): Promise<BlockInfo>
  async getBlock(blockHash: DisplayHashHex, verbose: boolean): Promise<Uint8Array | BlockInfo> {
    const r = await this.call('getblock', [checkHash(blockHash, 'blockHash'), verbose])
    if (!verbose) return asBytes(r, 'getblock')
    const b = asObject(r, 'getblock') as Record<string, unknown>
    if (!Array.isArray(b['tx'])) badResponse('getblock', 'tx is not a list')
    return {
      hash: asHash(b['hash'], 'getblock.hash'),
      height: asHeight(b['height'], 'getblock.height'),
      confirmations: asInt(b['confirmations'], 'getblock.confirmations'),
      previousBlockHash: b['previousblockhash'] === undefined || b['previousblockhash'] === null ? null : asHash(b['previousblockhash'], 'getblock.previousblockhash'),
      merkleRootDisplay: asHash(b['merkleroot'], 'getblock.merkleroot'),
      time: asInt(b['time'], 'getblock.time'),
      txids: (b['tx'] as unknown[]).map((t) => asHash(t, 'getblock.tx')),
    }
  }

  /** Raw transaction bytes (bcoin needs `--index-tx` for confirmed transactions; Core needs `-txindex`). */
  async getRawTransaction(txid: DisplayHashHex): Promise<Uint8Array> {
    return asBytes(await this.call('getrawtransaction', [checkHash(txid, 'txid')]), 'getrawtransaction')
  }

  /** The block holding a transaction, or null while it is unconfirmed (needs the transaction index). */
  async getTransactionBlockHash(txid: DisplayHashHex): Promise<DisplayHashHex | null> {
    const r = asObject(await this.call('getrawtransaction', [checkHash(txid, 'txid'), true]), 'getrawtransaction') as Record<string, unknown>
    const h = r['blockhash']
    // bcoin writes an empty or all-zero hash for a mempool transaction; Core leaves the field out.
    if (h === undefined || h === null || h === '' || h === '0'.repeat(64)) return null
    return asHash(h, 'getrawtransaction.blockhash')
  }

  /**
   * Broadcasts a transaction and returns its txid only once the node's mempool holds it. Throws BTC_TX_REJECTED
   * when the node refuses it (Core: an RPC error; bcoin: the txid comes back but the mempool never shows it —
   * the reason is only in bcoin's log) and BTC_TX_ALREADY_IN_CHAIN when it is already confirmed.
   */
  async sendRawTransaction(rawTx: Uint8Array, options: SendOptions = {}): Promise<DisplayHashHex> {
    let expected: DisplayHashHex
    try {
      expected = hashToDisplayHex(computeTxid(rawTx))
    } catch (e) {
      fail('BTC_TX_REJECTED', `not a transaction: ${(e as Error).message}`, { reason: 'decode' }, e)
    }
    let answered: unknown
    try {
      answered = await this.call('sendrawtransaction', [bytesToHex(rawTx)])
    } catch (e) {
      if (isCausewayError(e, 'BTC_RPC_ERROR')) {
        const rpcCode = e.details?.['rpcCode']
        const rpcMessage = String(e.details?.['rpcMessage'] ?? e.message)
        if (rpcCode === RPC_CODES.VERIFY_ALREADY_IN_CHAIN) {
          throw new CausewayError('BTC_TX_ALREADY_IN_CHAIN', `transaction ${expected} is already confirmed`, { details: { txid: expected, rpcCode, rpcMessage }, cause: e })
        }
        if (rpcCode === RPC_CODES.VERIFY_REJECTED || rpcCode === RPC_CODES.VERIFY_ERROR || rpcCode === RPC_CODES.DESERIALIZATION_ERROR) {
          throw new CausewayError('BTC_TX_REJECTED', `the node rejected transaction ${expected}: ${rpcMessage}`, { details: { txid: expected, rpcCode, rpcMessage }, cause: e })
        }
      }
      throw e
    }
    const txid = asHash(answered, 'sendrawtransaction')
    if (txid !== expected) badResponse('sendrawtransaction', `returned txid ${txid}, the transaction's is ${expected}`)
    const deadline = Date.now() + (options.acceptTimeoutMs ?? DEFAULT_ACCEPT_TIMEOUT_MS)
    for (let wait = 10, first = true; ; wait = Math.min(wait * 2, 200), first = false) {
      if ((await this.getMempoolEntry(txid)) !== null) return txid
      if (first) {
        // Already confirmed? Then it will never enter the mempool: say so at once instead of waiting.
        const blockHash = await this.confirmedIn(txid)
        if (blockHash !== null) fail('BTC_TX_ALREADY_IN_CHAIN', `transaction ${txid} is already confirmed`, { txid, blockHash })
      }
      if (Date.now() >= deadline) break
      await new Promise((r) => setTimeout(r, wait))
    }
    fail('BTC_TX_REJECTED', `the node did not accept transaction ${txid} into its mempool (see the node's log for the reason)`, { txid })
  }

  /** The block holding a transaction; null when unconfirmed or unknown (Core without -txindex knows no others). */
  private async confirmedIn(txid: DisplayHashHex): Promise<DisplayHashHex | null> {
    try {
      return await this.getTransactionBlockHash(txid)
    } catch (e) {
      if (isCausewayError(e, 'BTC_RPC_ERROR')) return null
      throw e
    }
  }

  /** The serialized CMerkleBlock proving `txids` are in a block (`gettxoutproof`), wire bytes. */
  async getTxOutProof(txids: readonly DisplayHashHex[], blockHash?: DisplayHashHex): Promise<Uint8Array> {
    if (txids.length === 0) fail('BTC_RPC_BAD_ARGUMENT', 'gettxoutproof: give at least one txid')
    const params: unknown[] = [txids.map((t) => checkHash(t, 'txid'))]
    if (blockHash !== undefined) params.push(checkHash(blockHash, 'blockHash'))
    return asBytes(await this.call('gettxoutproof', params), 'gettxoutproof')
  }

  /**
   * An unspent output, or null when it is spent or unknown. With `includeMempool` (the default, as in Core) an
   * output created by a mempool transaction counts. Beware: bcoin 1.0.2 does not hide a confirmed output that a
   * mempool transaction spends (Core does); pass `includeMempool: false` to ask about the chain only.
   */
  async getTxOut(txid: DisplayHashHex, vout: number, includeMempool = true): Promise<TxOutInfo | null> {
    if (!Number.isSafeInteger(vout) || vout < 0) fail('BTC_RPC_BAD_ARGUMENT', `gettxout: not an output index: ${vout}`)
    const r = await this.call('gettxout', [checkHash(txid, 'txid'), vout, includeMempool])
    if (r === null) return null
    const o = asObject(r, 'gettxout') as Record<string, unknown>
    const spk = asObject(o['scriptPubKey'], 'gettxout.scriptPubKey') as Record<string, unknown>
    return {
      bestBlock: asHash(o['bestblock'], 'gettxout.bestblock'),
      confirmations: asInt(o['confirmations'], 'gettxout.confirmations'),
      valueSats: btcToSats(o['value'], 'gettxout.value'),
      scriptPubKey: asBytes(spk['hex'], 'gettxout.scriptPubKey.hex'),
      coinbase: o['coinbase'] === true,
    }
  }

  /** The mempool's entry for a transaction, or null when the mempool does not hold it. */
  async getMempoolEntry(txid: DisplayHashHex): Promise<MempoolEntryInfo | null> {
    let r: unknown
    try {
      r = await this.call('getmempoolentry', [checkHash(txid, 'txid')])
    } catch (e) {
      // Core: -5 "Transaction not in mempool"; bcoin: -1 "Transaction not in mempool."
      if (isCausewayError(e, 'BTC_RPC_ERROR')) {
        const code = e.details?.['rpcCode']
        if (code === RPC_CODES.INVALID_ADDRESS_OR_KEY || (code === RPC_CODES.MISC_ERROR && /not in mempool/i.test(String(e.details?.['rpcMessage'])))) return null
      }
      throw e
    }
    const m = asObject(r, 'getmempoolentry') as Record<string, unknown>
    const fees = m['fees'] as Record<string, unknown> | undefined
    const fee = fees !== undefined && fees !== null && typeof fees === 'object' ? fees['base'] : m['fee']
    return {
      vsize: asInt(m['vsize'] ?? m['size'], 'getmempoolentry.vsize'),
      feeSats: btcToSats(fee, 'getmempoolentry.fee'),
      time: asInt(m['time'], 'getmempoolentry.time'),
      height: asInt(m['height'], 'getmempoolentry.height'),
      depends: Array.isArray(m['depends']) ? (m['depends'] as unknown[]).map((d) => asHash(d, 'getmempoolentry.depends')) : [],
    }
  }

  async getRawMempool(): Promise<DisplayHashHex[]> {
    const r = await this.call('getrawmempool', [false])
    if (!Array.isArray(r)) badResponse('getrawmempool', 'not a list')
    return r.map((t) => asHash(t, 'getrawmempool'))
  }

  /** Mines `blocks` blocks paying `address` (regtest); their hashes, lowest first. */
  async generateToAddress(blocks: number, address: string): Promise<DisplayHashHex[]> {
    if (!Number.isSafeInteger(blocks) || blocks < 1) fail('BTC_RPC_BAD_ARGUMENT', `generatetoaddress: not a block count: ${blocks}`)
    const r = await this.call('generatetoaddress', [blocks, address], Math.max(this.timeoutMs, 120_000))
    if (!Array.isArray(r)) badResponse('generatetoaddress', 'not a list')
    return r.map((h) => asHash(h, 'generatetoaddress'))
  }

  /**
   * Marks a block invalid and leaves its chain. bcoin 1.0.2 deletes the block and everything above it (a chain
   * reset, not a reorg) and empties the whole mempool; Core disconnects them and returns their transactions to
   * its mempool.
   */
  async invalidateBlock(blockHash: DisplayHashHex): Promise<void> {
    await this.call('invalidateblock', [checkHash(blockHash, 'blockHash')])
  }

  /** Removes a block's invalid mark. bcoin 1.0.2 only forgets the mark: the deleted blocks do not come back. */
  async reconsiderBlock(blockHash: DisplayHashHex): Promise<void> {
    await this.call('reconsiderblock', [checkHash(blockHash, 'blockHash')])
  }

  /**
   * A fee rate for confirmation within `confTarget` blocks, or null when the node has no estimate (bcoin answers
   * `{fee: -1}`, Core `{errors: [...]}`).
   */
  async estimateSmartFee(confTarget: number): Promise<FeeEstimate | null> {
    if (!Number.isSafeInteger(confTarget) || confTarget < 1) fail('BTC_RPC_BAD_ARGUMENT', `estimatesmartfee: not a block count: ${confTarget}`)
    const r = asObject(await this.call('estimatesmartfee', [confTarget]), 'estimatesmartfee') as Record<string, unknown>
    const rate = r['feerate'] ?? r['fee'] // Core: feerate (BTC/kvB); bcoin: fee (BTC/kB), -1 without data
    if (rate === undefined || rate === null || (typeof rate === 'number' && rate < 0)) return null
    return { satPerKvB: btcToSats(rate, 'estimatesmartfee.feerate'), blocks: asInt(r['blocks'], 'estimatesmartfee.blocks') }
  }
}
