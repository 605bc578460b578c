// A batch as a PSBT (BIP174), for signers that sign with other tools or want to inspect a batch in a wallet: each
// input carries its witness UTXO, witness script and SIGHASH_ALL, so any PSBT signer computes the same BIP143
// sighash. A deposit-address input still needs the member's tweaked key (deposit.ts), which only Causeway knows how
// to derive.
import { Psbt } from 'bitcoinjs-lib'
import { BATCH_LOCKTIME, BATCH_SEQUENCE, BATCH_TX_VERSION, type Batch } from './batch.js'
import { batchInputKeys } from './batch-sign.js'
import { p2wshScriptPubKey, type Federation } from './federation.js'
import { SIGHASH_ALL } from './signatures.js'

/** The batch's unsigned transaction as a PSBT (serialized); its unsigned transaction is `batch.unsignedTx`. */
export function batchToPsbt(batch: Batch, fed: Federation, chainId: bigint): Uint8Array {
  const keys = batchInputKeys(batch, fed, chainId)
  const psbt = new Psbt()
  psbt.setVersion(BATCH_TX_VERSION)
  psbt.setLocktime(BATCH_LOCKTIME)
  batch.inputs.forEach((u, i) => {
    const witnessScript = keys[i]!.witnessScript
    psbt.addInput({
      hash: u.txid,
      index: u.vout,
      sequence: BATCH_SEQUENCE,
      witnessUtxo: { script: p2wshScriptPubKey(witnessScript), value: u.valueSats },
      witnessScript,
      sighashType: SIGHASH_ALL,
    })
  })
  for (const o of batch.outputs) psbt.addOutput({ script: o.scriptPubKey, value: o.valueSats })
  return psbt.toBuffer()
}
