// Signing a batch: the segwit v0 sighash of each input (BIP143, SIGHASH_ALL) over its own witness script, each
// member's signature with its key tweaked for deposit-address inputs, verification of a signature the bridge is
// handed, and the signed transaction once k valid signatures per input are in.
import { Transaction } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { bytesToHex } from '../../spv/base/bytes.js'
import { isCausewayError } from '../../spv/base/errors.js'
import type { Batch } from './batch.js'
import { checkPrivateKey, depositTweak, tweakPrivateKey, tweakPublicKey } from './deposit.js'
import { pegEnsure, pegFail } from './errors.js'
import { federationWitnessScript, memberIndexOf, sortedMultisigScript, type Federation } from './federation.js'
import { decodeInputSignature, encodeInputSignature, SIGHASH_ALL } from './signatures.js'
import { checkChainId, compareBytes } from './values.js'

/** What signing or checking one input needs: its witness script and every member's key for it, in member order. */
export interface BatchInputKeys {
  readonly witnessScript: Uint8Array
  readonly memberKeys: readonly Uint8Array[]
}

/** Parses the batch's unsigned transaction and checks that it spends exactly the batch's inputs, in order. */
function batchTransaction(batch: Batch): Transaction {
  let tx: Transaction
  try {
    tx = Transaction.fromBuffer(batch.unsignedTx)
  } catch (e) {
    pegFail('PEG_BATCH_INVALID', 'batch: the unsigned transaction does not parse', undefined, e)
  }
  pegEnsure(tx.ins.length === batch.inputs.length, 'PEG_BATCH_INVALID', 'batch: inputs and transaction disagree')
  tx.ins.forEach((input, i) => {
    const u = batch.inputs[i]!
    pegEnsure(compareBytes(input.hash, u.txid) === 0 && input.index === u.vout, 'PEG_BATCH_INVALID', 'batch: inputs and transaction disagree', {
      input: i,
    })
  })
  return tx
}

/** The witness script and member keys of a federation UTXO (recipient null: the plain federation script). */
export function utxoInputKeys(fed: Federation, chainId: bigint, recipient: Uint8Array | null): BatchInputKeys {
  checkChainId(chainId)
  if (recipient === null) {
    return Object.freeze({ witnessScript: federationWitnessScript(fed), memberKeys: Object.freeze(fed.pubkeys.map((p) => p.slice())) })
  }
  const memberKeys = fed.pubkeys.map((p) => tweakPublicKey(p, depositTweak(p, chainId, recipient)))
  return Object.freeze({ witnessScript: sortedMultisigScript(memberKeys, fed.threshold), memberKeys: Object.freeze(memberKeys) })
}

/** The witness script and member keys of every input of a batch (computed once per recipient). */
export function batchInputKeys(batch: Batch, fed: Federation, chainId: bigint): BatchInputKeys[] {
  const byRecipient = new Map<string, BatchInputKeys>()
  return batch.inputs.map((u) => {
    const id = u.recipient === null ? '' : bytesToHex(u.recipient)
    let keys = byRecipient.get(id)
    if (keys === undefined) {
      keys = utxoInputKeys(fed, chainId, u.recipient)
      byRecipient.set(id, keys)
    }
    return keys
  })
}

function sighashesOf(tx: Transaction, batch: Batch, keys: readonly BatchInputKeys[]): Uint8Array[] {
  return batch.inputs.map((u, i) => tx.hashForWitnessV0(i, keys[i]!.witnessScript, u.valueSats, SIGHASH_ALL))
}

/** The BIP143 SIGHASH_ALL digest of each input, over that input's witness script and value. */
export function batchSighashes(batch: Batch, fed: Federation, chainId: bigint): Uint8Array[] {
  const tx = batchTransaction(batch)
  return sighashesOf(tx, batch, batchInputKeys(batch, fed, chainId))
}

/**
 * One signature per input (DER + SIGHASH_ALL) by the member holding `memberPrivateKey32`, the key tweaked by the
 * input's deposit tweak where it has a recipient. RFC6979 nonces (libsecp256k1's), so signing twice gives the same
 * bytes, and low S. PEG_NOT_A_MEMBER when the key is not the federation's.
 */
export function signBatch(batch: Batch, memberPrivateKey32: Uint8Array, fed: Federation, chainId: bigint): Uint8Array[] {
  checkPrivateKey(memberPrivateKey32)
  const pubkey = ecc.pointFromScalar(memberPrivateKey32, true)!
  const member = memberIndexOf(fed, pubkey)
  const tx = batchTransaction(batch)
  const keys = batchInputKeys(batch, fed, chainId)
  const hashes = sighashesOf(tx, batch, keys)
  return batch.inputs.map((u, i) => {
    const d = u.recipient === null ? memberPrivateKey32 : tweakPrivateKey(memberPrivateKey32, depositTweak(pubkey, chainId, u.recipient))
    const compact = ecc.sign(hashes[i]!, d)
    // A fault in signing must not leak a bad signature (and with it, possibly, the key): check before release.
    pegEnsure(ecc.verify(hashes[i]!, keys[i]!.memberKeys[member]!, compact, true), 'PEG_SIGNATURE_MALFORMED', 'signing failed its own check')
    return encodeInputSignature(compact)
  })
}

/**
 * Whether `sig` is member `memberIndex`'s valid signature of input `inputIndex`. A well-formed signature that does
 * not verify (another key, another input, another transaction, a high S) is `false`; bytes that are not strict DER
 * + SIGHASH_ALL are PEG_SIGNATURE_MALFORMED; indexes out of range are PEG_BATCH_INVALID / PEG_NOT_A_MEMBER.
 */
export function verifyBatchSignature(
  batch: Batch,
  fed: Federation,
  chainId: bigint,
  inputIndex: number,
  memberIndex: number,
  sig: Uint8Array,
): boolean {
  pegEnsure(Number.isInteger(inputIndex) && inputIndex >= 0 && inputIndex < batch.inputs.length, 'PEG_BATCH_INVALID', 'no such input', {
    inputIndex,
  })
  pegEnsure(Number.isInteger(memberIndex) && memberIndex >= 0 && memberIndex < fed.pubkeys.length, 'PEG_NOT_A_MEMBER', 'no such member', {
    memberIndex,
  })
  const compact = decodeInputSignature(sig)
  const tx = batchTransaction(batch)
  const u = batch.inputs[inputIndex]!
  const { witnessScript, memberKeys } = utxoInputKeys(fed, chainId, u.recipient)
  return verifyCompact(tx.hashForWitnessV0(inputIndex, witnessScript, u.valueSats, SIGHASH_ALL), memberKeys[memberIndex]!, compact)
}

/**
 * verifyBatchSignature for every input at once, as the bridge checks one `addSignatures` bundle: one boolean per
 * input. PEG_SIGNATURES_MALFORMED when the count is not the number of inputs or a signature is not strict DER +
 * SIGHASH_ALL.
 */
export function verifyBatchSignatures(
  batch: Batch,
  fed: Federation,
  chainId: bigint,
  memberIndex: number,
  sigs: readonly Uint8Array[],
): boolean[] {
  pegEnsure(Number.isInteger(memberIndex) && memberIndex >= 0 && memberIndex < fed.pubkeys.length, 'PEG_NOT_A_MEMBER', 'no such member', {
    memberIndex,
  })
  pegEnsure(sigs.length === batch.inputs.length, 'PEG_SIGNATURES_MALFORMED', `expected ${batch.inputs.length} signatures, got ${sigs.length}`, {
    expected: batch.inputs.length,
    actual: sigs.length,
  })
  const compacts = sigs.map((sig, index) => decodeInputSignature(sig, 'PEG_SIGNATURES_MALFORMED', { index }))
  const tx = batchTransaction(batch)
  const keys = batchInputKeys(batch, fed, chainId)
  const hashes = sighashesOf(tx, batch, keys)
  return compacts.map((compact, i) => verifyCompact(hashes[i]!, keys[i]!.memberKeys[memberIndex]!, compact))
}

/** libsecp256k1's strict verify (low S); r or s out of range makes it throw, which is just "not valid" here. */
function verifyCompact(hash: Uint8Array, key: Uint8Array, compact: Uint8Array): boolean {
  try {
    return ecc.verify(hash, key, compact, true)
  } catch {
    return false
  }
}

/**
 * The signed transaction: per input, witness = [empty, k signatures in the witness script's key order (BIP67 order
 * of the tweaked keys), witness script]. Signatures are taken from `sigsByMember` (member index → one signature
 * per input), checked, and the first k valid ones in key order are used, so a bad signature from one member
 * never blocks the others. PEG_NOT_ENOUGH_SIGNATURES when an input has fewer than k valid.
 */
export function assembleBatch(
  batch: Batch,
  fed: Federation,
  chainId: bigint,
  sigsByMember: ReadonlyMap<number, readonly Uint8Array[]>,
): Uint8Array {
  for (const m of sigsByMember.keys()) {
    pegEnsure(Number.isInteger(m) && m >= 0 && m < fed.pubkeys.length, 'PEG_NOT_A_MEMBER', 'signatures from a member index out of range', { member: m })
  }
  const tx = batchTransaction(batch)
  const keys = batchInputKeys(batch, fed, chainId)
  const hashes = sighashesOf(tx, batch, keys)
  batch.inputs.forEach((_, i) => {
    const { witnessScript, memberKeys } = keys[i]!
    // Members in the order CHECKMULTISIG walks the keys: the script's (sorted) order.
    const order = memberKeys.map((key, member) => ({ key, member })).sort((a, b) => compareBytes(a.key, b.key))
    const chosen: Uint8Array[] = []
    for (const { key, member } of order) {
      if (chosen.length === fed.threshold) break
      const sig = sigsByMember.get(member)?.[i]
      if (sig === undefined) continue
      let compact: Uint8Array
      try {
        compact = decodeInputSignature(sig)
      } catch (e) {
        if (isCausewayError(e)) continue
        throw e
      }
      if (verifyCompact(hashes[i]!, key, compact)) chosen.push(sig.slice())
    }
    pegEnsure(chosen.length === fed.threshold, 'PEG_NOT_ENOUGH_SIGNATURES', `input ${i} has ${chosen.length} valid signatures of ${fed.threshold}`, {
      input: i,
      valid: chosen.length,
      threshold: fed.threshold,
    })
    tx.setWitness(i, [new Uint8Array(0), ...chosen, witnessScript])
  })
  return tx.toBuffer()
}
