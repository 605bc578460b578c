// The bridge's events in the federation ledger's terms (ledger.ts): a peg-in, minted or refused, adds a UTXO, and
// so does a payment without a memo, refunded or held (the refund's request follows as its own PegOutRequested); a
// peg-out request is registered; a consolidation's fee is borne by requests; a refunded request leaves; a batch
// spends its inputs; a confirmed batch adds its change. One translation for
// the signer daemon and `causeway audit`, so both keep the same federation wallet.
import { Transaction } from 'bitcoinjs-lib'
import { hexToBytes } from '../../spv/base/bytes.js'
import type { BridgeLog } from './bridge-client.js'
import type { LedgerEvent } from './ledger.js'

const b32 = (hex: string): Uint8Array => hexToBytes(hex, 'bytes32', 32)

/** The ledger event a bridge event stands for, or undefined for events that do not touch the wallet. */
export function ledgerEventOf(ev: BridgeLog): LedgerEvent | undefined {
  const a = ev.args
  switch (ev.name) {
    case 'PegInMinted':
    case 'PegInRefused':
      return {
        kind: 'utxo',
        utxo: { txid: b32(a.txid), vout: Number(a.vout), valueSats: a.valueSats as bigint, recipient: a.depositAddress ? hexToBytes(a.recipient, 'recipient', 20) : null },
      }
    case 'PegInRefunded':
    case 'PegInHeld':
      return { kind: 'utxo', utxo: { txid: b32(a.txid), vout: Number(a.vout), valueSats: a.valueSats as bigint, recipient: null } }
    case 'PegOutRequested':
      return { kind: 'request', request: { id: a.id as bigint, scriptPubKey: hexToBytes(a.btcScript, 'script'), valueSats: a.valueSats as bigint } }
    case 'PegOutBatched': {
      const unsignedTx = hexToBytes(a.unsignedTx, 'unsignedTx')
      const tx = Transaction.fromBuffer(Buffer.from(unsignedTx))
      return {
        kind: 'batched',
        batchId: a.batchId as bigint,
        txid: b32(a.txid),
        unsignedTx,
        inputs: tx.ins.map((i) => ({ txid: new Uint8Array(i.hash), vout: i.index })),
        feeRate: a.feeRate as bigint,
        firstRequestId: a.firstRequestId as bigint,
        requestCount: Number(a.requestCount),
      }
    }
    case 'PegOutConsolidated':
      return { kind: 'consolidated', batchId: a.batchId as bigint, firstRequestId: a.firstRequestId as bigint, requestCount: Number(a.requestCount), feeSats: a.feeSats as bigint }
    case 'PegOutRefunded':
      return { kind: 'refunded', id: a.id as bigint }
    case 'PegOutConfirmed':
      return { kind: 'confirmed', batchId: a.batchId as bigint, txid: b32(a.txid), changeSats: a.changeSats as bigint }
    default:
      return undefined
  }
}
