// Deterministic peg-out batching (ARCHITECTURE.md decision 7): from the federation's UTXOs in the bridge's fixed
// order and the queued requests in id order, one unsigned Bitcoin transaction that the bridge and every signer
// compute byte for byte alike. The rules, in PROTOCOL.md "Peg-out batches":
//   - inputs: taken in the given order until they cover Σ (request value − fee it prepaid to a consolidation), at
//     most `maxInputs` of them (the fee is paid by the requests);
//   - fee = vsize × rate, vsize estimated exactly from the script sizes with k 72-byte signatures per input;
//   - fee shares by cost: each request pays its own output's bytes, and the rest of the fee (inputs, overhead,
//     change) in proportion to its amount, the remainder one sat each to the earliest requests;
//   - outputs: one per request (value − prepaid − share, request order), then change to the plain federation script;
//   - change never below dust: take one more input, or refuse (PEG_BATCH_DUST_CHANGE);
//   - version 2, locktime 0, every sequence 0xfffffffd, no witness.
import { Transaction } from 'bitcoinjs-lib'
import { bytesToHex, encodeCompactSize } from '../../spv/base/bytes.js'
import { pegEnsure, pegFail } from './errors.js'
import { multisigScriptLength, type Federation } from './federation.js'
import { classifyOutputScript } from './outputs.js'
import { utxoScriptPubKey } from './pegin.js'
import { checkBytes, checkChainId, checkRecipient, checkSats, MAX_MONEY_SATS } from './values.js'

export interface FederationUtxo {
  /** Txid of the funding transaction, internal byte order. */
  txid: Uint8Array
  vout: number
  valueSats: bigint
  /** null: the plain federation script; else the deposit tweak's recipient (needed to sign it). */
  recipient: Uint8Array | null
}

export interface PegOutRequest {
  id: bigint
  scriptPubKey: Uint8Array
  valueSats: bigint
  /**
   * Satoshis of this request already spent on fees of consolidations made for it (consolidation.ts): the
   * federation owes it that much less, so it is covered and paid `valueSats − prepaidFeeSats − share`. Default 0.
   */
  prepaidFeeSats?: bigint
}

export interface BatchOutput {
  /** The request this output pays, or null for the change output. */
  readonly requestId: bigint | null
  readonly scriptPubKey: Uint8Array
  readonly valueSats: bigint
}

export interface Batch {
  readonly inputs: FederationUtxo[]
  readonly outputs: BatchOutput[]
  readonly feeSats: bigint
  /** One per request, in request order; Σ = feeSats. */
  readonly feeShares: bigint[]
  readonly changeSats: bigint
  /** The estimated virtual size the fee was computed from (≥ the signed transaction's). */
  readonly vsize: number
  /** Version 2, locktime 0, no witness. */
  readonly unsignedTx: Uint8Array
  /** Internal byte order. */
  readonly txid: Uint8Array
}

export interface BuildBatchOptions {
  readonly fed: Federation
  readonly chainId: bigint
  /** Whole satoshis per virtual byte, ≥ 1. */
  readonly feeRateSatPerVb: bigint
  /** No output (request or change) below this; default DEFAULT_DUST_SATS. */
  readonly dustSats?: bigint
  /**
   * Most inputs the batch may take (the bridge's bound, batch-limits.ts): past it, PEG_BATCH_TOO_MANY_INPUTS and the
   * bridge consolidates first. Default: no bound other than the standard weight.
   */
  readonly maxInputs?: number
}

/**
 * 546 sats: Bitcoin Core's dust threshold (at its default 3 sat/vB dust relay fee) for the largest of the output
 * types the peg pays (P2PKH, 546; P2SH 540, P2WSH and P2TR 330, P2WPKH 294), so no batch output is ever dust.
 */
export const DEFAULT_DUST_SATS = 546n
/** Bitcoin Core's MAX_STANDARD_TX_WEIGHT: a heavier transaction is not relayed. */
export const MAX_STANDARD_TX_WEIGHT = 400_000
export const BATCH_TX_VERSION = 2
export const BATCH_LOCKTIME = 0
/** Opts in to replacement (BIP125), the wallet default; locktime 0 keeps nLockTime inert. */
export const BATCH_SEQUENCE = 0xfffffffd
/**
 * The signature size the fee assumes, sighash byte included: a DER signature is at most 72 bytes (33-byte r and s),
 * but s is low (BIP146, the only form relayed) so at most 32 bytes, hence at most 71 + 1. Most are 71 or 72.
 */
export const ESTIMATED_SIGNATURE_BYTES = 72

/**
 * Weight and virtual size of a batch transaction once signed, from the script sizes: per input 41 bytes outside the
 * witness (outpoint 36, empty scriptSig 1, sequence 4), and in the witness the item count, the empty item
 * CHECKMULTISIG pops, k signatures of ESTIMATED_SIGNATURE_BYTES with their length bytes, and the witness script.
 * vsize = ⌈weight / 4⌉ (BIP141). The sigop-adjusted size never applies: n ≤ 15 sigops per input are far below the
 * input's own weight / 20.
 */
export function estimateBatchSize(fed: Federation, inputCount: number, outputScripts: readonly Uint8Array[]): { weight: number; vsize: number } {
  const k = fed.threshold
  const wsLength = multisigScriptLength(fed.pubkeys.length)
  const witnessPerInput =
    encodeCompactSize(k + 2).length + 1 + k * (1 + ESTIMATED_SIGNATURE_BYTES) + encodeCompactSize(wsLength).length + wsLength
  let base = 4 + encodeCompactSize(inputCount).length + 41 * inputCount + encodeCompactSize(outputScripts.length).length + 4
  for (const s of outputScripts) base += 8 + encodeCompactSize(s.length).length + s.length
  const witness = 2 + inputCount * witnessPerInput // marker and flag, then each input's stack
  const weight = 4 * base + witness
  return { weight, vsize: Math.ceil(weight / 4) }
}

/** Equal shares: fee / count each, the remainder one sat each to the first requests. */
export function splitFee(feeSats: bigint, count: number): bigint[] {
  const m = BigInt(count)
  const each = feeSats / m
  const rest = feeSats % m
  return Array.from({ length: count }, (_, i) => each + (BigInt(i) < rest ? 1n : 0n))
}

/** The bytes an output paying `script` adds to a transaction (value 8, script length, script); vbytes = bytes. */
export function outputBytes(script: Uint8Array): number {
  return 8 + encodeCompactSize(script.length).length + script.length
}

/**
 * Fee shares by cost (PROTOCOL.md section 6, rule 4): request i pays its own output (outputBytes × rate), and the
 * rest of the fee — inputs, overhead, change — in proportion to its amount, ⌊rest × vᵢ / Σv⌋; the satoshis this
 * leaves (fewer than the number of requests) go one each to the earliest requests. Σ shares = fee. A request
 * batched beside one that needs many inputs so pays for inputs only in proportion to what it takes out.
 */
export function shareFee(feeSats: bigint, rate: bigint, requests: readonly { scriptPubKey: Uint8Array; valueSats: bigint }[]): bigint[] {
  const own = requests.map((r) => BigInt(outputBytes(r.scriptPubKey)) * rate)
  const ownSum = own.reduce((a, b) => a + b, 0n)
  pegEnsure(ownSum <= feeSats, 'PEG_BATCH_INVALID', 'the fee is smaller than the requests\' own outputs cost')
  const rest = feeSats - ownSum
  const total = requests.reduce((a, r) => a + r.valueSats, 0n)
  const parts = requests.map((r) => (total === 0n ? 0n : (rest * r.valueSats) / total))
  let left = rest - parts.reduce((a, b) => a + b, 0n)
  return own.map((o, i) => {
    const extra = left > 0n ? 1n : 0n
    left -= extra
    return o + parts[i]! + extra
  })
}

function checkInputs(utxos: readonly FederationUtxo[], requests: readonly PegOutRequest[], opts: BuildBatchOptions): bigint {
  pegEnsure(Array.isArray(utxos) && Array.isArray(requests), 'PEG_BATCH_INVALID', 'utxos and requests: expected arrays')
  pegEnsure(requests.length > 0, 'PEG_BATCH_INVALID', 'a batch needs at least one request')
  checkChainId(opts.chainId)
  pegEnsure(typeof opts.feeRateSatPerVb === 'bigint' && opts.feeRateSatPerVb >= 1n, 'PEG_BATCH_INVALID', 'feeRateSatPerVb: expected a bigint ≥ 1')
  const dust = opts.dustSats ?? DEFAULT_DUST_SATS
  checkSats(dust, 'PEG_BATCH_INVALID', 'dustSats')
  const seen = new Set<string>()
  utxos.forEach((u, i) => {
    checkBytes(u.txid, 32, 'PEG_BATCH_INVALID', `utxos[${i}].txid`)
    pegEnsure(Number.isInteger(u.vout) && u.vout >= 0 && u.vout <= 0xffffffff, 'PEG_BATCH_INVALID', `utxos[${i}].vout: bad index`)
    checkSats(u.valueSats, 'PEG_BATCH_INVALID', `utxos[${i}].valueSats`, 1n)
    if (u.recipient !== null) checkRecipient(u.recipient, `utxos[${i}].recipient`)
    const key = `${bytesToHex(u.txid)}:${u.vout}`
    pegEnsure(!seen.has(key), 'PEG_BATCH_INVALID', `utxos[${i}] repeats an outpoint`, { outpoint: key })
    seen.add(key)
  })
  let total = 0n
  requests.forEach((r, i) => {
    pegEnsure(typeof r.id === 'bigint' && r.id >= 0n, 'PEG_BATCH_INVALID', `requests[${i}].id: expected a bigint ≥ 0`)
    if (i > 0) pegEnsure(r.id > requests[i - 1]!.id, 'PEG_BATCH_INVALID', 'requests must be in increasing id order', { id: String(r.id) })
    pegEnsure(classifyOutputScript(r.scriptPubKey) !== null, 'PEG_BATCH_INVALID', `requests[${i}].scriptPubKey: not a supported output`, {
      requestId: String(r.id),
    })
    checkSats(r.valueSats, 'PEG_BATCH_INVALID', `requests[${i}].valueSats`, 1n, { requestId: String(r.id) })
    const prepaid = r.prepaidFeeSats ?? 0n
    pegEnsure(typeof prepaid === 'bigint' && prepaid >= 0n && prepaid < r.valueSats, 'PEG_BATCH_INVALID', `requests[${i}].prepaidFeeSats: expected a bigint in [0, value)`, {
      requestId: String(r.id),
    })
    total += r.valueSats - prepaid
  })
  pegEnsure(total <= MAX_MONEY_SATS, 'PEG_BATCH_INVALID', 'requests total more than 21 million BTC')
  if (opts.maxInputs !== undefined) pegEnsure(Number.isInteger(opts.maxInputs) && opts.maxInputs >= 1, 'PEG_BATCH_INVALID', 'maxInputs: expected an integer ≥ 1')
  return total
}

/** Builds the batch (see the file comment and PROTOCOL.md); pure and deterministic. */
export function buildBatch(utxos: readonly FederationUtxo[], requests: readonly PegOutRequest[], opts: BuildBatchOptions): Batch {
  const total = checkInputs(utxos, requests, opts)
  const { fed, chainId, feeRateSatPerVb } = opts
  const dust = opts.dustSats ?? DEFAULT_DUST_SATS

  // Coin selection: the given order, until the requests are covered and the change is zero or at least dust.
  const maxInputs = opts.maxInputs ?? Number.MAX_SAFE_INTEGER
  let taken = 0
  let inSum = 0n
  const tooMany = () =>
    pegFail('PEG_BATCH_TOO_MANY_INPUTS', `covering the requests takes more than ${maxInputs} inputs`, {
      maxInputs,
      requestedSats: String(total),
      coveredSats: String(inSum),
    })
  while (inSum < total) {
    if (taken >= maxInputs) tooMany()
    const u = utxos[taken]
    if (u === undefined) {
      pegFail('PEG_INSUFFICIENT_RESERVES', 'the federation UTXOs do not cover the requests', {
        requestedSats: String(total),
        availableSats: String(inSum),
      })
    }
    inSum += u.valueSats
    taken++
  }
  while (inSum - total > 0n && inSum - total < dust) {
    if (taken >= maxInputs) tooMany()
    const u = utxos[taken]
    if (u === undefined) {
      pegFail('PEG_BATCH_DUST_CHANGE', 'the change would be dust and no UTXO is left to add', {
        changeSats: String(inSum - total),
        dustSats: String(dust),
      })
    }
    inSum += u.valueSats
    taken++
  }
  const inputs = utxos.slice(0, taken).map(copyUtxo)
  const changeSats = inSum - total
  const changeScript = utxoScriptPubKey(fed, chainId, null)

  const scripts = requests.map((r) => r.scriptPubKey)
  if (changeSats > 0n) scripts.push(changeScript)
  const { weight, vsize } = estimateBatchSize(fed, inputs.length, scripts)
  pegEnsure(weight <= MAX_STANDARD_TX_WEIGHT, 'PEG_BATCH_TOO_LARGE', 'the batch would exceed the standard transaction weight', {
    weight,
    inputs: inputs.length,
    outputs: scripts.length,
  })
  const feeSats = BigInt(vsize) * feeRateSatPerVb
  const feeShares = shareFee(feeSats, feeRateSatPerVb, requests)

  const outputs: BatchOutput[] = requests.map((r, i) => {
    const valueSats = r.valueSats - (r.prepaidFeeSats ?? 0n) - feeShares[i]!
    if (valueSats < dust || valueSats <= 0n) {
      pegFail('PEG_FEE_EXCEEDS_OUTPUT', `request ${r.id} would receive less than dust after its fee share`, {
        requestId: r.id.toString(),
        valueSats: String(r.valueSats),
        feeShareSats: String(feeShares[i]),
        prepaidFeeSats: String(r.prepaidFeeSats ?? 0n),
        dustSats: String(dust),
      })
    }
    return Object.freeze({ requestId: r.id, scriptPubKey: r.scriptPubKey.slice(), valueSats })
  })
  if (changeSats > 0n) outputs.push(Object.freeze({ requestId: null, scriptPubKey: changeScript, valueSats: changeSats }))

  const tx = new Transaction()
  tx.version = BATCH_TX_VERSION
  tx.locktime = BATCH_LOCKTIME
  for (const u of inputs) tx.addInput(u.txid, u.vout, BATCH_SEQUENCE)
  for (const o of outputs) tx.addOutput(o.scriptPubKey, o.valueSats)
  return Object.freeze({
    inputs,
    outputs,
    feeSats,
    feeShares,
    changeSats,
    vsize,
    unsignedTx: tx.toBuffer(),
    txid: tx.getHash(false),
  })
}

function copyUtxo(u: FederationUtxo): FederationUtxo {
  return Object.freeze({ txid: u.txid.slice(), vout: u.vout, valueSats: u.valueSats, recipient: u.recipient === null ? null : u.recipient.slice() })
}
