// A signer's own model of the bridge's federation wallet (ARCHITECTURE.md decision 8), rebuilt from the bridge's
// events on the signer's own side-chain node, with every UTXO checked against the signer's own Bitcoin node
// before it enters (the shell does that and passes the verified UTXO in). Pure: events in, state out.
//
// The order is the bridge's: a UTXO joins at the end when its peg-in or its batch's change is registered (a
// consolidation's output at the head), and leaves when a batch spends it — so `buildBatch` over `utxos()`
// reproduces the bridge's batch byte for byte. Requests carry what they bore of consolidations, as the bridge
// splits it (splitProportional), and refunded ones leave their range.
import { Transaction } from 'bitcoinjs-lib'
import { bytesToHex } from '../../spv/base/bytes.js'
import { splitProportional, type FederationUtxo, type PegOutRequest } from '../../peg/bitcoin/index.js'

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
  /** A consolidation's fee, borne by requests firstRequestId … +requestCount−1 in proportion to their values. */
  | { readonly kind: 'consolidated'; readonly batchId: bigint; readonly firstRequestId: bigint; readonly requestCount: number; readonly feeSats: bigint }
  /** A request that could not pay its share, refunded on the side chain: it leaves every batch. */
  | { readonly kind: 'refunded'; readonly id: bigint }
  /** A batch confirmed on Bitcoin: its change (if any) is its last output; a consolidation's goes to the head. */
  | { readonly kind: 'confirmed'; readonly batchId: bigint; readonly txid: Uint8Array; readonly changeSats: bigint }

export const outpointKey = (txid: Uint8Array, vout: number): string => `${bytesToHex(txid)}:${vout}`

export class FederationLedger {
  private set = new Map<string, FederationUtxo>()
  private readonly requests = new Map<bigint, PegOutRequest>()
  private readonly refunded = new Set<bigint>()
  /** Batch id → the index of its last output (its change, if any) and whether it is a consolidation. */
  private readonly batchChange = new Map<bigint, { vout: number; consolidation: boolean }>()

  apply(e: LedgerEvent): void {
    switch (e.kind) {
      case 'utxo':
        this.set.set(outpointKey(e.utxo.txid, e.utxo.vout), e.utxo)
        break
      case 'request':
        this.requests.set(e.request.id, { prepaidFeeSats: 0n, ...e.request })
        break
      case 'consolidated': {
        const bearers: PegOutRequest[] = []
        for (let i = 0n; i < BigInt(e.requestCount); i++) {
          const q = this.requests.get(e.firstRequestId + i)
          if (q !== undefined) bearers.push(q)
        }
        // A signer that has not seen every bearer cannot split the fee as the bridge did; those requests' later
        // batch then fails its recomputation and is refused, which is the safe side.
        if (bearers.length !== e.requestCount || bearers.length === 0) break
        const parts = splitProportional(e.feeSats, bearers.map((q) => q.valueSats))
        bearers.forEach((q, i) => this.requests.set(q.id, { ...q, prepaidFeeSats: (q.prepaidFeeSats ?? 0n) + parts[i]! }))
        break
      }
      case 'refunded':
        this.refunded.add(e.id)
        break
      case 'batched': {
        for (const i of e.inputs) this.set.delete(outpointKey(i.txid, i.vout))
        const outs = Transaction.fromBuffer(Buffer.from(e.unsignedTx)).outs.length
        this.batchChange.set(e.batchId, { vout: e.requestCount === 0 ? 0 : outs - 1, consolidation: e.requestCount === 0 })
        break
      }
      case 'confirmed': {
        const c = this.batchChange.get(e.batchId)
        if (c === undefined || e.changeSats <= 0n) break
        const utxo: FederationUtxo = { txid: e.txid, vout: c.vout, valueSats: e.changeSats, recipient: null }
        if (c.consolidation) this.set = new Map([[outpointKey(e.txid, c.vout), utxo], ...this.set])
        else this.set.set(outpointKey(e.txid, c.vout), utxo)
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

  /**
   * Requests `first … first+count−1` less the refunded ones (a batch pays exactly those), with what each prepaid;
   * undefined if the signer has not seen one of them.
   */
  requestRange(first: bigint, count: number): PegOutRequest[] | undefined {
    const out: PegOutRequest[] = []
    for (let i = 0n; i < BigInt(count); i++) {
      if (this.refunded.has(first + i)) continue
      const q = this.requests.get(first + i)
      if (q === undefined) return undefined
      out.push(q)
    }
    return out
  }

  /** What request `id` bore of consolidations so far (0 when none or unknown). */
  prepaid(id: bigint): bigint {
    return this.requests.get(id)?.prepaidFeeSats ?? 0n
  }

  isRefunded(id: bigint): boolean {
    return this.refunded.has(id)
  }
}
