// Which outputs of a Bitcoin transaction pay this side chain's federation, and to whom (pure): the OP_RETURN form
// is found from the transaction alone; a deposit-address output only for a recipient we can name (given by the
// user, or known from the bridge's events), since the recipient is hidden in the script's key tweak.
import { scanPegIn, type Federation } from '../peg/bitcoin/index.js'

export interface TxFederationOutput {
  readonly vout: number
  readonly valueSats: bigint
  /** deposit: the recipient's deposit address; memo: federation address + memo; unclaimed: federation address, no valid memo. */
  readonly kind: 'deposit' | 'memo' | 'unclaimed'
  readonly recipient: Uint8Array | null
  /** Why an unclaimed output cannot be minted (no-memo, memo-other-chain…). */
  readonly reason?: string
}

export function federationOutputsOf(rawTx: Uint8Array, fed: Federation, chainId: bigint, recipients: readonly Uint8Array[]): TxFederationOutput[] {
  const byVout = new Map<number, TxFederationOutput>()
  const base = scanPegIn(rawTx, { fed, chainId })
  for (const o of base.outputs) byVout.set(o.vout, { vout: o.vout, valueSats: o.valueSats, kind: 'memo', recipient: o.recipient })
  for (const u of base.unclaimed) byVout.set(u.vout, { vout: u.vout, valueSats: u.valueSats, kind: 'unclaimed', recipient: null, reason: u.reason })
  for (const recipient of recipients) {
    for (const o of scanPegIn(rawTx, { fed, chainId, recipient }).outputs) {
      if (o.kind === 'deposit-address') byVout.set(o.vout, { vout: o.vout, valueSats: o.valueSats, kind: 'deposit', recipient: o.recipient })
    }
  }
  return [...byVout.values()].sort((a, b) => a.vout - b.vout)
}
