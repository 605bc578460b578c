// A one-key P2WPKH wallet for regtest worlds and tests: mines to itself, remembers its coins, builds and signs
// payments with bitcoinjs-lib and broadcasts them with an acceptance check. bcoin's own wallet RPC is not used
// (unreliable in 1.0.2) and it has no `scantxoutset`, so the wallet tracks what it mined and spent itself.
// Deterministic (RFC 6979 signatures, fixed coin order); in memory only: it does not survive restarts or follow
// reorgs.
import { Block, Psbt, Transaction, payments, script as bscript, type Network } from 'bitcoinjs-lib'
import { ECPairFactory, type ECPairInterface } from 'ecpair'
import * as ecc from 'tiny-secp256k1'
import { equalBytes } from '../../spv/base/bytes.js'
import { fail, isCausewayError } from '../../spv/base/errors.js'
import { sha256 } from '../../spv/bitcoin/hash.js'
import type { BitcoinRpcClient, DisplayHashHex, SendOptions } from '../../federation/bitcoin/rpc-client.js'
import { bcoinRegtest } from './network.js'

const ECPair = ECPairFactory(ecc)

/**
 * bcoin's regtest activates segwit and CSV (BIP9, 144-block windows) at this height; before it, bcoin's mempool
 * refuses version-2 transactions ("premature-version2-tx") and so every payment this wallet builds.
 */
export const SEGWIT_HEIGHT = 432
/** A coinbase output may be spent in a block at least this many blocks above its own (consensus rule). */
export const COINBASE_MATURITY = 100
/** Standard limit on OP_RETURN data (Core's and bcoin's default `datacarriersize` of 83 script bytes). */
export const MAX_OP_RETURN_DATA = 80
/** Change below this goes to the fee instead: safely above the dust threshold of a P2WPKH output. */
export const CHANGE_DUST_SATS = 1_000n
export const DEFAULT_FEE_RATE = 2 // sat/vB; bcoin's minimum relay fee is 1 sat/vB

export interface WalletUtxo {
  readonly txid: DisplayHashHex
  readonly vout: number
  readonly valueSats: bigint
  /** Height of the block holding it; null for our own change while we have not seen it confirmed. */
  readonly height: number | null
  readonly coinbase: boolean
}

export interface PaymentOutput {
  readonly scriptPubKey: Uint8Array
  readonly valueSats: bigint
}

export interface PaymentRequest {
  readonly outputs: readonly PaymentOutput[]
  /** Data carried by one OP_RETURN output of value 0, placed after `outputs`. At most 80 bytes. */
  readonly opReturn?: Uint8Array
  /** Satoshis per virtual byte (default 2). */
  readonly feeRate?: number
  /** Spend exactly these coins instead of choosing (for tests: double spends). */
  readonly inputs?: readonly WalletUtxo[]
}

export interface SignedPayment {
  readonly txid: DisplayHashHex
  readonly raw: Uint8Array
  readonly feeSats: bigint
  readonly vsize: number
  readonly inputs: readonly WalletUtxo[]
  /** Our change output (always the last output), or null when the rest went to the fee. */
  readonly change: WalletUtxo | null
}

export interface FundResult {
  readonly blockHashes: readonly DisplayHashHex[]
  /** The coinbase outputs to this wallet the new blocks created. */
  readonly coins: readonly WalletUtxo[]
}

export interface DemoWalletOptions {
  /** 32-byte secret key. */
  readonly privateKey?: Uint8Array
  /** Derives the key when no `privateKey` is given (default "causeway demo wallet"). */
  readonly seed?: string
  readonly network?: Network
}

export class DemoWallet {
  readonly network: Network
  readonly publicKey: Uint8Array
  readonly address: string
  readonly scriptPubKey: Uint8Array
  private readonly key: ECPairInterface
  private coins: WalletUtxo[] = []

  constructor(options: DemoWalletOptions = {}) {
    this.network = options.network ?? bcoinRegtest
    const secret = options.privateKey ?? keyFromSeed(options.seed ?? 'causeway demo wallet')
    if (!(secret instanceof Uint8Array) || secret.length !== 32 || !ecc.isPrivate(secret)) {
      fail('DEMO_WALLET_BAD_KEY', 'privateKey: expected a valid 32-byte secp256k1 secret key')
    }
    this.key = ECPair.fromPrivateKey(secret, { network: this.network })
    this.publicKey = this.key.publicKey
    const p2wpkh = payments.p2wpkh({ pubkey: this.publicKey, network: this.network })
    this.address = p2wpkh.address!
    this.scriptPubKey = p2wpkh.output!
  }

  /** The coins the wallet holds, in the order it spends them. */
  utxos(): readonly WalletUtxo[] {
    return [...this.coins].sort(coinOrder)
  }

  /** Coins that may go into the next block (coinbases need 100 confirmations). */
  spendable(tipHeight: number): WalletUtxo[] {
    return this.utxos().filter((u) => !u.coinbase || (u.height !== null && tipHeight + 1 - u.height >= COINBASE_MATURITY))
  }

  balance(tipHeight: number): { spendableSats: bigint; immatureSats: bigint } {
    const spendable = sum(this.spendable(tipHeight))
    return { spendableSats: spendable, immatureSats: sum(this.coins) - spendable }
  }

  /** Adds a coin the wallet learnt about elsewhere. */
  track(utxo: WalletUtxo): void {
    if (!this.coins.some((c) => c.txid === utxo.txid && c.vout === utxo.vout)) this.coins.push(utxo)
  }

  /** Mines `blocks` blocks to this wallet and records their coinbase outputs (read back from the blocks). */
  async fund(rpc: BitcoinRpcClient, blocks: number): Promise<FundResult> {
    const blockHashes = await rpc.generateToAddress(blocks, this.address)
    const coins: WalletUtxo[] = []
    const BATCH = 16
    for (let i = 0; i < blockHashes.length; i += BATCH) {
      const raws = await Promise.all(blockHashes.slice(i, i + BATCH).map((h) => rpc.getBlock(h, false)))
      for (const raw of raws) {
        const coinbase = Block.fromBuffer(raw).transactions?.[0]
        if (coinbase === undefined) fail('DEMO_WALLET_BAD_BLOCK', 'a mined block has no transactions')
        const height = bip34Height(coinbase)
        coinbase.outs.forEach((out, vout) => {
          if (!equalBytes(out.script, this.scriptPubKey)) return
          const coin: WalletUtxo = { txid: coinbase.getId(), vout, valueSats: out.value, height, coinbase: true }
          this.track(coin)
          coins.push(coin)
        })
      }
    }
    return { blockHashes, coins }
  }

  /**
   * Mines to this wallet until the chain is at least at SEGWIT_HEIGHT and it holds `minSpendable` coins it can
   * spend. From an empty regtest chain: 432 blocks, of which the coinbases of heights 1..333 are mature.
   */
  async activateSegwit(rpc: BitcoinRpcClient, minSpendable = 1): Promise<{ height: number; spendableSats: bigint }> {
    for (;;) {
      const tip = await rpc.getBlockCount()
      if (tip < SEGWIT_HEIGHT) {
        await this.fund(rpc, SEGWIT_HEIGHT - tip)
        continue
      }
      if (this.spendable(tip).length >= minSpendable) return { height: tip, spendableSats: this.balance(tip).spendableSats }
      const coinbaseHeights = this.coins.filter((c) => c.coinbase && c.height !== null).map((c) => c.height!).sort((a, b) => a - b)
      const needed = coinbaseHeights[minSpendable - 1]
      // Not enough coinbases yet: mine the missing ones; else mine until the one we wait for matures.
      await this.fund(rpc, needed === undefined ? minSpendable - coinbaseHeights.length : Math.max(1, needed + COINBASE_MATURITY - 1 - tip))
    }
  }

  /** Builds and signs a payment spending coins that may go into the block after `tipHeight`; broadcasts nothing. */
  createPayment(request: PaymentRequest, tipHeight: number): SignedPayment {
    const feeRate = request.feeRate ?? DEFAULT_FEE_RATE
    if (!Number.isFinite(feeRate) || feeRate < 0) fail('DEMO_WALLET_BAD_REQUEST', `feeRate: not a fee rate: ${feeRate}`)
    const outputs = [...request.outputs]
    outputs.forEach((o, i) => {
      if (!(o.scriptPubKey instanceof Uint8Array) || o.scriptPubKey.length === 0) fail('DEMO_WALLET_BAD_REQUEST', `outputs[${i}].scriptPubKey: expected script bytes`)
      if (typeof o.valueSats !== 'bigint' || o.valueSats <= 0n) fail('DEMO_WALLET_BAD_REQUEST', `outputs[${i}].valueSats: expected a positive bigint`)
    })
    if (request.opReturn !== undefined) {
      if (request.opReturn.length > MAX_OP_RETURN_DATA) fail('DEMO_WALLET_BAD_REQUEST', `opReturn: at most ${MAX_OP_RETURN_DATA} bytes are standard`)
      outputs.push({ scriptPubKey: payments.embed({ data: [request.opReturn] }).output!, valueSats: 0n })
    }
    if (outputs.length === 0) fail('DEMO_WALLET_BAD_REQUEST', 'a payment needs at least one output')
    const target = outputs.reduce((s, o) => s + o.valueSats, 0n)
    const { inputs, fee, changeSats } = this.select(request.inputs ?? this.spendable(tipHeight), outputs, target, feeRate, request.inputs !== undefined)

    const psbt = new Psbt({ network: this.network })
    for (const u of inputs) psbt.addInput({ hash: u.txid, index: u.vout, witnessUtxo: { script: this.scriptPubKey, value: u.valueSats } })
    for (const o of outputs) psbt.addOutput({ script: o.scriptPubKey, value: o.valueSats })
    if (changeSats > 0n) psbt.addOutput({ script: this.scriptPubKey, value: changeSats })
    psbt.signAllInputs(this.key)
    psbt.finalizeAllInputs()
    const tx = psbt.extractTransaction(true)
    const vsize = tx.virtualSize()
    if (BigInt(Math.ceil(vsize * feeRate)) > fee) fail('DEMO_WALLET_FEE_ESTIMATE', `fee estimate ${fee} below ${feeRate} sat/vB × ${vsize} vB`)
    const txid = tx.getId()
    const change = changeSats > 0n ? { txid, vout: outputs.length, valueSats: changeSats, height: null, coinbase: false } : null
    return { txid, raw: tx.toBuffer(), feeSats: fee, vsize, inputs, change }
  }

  /** Builds, signs and broadcasts a payment; once the node holds it, its coins are spent and its change is ours. */
  async pay(rpc: BitcoinRpcClient, request: PaymentRequest, send: SendOptions = {}): Promise<SignedPayment> {
    const payment = this.createPayment(request, await rpc.getBlockCount())
    try {
      await rpc.sendRawTransaction(payment.raw, send)
    } catch (e) {
      // Mined between our send and the client's mempool check (a node that mines every few seconds): paid.
      if (!isCausewayError(e, 'BTC_TX_ALREADY_IN_CHAIN')) throw e
    }
    this.coins = this.coins.filter((c) => !payment.inputs.some((i) => i.txid === c.txid && i.vout === c.vout))
    if (payment.change !== null) this.track(payment.change)
    return payment
  }

  // Takes coins in order until they pay the outputs and the fee; change below CHANGE_DUST_SATS goes to the fee.
  private select(candidates: readonly WalletUtxo[], outputs: readonly PaymentOutput[], target: bigint, feeRate: number, exact: boolean) {
    const ordered = exact ? [...candidates] : [...candidates].sort(coinOrder)
    const chosen: WalletUtxo[] = []
    let total = 0n
    for (const coin of ordered) {
      chosen.push(coin)
      total += coin.valueSats
      if (!exact || chosen.length === ordered.length) {
        const feeWithChange = feeFor(estimateVsize(chosen.length, [...outputs.map((o) => o.scriptPubKey), this.scriptPubKey]), feeRate)
        if (total - target - feeWithChange >= CHANGE_DUST_SATS) return { inputs: chosen, fee: feeWithChange, changeSats: total - target - feeWithChange }
        const feeNoChange = feeFor(estimateVsize(chosen.length, outputs.map((o) => o.scriptPubKey)), feeRate)
        if (total - target >= feeNoChange) return { inputs: chosen, fee: total - target, changeSats: 0n }
      }
    }
    fail('DEMO_WALLET_INSUFFICIENT_FUNDS', `the wallet cannot pay ${target} sats plus fee from ${total} sats in ${chosen.length} spendable coins`, {
      needed: target.toString(),
      available: total.toString(),
    })
  }
}

/**
 * An upper bound on the virtual size of a transaction spending `inputs` P2WPKH coins to these output scripts:
 * each witness holds a signature of at most 72 bytes and a 33-byte key (BIP141 weight = 4 × base + witness).
 */
export function estimateVsize(inputs: number, outputScripts: readonly Uint8Array[]): number {
  const varint = (n: number) => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5)
  let base = 4 + 4 + varint(inputs) + varint(outputScripts.length) + inputs * (32 + 4 + 1 + 4)
  for (const s of outputScripts) base += 8 + varint(s.length) + s.length
  const witness = 2 + inputs * (1 + 1 + 72 + 1 + 33)
  return Math.ceil((4 * base + witness) / 4)
}

function feeFor(vsize: number, feeRate: number): bigint {
  return BigInt(Math.ceil(vsize * feeRate))
}

/** The height a coinbase commits to in the first push of its input script (BIP34). */
export function bip34Height(coinbase: Transaction): number {
  const first = bscript.decompile(coinbase.ins[0]?.script ?? new Uint8Array())?.[0]
  if (first === undefined) fail('DEMO_WALLET_BAD_BLOCK', 'coinbase without a height (BIP34)')
  if (typeof first === 'number') {
    if (first === bscript.OPS['OP_0']) return 0
    if (first >= bscript.OPS['OP_1']! && first <= bscript.OPS['OP_16']!) return first - bscript.OPS['OP_1']! + 1
    fail('DEMO_WALLET_BAD_BLOCK', `coinbase height opcode ${first} is not a height`)
  }
  const n = bscript.number.decode(first, 5)
  if (n < 0) fail('DEMO_WALLET_BAD_BLOCK', 'negative coinbase height')
  return n
}

function keyFromSeed(seed: string): Uint8Array {
  let key = sha256(new TextEncoder().encode(`causeway/demo-wallet/${seed}`))
  while (!ecc.isPrivate(key)) key = sha256(key) // practically never: a hash is ≥ the curve order with p ≈ 2^-128
  return key
}

function coinOrder(a: WalletUtxo, b: WalletUtxo): number {
  const ha = a.height ?? Number.MAX_SAFE_INTEGER
  const hb = b.height ?? Number.MAX_SAFE_INTEGER
  if (ha !== hb) return ha - hb
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1
  return a.vout - b.vout
}

function sum(coins: readonly WalletUtxo[]): bigint {
  return coins.reduce((s, c) => s + c.valueSats, 0n)
}
