// A signer's own model of the bridge's federation wallet (ARCHITECTURE.md decision 8), rebuilt from the bridge's
// events on the signer's own side-chain node, with every UTXO checked against the signer's own Bitcoin node
// before it enters (the shell does that and passes the verified UTXO in). Pure: events in, state out.
//
// The order is the bridge's: a UTXO joins at the end when its peg-in or its batch's change is registered, and
// leaves when a batch spends it — so `buildBatch` over `utxos()` reproduces the bridge's batch byte for byte.
import { bytesToHex } from '../../spv/base/bytes.js'
import type { FederationUtxo, PegOutRequest } from '../../peg/bitcoin/index.js'

export type LedgerEvent =
  | { readonly kind: 'utxo'; readonly utxo: FederationUtxo }
  | { readonly kind: 'request'; readonly request: PegOutRequest }
  | {
      readonly kind: 'batched'
      readonly batchId: bigint
      readonly txid: Uint8Array
      readonly unsignedTx: Uint8Array
      readonly inputs: readonly { readonly txid: Uint8Array; readonly vout: number }[]
      readonly feeRate: bigint
      readonly firstRequestId: bigint
      readonly requestCount: number
    }
  /** A batch confirmed on Bitcoin: its change (if any) is the output after its payments, at index requestCount. */
  | { readonly kind: 'confirmed'; readonly batchId: bigint; readonly txid: Uint8Array; readonly changeSats: bigint }

export const outpointKey = (txid: Uint8Array, vout: number): string => `${bytesToHex(txid)}:${vout}`

export class FederationLedger {
  private readonly set = new Map<string, FederationUtxo>()
  private readonly requests = new Map<bigint, PegOutRequest>()
  /** Batch id → its number of payments (the index of its change output). */
  private readonly batchPayments = new Map<bigint, number>()

  apply(e: LedgerEvent): void {
    switch (e.kind) {
      case 'utxo':
        this.set.set(outpointKey(e.utxo.txid, e.utxo.vout), e.utxo)
        break
      case 'request':
        this.requests.set(e.request.id, e.request)
        break
      case 'batched':
        for (const i of e.inputs) this.set.delete(outpointKey(i.txid, i.vout))
        this.batchPayments.set(e.batchId, e.requestCount)
        break
      case 'confirmed': {
        const vout = this.batchPayments.get(e.batchId)
        if (vout !== undefined && e.changeSats > 0n) this.set.set(outpointKey(e.txid, vout), { txid: e.txid, vout, valueSats: e.changeSats, recipient: null })
        break
      }
    }
  }

  /** Spendable UTXOs in the bridge's order (Map iteration keeps insertion order). */
  utxos(): FederationUtxo[] {
    return [...this.set.values()]
  }

  has(txid: Uint8Array, vout: number): boolean {
    return this.set.has(outpointKey(txid, vout))
  }

  /** Requests `first … first+count−1`, or undefined if the signer has not seen one of them. */
  requestRange(first: bigint, count: number): PegOutRequest[] | undefined {
    const out: PegOutRequest[] = []
    for (let i = 0n; i < BigInt(count); i++) {
      const q = this.requests.get(first + i)
      if (q === undefined) return undefined
      out.push(q)
    }
    return out
  }
}
