// A signer's refusal (ARCHITECTURE.md decision 8): before signing the transaction it is shown, a signer recomputes
// the batch from its own node's finalized state and compares. Each kind of difference has its own code, so the
// signer's log says what was wrong: a foreign input, an extra output, a changed amount, a changed destination —
// or anything else (PEG_BATCH_MISMATCH). Only the exact bytes of the expected unsigned transaction pass.
import { Transaction } from 'bitcoinjs-lib'
import { bytesToHex, equalBytes } from '../../spv/base/bytes.js'
import type { Batch } from './batch.js'
import { pegEnsure, pegFail } from './errors.js'

const outpointKey = (txid: Uint8Array, vout: number): string => `${bytesToHex(txid)}:${vout}`

/**
 * Throws unless `shownUnsignedTx` is byte for byte `expected.unsignedTx`. Checked in this order, so the first code
 * names the most serious difference: PEG_BATCH_FOREIGN_INPUT (spends an outpoint the batch does not),
 * PEG_BATCH_EXTRA_OUTPUT (more outputs), then per output PEG_BATCH_SCRIPT_MISMATCH (pays a script the batch does not
 * pay at all) or PEG_BATCH_AMOUNT_MISMATCH (the right script, another amount), and PEG_BATCH_MISMATCH for the rest:
 * unparseable bytes, version, locktime, sequences, input or output order, missing inputs or outputs, a witness.
 */
export function compareBatch(expected: Batch, shownUnsignedTx: Uint8Array): void {
  pegEnsure(shownUnsignedTx instanceof Uint8Array, 'PEG_BATCH_MISMATCH', 'shown transaction: expected bytes')
  if (equalBytes(shownUnsignedTx, expected.unsignedTx)) return
  let shown: Transaction
  try {
    shown = Transaction.fromBuffer(shownUnsignedTx)
  } catch (e) {
    pegFail('PEG_BATCH_MISMATCH', 'the shown transaction does not parse', undefined, e)
  }

  const ours = new Set(expected.inputs.map((u) => outpointKey(u.txid, u.vout)))
  shown.ins.forEach((input, i) => {
    const key = outpointKey(input.hash, input.index)
    pegEnsure(ours.has(key), 'PEG_BATCH_FOREIGN_INPUT', `input ${i} spends an outpoint the batch does not`, { input: i, outpoint: key })
  })

  pegEnsure(shown.outs.length <= expected.outputs.length, 'PEG_BATCH_EXTRA_OUTPUT', 'the shown transaction has more outputs than the batch', {
    shown: shown.outs.length,
    expected: expected.outputs.length,
  })
  shown.outs.forEach((out, i) => {
    const want = expected.outputs[i]!
    if (equalBytes(out.script, want.scriptPubKey)) {
      pegEnsure(out.value === want.valueSats, 'PEG_BATCH_AMOUNT_MISMATCH', `output ${i} pays ${out.value} sats, the batch ${want.valueSats}`, {
        output: i,
        shownSats: String(out.value),
        expectedSats: String(want.valueSats),
      })
    } else {
      // A script the batch pays elsewhere is a reordering (below); one it never pays is a new destination.
      const known = expected.outputs.some((o) => equalBytes(o.scriptPubKey, out.script))
      pegEnsure(known, 'PEG_BATCH_SCRIPT_MISMATCH', `output ${i} pays a script the batch does not pay`, {
        output: i,
        script: bytesToHex(out.script),
      })
    }
  })

  const exp = Transaction.fromBuffer(expected.unsignedTx)
  const differences: string[] = []
  if (shown.version !== exp.version) differences.push('version')
  if (shown.locktime !== exp.locktime) differences.push('locktime')
  if (shown.ins.length !== expected.inputs.length) differences.push('input count')
  else if (shown.ins.some((input, i) => outpointKey(input.hash, input.index) !== outpointKey(expected.inputs[i]!.txid, expected.inputs[i]!.vout))) {
    differences.push('input order')
  }
  if (shown.outs.length !== expected.outputs.length) differences.push('output count')
  else if (shown.outs.some((o, i) => !equalBytes(o.script, expected.outputs[i]!.scriptPubKey) || o.value !== expected.outputs[i]!.valueSats)) {
    differences.push('output order')
  }
  if (differences.length === 0) differences.push('encoding (sequence, scriptSig or witness)')
  pegFail('PEG_BATCH_MISMATCH', `the shown transaction differs from the batch: ${differences.join(', ')}`, { differences })
}
