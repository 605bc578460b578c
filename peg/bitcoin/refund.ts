// Where a payment the bridge cannot mint goes back to (ARCHITECTURE.md decision 6: every peg-in is minted or
// refunded). The memo's refund script when it names one; else the output script the transaction's first input
// spent, when its scriptSig and witness reveal it beyond doubt. Bitcoin never shows a spent output's script in the
// spending transaction, so this derives it only from the forms whose script is fixed by what the input carries
// (a public key or a committed redeem/witness script) and refuses to guess otherwise: a wrong guess would pay an
// address nobody can spend. The bridge holds what it cannot place, and a later proof of the funding transaction
// (fundingOutputScript) names the script exactly.
import { crypto as bcrypto, payments, script as bscript, Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { equalBytes } from '../../spv/base/bytes.js'
import { classifyOutputScript, type OutputType } from './outputs.js'

/** What the first input says about the output it spends. */
export type FundingReveal =
  | { readonly script: Uint8Array; readonly type: OutputType }
  | { readonly script: null; readonly why: string }

const ZERO_HASH = new Uint8Array(32)

const isSignature = (b: unknown): b is Uint8Array => b instanceof Uint8Array && b.length >= 9 && bscript.isCanonicalScriptSignature(b)
const isCompressedKey = (b: unknown): b is Uint8Array => b instanceof Uint8Array && b.length === 33 && ecc.isPoint(b)
const isKey = (b: unknown): b is Uint8Array => b instanceof Uint8Array && (b.length === 33 || b.length === 65) && ecc.isPoint(b)

function revealed(script: Uint8Array | undefined): FundingReveal {
  const type = script === undefined ? null : classifyOutputScript(script)
  if (script === undefined || type === null) return { script: null, why: 'the first input spends a script type the bridge cannot name' }
  return { script: new Uint8Array(script), type }
}

function isMultisig(witnessScript: Uint8Array): boolean {
  try {
    payments.p2ms({ output: witnessScript })
    return true
  } catch {
    return false
  }
}

/**
 * The scriptPubKey the input spent, when the input reveals it unambiguously:
 *  - P2PKH: scriptSig is exactly <signature> <public key>, no witness;
 *  - P2WPKH: empty scriptSig, witness exactly [signature, compressed public key] (BIP141);
 *  - P2SH-P2WPKH / P2SH-P2WSH: scriptSig is one push of the witness program, which the witness matches (BIP141);
 *  - P2WSH: empty scriptSig, witness ending in a standard multisig witness script (the only witness script form a
 *    taproot script-path spend's control block can never be mistaken for).
 * Anything else — a coinbase, a taproot key- or script-path spend, bare or legacy P2SH scripts — reveals nothing.
 */
export function fundingScriptOf(tx: Transaction, index = 0): FundingReveal {
  const input = tx.ins[index]
  if (input === undefined) return { script: null, why: `the transaction has no input ${index}` }
  if (equalBytes(input.hash, ZERO_HASH) && input.index === 0xffffffff) return { script: null, why: 'the transaction is a coinbase: it has no funding output' }
  const chunks = bscript.decompile(input.script)
  if (chunks === null) return { script: null, why: 'the first input\'s scriptSig does not parse' }
  const witness = input.witness
  if (witness.length === 0) {
    if (chunks.length === 2 && isSignature(chunks[0]) && isKey(chunks[1])) return revealed(payments.p2pkh({ pubkey: chunks[1] }).output)
    return { script: null, why: 'the first input is not a P2PKH, P2WPKH, nested segwit or multisig P2WSH spend' }
  }
  if (chunks.length === 0) {
    if (witness.length === 2 && isSignature(witness[0]) && isCompressedKey(witness[1])) return revealed(payments.p2wpkh({ pubkey: witness[1] }).output)
    const last = witness[witness.length - 1]!
    if (witness.length >= 2 && isMultisig(last)) return revealed(payments.p2wsh({ redeem: { output: last } }).output)
    return { script: null, why: 'the first input is a witness spend that does not reveal its script (taproot, or a non-multisig P2WSH)' }
  }
  const redeem = chunks.length === 1 ? chunks[0] : undefined
  if (redeem instanceof Uint8Array && redeem.length === 22 && redeem[0] === 0x00 && redeem[1] === 20) {
    const key = witness[1]
    if (witness.length === 2 && isSignature(witness[0]) && isCompressedKey(key) && equalBytes(bcrypto.hash160(key), redeem.subarray(2))) {
      return revealed(payments.p2sh({ redeem: { output: redeem } }).output)
    }
  }
  if (redeem instanceof Uint8Array && redeem.length === 34 && redeem[0] === 0x00 && redeem[1] === 32) {
    if (equalBytes(bcrypto.sha256(witness[witness.length - 1]!), redeem.subarray(2))) return revealed(payments.p2sh({ redeem: { output: redeem } }).output)
  }
  return { script: null, why: 'the first input is a nested spend whose witness does not match its redeem script' }
}

/**
 * The refundable scriptPubKey a funding transaction pays at `vout`, or null when the output is missing or not one of
 * the five standard types. The caller checks that the transaction hashes to the outpoint's txid: the held
 * payment's SPV-proven transaction commits to it, so no further proof is needed.
 */
export function fundingOutputScript(prevTx: Transaction, vout: number): Uint8Array | null {
  const out = prevTx.outs[vout]
  if (out === undefined || classifyOutputScript(out.script) === null) return null
  return new Uint8Array(out.script)
}
