// The audit's own account of the bridge (pure): its events replayed in order into the federation's UTXO set (with
// the signer's FederationLedger, so the set is the one the signers keep), the batches not yet confirmed with the
// UTXOs they spend, and the peg-out requests not yet paid. Then the checks, each mismatch a finding with a code.
import type { BridgeLog } from '../federation/signer/bridge-client.js'
import { FederationLedger, outpointKey } from '../federation/signer/ledger.js'
import { ledgerEventOf } from '../federation/signer/ledger-events.js'
import { hexToBytes } from '../spv/base/bytes.js'
import { reserveReport, type FederationUtxo, type ReserveReport } from '../peg/bitcoin/index.js'
import { formatBtc } from './values.js'

/** Wei as BTC for a message (whole satoshis; a remainder below one satoshi is dropped). */
function formatWeiAsBtc(wei: bigint): string {
  return formatBtc(wei / 10n ** 10n)
}

export interface InFlightBatch {
  readonly batchId: bigint
  /** Internal byte order. */
  readonly txid: Uint8Array
  readonly inputs: readonly FederationUtxo[]
  readonly firstRequestId: bigint
  /** 0: a consolidation. */
  readonly requestCount: number
  readonly feeSats: bigint
}

export interface AuditLedger {
  /** Spendable federation UTXOs, in the bridge's order. */
  readonly spendable: readonly FederationUtxo[]
  /** Batched, not yet confirmed: their inputs still count in the bridge's federationSats. */
  readonly inFlight: readonly InFlightBatch[]
  /** Requests not closed by a confirmed batch or a refund; `owedSats` is the value less what it bore of consolidations. */
  readonly pendingRequests: readonly { readonly id: bigint; readonly valueSats: bigint; readonly owedSats: bigint; readonly batchId: bigint | null }[]
  /** Recipients with a refused (held or refunded) peg-in. */
  readonly refusedRecipients: readonly string[]
  /** Payments without a memo held for their owners (PegInHeld, not yet refunded with refundHeldPayment). */
  readonly heldPayments: readonly { readonly txid: Uint8Array; readonly vout: number; readonly valueSats: bigint }[]
  /** Payments without a memo refunded on Bitcoin (PegInRefunded, and held ones refunded later). */
  readonly refundedPayments: number
}

/** Replays the bridge's events (in chain order) into the wallet the signer daemon keeps (ledger-events.ts). */
export function replayBridgeEvents(events: readonly BridgeLog[]): AuditLedger {
  const ledger = new FederationLedger()
  const batches = new Map<bigint, InFlightBatch & { confirmed: boolean }>()
  const requests = new Map<bigint, { id: bigint; valueSats: bigint; owedSats: bigint; batchId: bigint | null; confirmed: boolean }>()
  const refused = new Set<string>()
  const heldPayments = new Map<string, { txid: Uint8Array; vout: number; valueSats: bigint }>()
  let refundedPayments = 0
  for (const ev of events) {
    const a = ev.args
    const event = ledgerEventOf(ev)
    switch (ev.name) {
      case 'PegInRefused':
        refused.add((a.recipient as string).toLowerCase())
        break
      case 'PegInHeld':
      case 'HeldPaymentRefunded': {
        const txid = hexToBytes(a.txid as string, 'txid', 32)
        const key = outpointKey(txid, Number(a.vout))
        if (ev.name === 'PegInHeld') heldPayments.set(key, { txid, vout: Number(a.vout), valueSats: a.valueSats as bigint })
        else if (heldPayments.delete(key)) refundedPayments++
        break
      }
      case 'PegInRefunded':
        refundedPayments++
        break
      case 'PegOutRequested':
        requests.set(a.id as bigint, { id: a.id as bigint, valueSats: a.valueSats as bigint, owedSats: a.valueSats as bigint, batchId: null, confirmed: false })
        break
      case 'PegOutRefunded': {
        const q = requests.get(a.id as bigint)
        if (q !== undefined) q.confirmed = true
        break
      }
      case 'PegOutBatched': {
        if (event?.kind !== 'batched') break
        // The inputs' values as the wallet holds them before this batch spends them (applied below).
        const known = new Map(ledger.utxos().map((u) => [outpointKey(u.txid, u.vout), u] as const))
        const inputs = event.inputs.map((i) => known.get(outpointKey(i.txid, i.vout)) ?? { txid: i.txid, vout: i.vout, valueSats: 0n, recipient: null })
        batches.set(event.batchId, { batchId: event.batchId, txid: event.txid, inputs, firstRequestId: event.firstRequestId, requestCount: event.requestCount, feeSats: a.feeSats as bigint, confirmed: false })
        for (let i = 0n; i < BigInt(event.requestCount); i++) {
          const q = requests.get(event.firstRequestId + i)
          if (q !== undefined) q.batchId = event.batchId
        }
        break
      }
      case 'PegOutConfirmed': {
        const b = batches.get(a.batchId as bigint)
        if (b === undefined) break
        b.confirmed = true
        for (let i = 0n; i < BigInt(b.requestCount); i++) {
          const q = requests.get(b.firstRequestId + i)
          if (q !== undefined) q.confirmed = true
        }
        break
      }
    }
    if (event !== undefined) ledger.apply(event)
    if (event?.kind === 'consolidated') {
      for (let i = 0n; i < BigInt(event.requestCount); i++) {
        const q = requests.get(event.firstRequestId + i)
        if (q !== undefined) q.owedSats = q.valueSats - ledger.prepaid(q.id)
      }
    }
  }
  return {
    spendable: ledger.utxos(),
    inFlight: [...batches.values()].filter((b) => !b.confirmed).map(({ confirmed: _c, ...b }) => b),
    pendingRequests: [...requests.values()].filter((q) => !q.confirmed).map(({ confirmed: _c, ...q }) => q),
    refusedRecipients: [...refused],
    heldPayments: [...heldPayments.values()],
    refundedPayments,
  }
}

export interface Finding {
  readonly code: string
  readonly message: string
}

export interface AuditInput {
  readonly ledger: AuditLedger
  /** The bridge's getReserves(). */
  readonly reserves: { readonly federationSats: bigint; readonly nativeSupplyWei: bigint; readonly pendingPegOutSats: bigint }
  /** The node's causeway_supply peggedWei. */
  readonly nodePeggedWei: bigint
  /**
   * The native coin that exists (causeway_nativeSupply: every balance in the state summed) at the block the reserves
   * were read at; undefined when the node does not serve it.
   */
  readonly nativeSupplyWei: bigint | undefined
  /** causeway_audit: every balance summed equals the supply (undefined when the node does not serve it). */
  readonly nodeBalanced: boolean | undefined
  /** Σ getHeldDeposits of every recipient with a refused peg-in, plus every payment held for its owner. */
  readonly heldSats: bigint
  /** Per UTXO (outpointKey), what the Bitcoin node says; absent ones were not checked. */
  readonly utxoFindings: readonly Finding[]
}

/** Every check of `causeway audit`; an empty list of findings means the books balance. */
export function auditFindings(input: AuditInput): { report: ReserveReport; heldSats: bigint; findings: Finding[] } {
  const { ledger, reserves: r } = input
  const findings: Finding[] = [...input.utxoFindings]
  const inFlightSats = ledger.inFlight.reduce((s, b) => s + b.inputs.reduce((t, u) => t + u.valueSats, 0n), 0n)
  const spendableSats = ledger.spendable.reduce((s, u) => s + u.valueSats, 0n)
  if (spendableSats + inFlightSats !== r.federationSats) {
    findings.push({ code: 'AUDIT_UTXO_SUM', message: `the bridge's events account for ${spendableSats + inFlightSats} sats (spendable ${spendableSats} + in flight ${inFlightSats}), its federationSats counter says ${r.federationSats}` })
  }
  // What is owed: the open requests' values less what they bore of consolidations, and the fees of consolidations
  // not yet confirmed (what is owed falls by a consolidation's fee when it confirms).
  const consolidating = ledger.inFlight.filter((b) => b.requestCount === 0).reduce((s, b) => s + b.feeSats, 0n)
  const pendingSats = ledger.pendingRequests.reduce((s, q) => s + q.owedSats, 0n) + consolidating
  if (pendingSats !== r.pendingPegOutSats) {
    findings.push({ code: 'AUDIT_PENDING_SUM', message: `unpaid peg-out requests add up to ${pendingSats} sats (less consolidation fees they bore, plus ${consolidating} of consolidations in flight), the bridge's pendingPegOutSats says ${r.pendingPegOutSats}` })
  }
  if (input.nodePeggedWei !== r.nativeSupplyWei) {
    findings.push({ code: 'AUDIT_SUPPLY', message: `the node's pegged supply is ${input.nodePeggedWei} wei, the bridge's minted − burned is ${r.nativeSupplyWei} wei` })
  }
  // Every wei of the native coin is pegged BTC (ARCHITECTURE.md decision 1): what exists must be exactly what the
  // bridge minted less what it burned — a genesis allocation, or any coin made outside the bridge, is unbacked.
  const supplyWei = input.nativeSupplyWei ?? r.nativeSupplyWei
  if (input.nativeSupplyWei === undefined) {
    findings.push({ code: 'AUDIT_SUPPLY_UNKNOWN', message: 'the node does not serve causeway_nativeSupply: the native supply cannot be checked against minted − burned' })
  } else if (input.nativeSupplyWei > r.nativeSupplyWei) {
    const d = input.nativeSupplyWei - r.nativeSupplyWei
    findings.push({ code: 'AUDIT_UNBACKED_SUPPLY', message: `${d} wei (${formatWeiAsBtc(d)} BTC) of native coin exists that was never pegged in: the state holds ${input.nativeSupplyWei} wei, the bridge minted − burned ${r.nativeSupplyWei} wei` })
  } else if (input.nativeSupplyWei < r.nativeSupplyWei) {
    const d = r.nativeSupplyWei - input.nativeSupplyWei
    findings.push({ code: 'AUDIT_SUPPLY_DEFICIT', message: `${d} wei of pegged coin is missing from the state: it holds ${input.nativeSupplyWei} wei, the bridge minted − burned ${r.nativeSupplyWei} wei` })
  }
  if (input.nodeBalanced === false) findings.push({ code: 'AUDIT_BALANCES', message: "the sum of every balance in the node's state differs from its supply (causeway_audit)" })
  const report = reserveReport({ utxos: [...ledger.spendable, ...ledger.inFlight.flatMap((b) => b.inputs)], pendingPegOutSats: r.pendingPegOutSats, nativeSupplyWei: supplyWei })
  if (!report.ok) findings.push({ code: 'AUDIT_RESERVE_SHORTFALL', message: `the federation holds ${-report.surplusSats} sats less than it owes (supply + pending peg-outs)` })
  // What the federation holds beyond what it owes is exactly the deposits held below the minimum and the payments
  // held for their owners.
  else if (report.surplusSats !== input.heldSats) {
    findings.push({ code: 'AUDIT_SURPLUS', message: `the federation holds ${report.surplusSats} sats more than it owes, but only ${input.heldSats} sats are held deposits and payments` })
  }
  return { report, heldSats: input.heldSats, findings }
}
