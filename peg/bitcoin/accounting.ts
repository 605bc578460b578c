// The peg's reserve invariant (ARCHITECTURE.md decision 1): the Bitcoin the federation holds covers the native
// supply (at 10^10 wei per satoshi) plus the peg-outs queued but not yet paid. Checked by tests and `causeway audit`.
import { bytesToHex } from '../../spv/base/bytes.js'
import type { FederationUtxo } from './batch.js'
import { pegEnsure } from './errors.js'
import { WEI_PER_SAT } from './pegout.js'
import { checkSats } from './values.js'

export interface ReserveInput {
  /** The federation's UTXOs as the bridge keeps them (each outpoint once). */
  readonly utxos: readonly FederationUtxo[]
  /** Σ of the queued peg-out requests not yet closed by a confirmed batch. */
  readonly pendingPegOutSats: bigint
  /** The side chain's native supply, in wei. */
  readonly nativeSupplyWei: bigint
}

export interface ReserveReport {
  readonly federationSats: bigint
  readonly utxoCount: number
  /** ⌈nativeSupplyWei / 10^10⌉: a fraction of a satoshi still has to be backed. */
  readonly nativeSupplySats: bigint
  readonly pendingPegOutSats: bigint
  /** nativeSupplySats + pendingPegOutSats. */
  readonly requiredSats: bigint
  /** federationSats − requiredSats; negative when short. */
  readonly surplusSats: bigint
  readonly ok: boolean
}

/** The reserve figures, without judging them (see assertReserveInvariant). */
export function reserveReport(input: ReserveInput): ReserveReport {
  const { utxos, pendingPegOutSats, nativeSupplyWei } = input
  pegEnsure(Array.isArray(utxos), 'PEG_AMOUNT_INVALID', 'utxos: expected an array')
  pegEnsure(typeof pendingPegOutSats === 'bigint' && pendingPegOutSats >= 0n, 'PEG_AMOUNT_INVALID', 'pendingPegOutSats: expected a bigint ≥ 0')
  pegEnsure(typeof nativeSupplyWei === 'bigint' && nativeSupplyWei >= 0n, 'PEG_AMOUNT_INVALID', 'nativeSupplyWei: expected a bigint ≥ 0')
  const seen = new Set<string>()
  let federationSats = 0n
  utxos.forEach((u, i) => {
    checkSats(u.valueSats, 'PEG_AMOUNT_INVALID', `utxos[${i}].valueSats`)
    const key = `${bytesToHex(u.txid)}:${u.vout}`
    // Counting an outpoint twice would overstate the reserves: refuse rather than deduplicate silently.
    pegEnsure(!seen.has(key), 'PEG_AMOUNT_INVALID', `utxos[${i}] repeats an outpoint`, { outpoint: key })
    seen.add(key)
    federationSats += u.valueSats
  })
  const nativeSupplySats = (nativeSupplyWei + WEI_PER_SAT - 1n) / WEI_PER_SAT
  const requiredSats = nativeSupplySats + pendingPegOutSats
  const surplusSats = federationSats - requiredSats
  return Object.freeze({
    federationSats,
    utxoCount: utxos.length,
    nativeSupplySats,
    pendingPegOutSats,
    requiredSats,
    surplusSats,
    ok: surplusSats >= 0n,
  })
}

/** The report, or PEG_RESERVE_SHORTFALL when federationSats < nativeSupplyWei / 10^10 + pendingPegOutSats. */
export function assertReserveInvariant(input: ReserveInput): ReserveReport {
  const report = reserveReport(input)
  pegEnsure(report.ok, 'PEG_RESERVE_SHORTFALL', `the federation holds ${-report.surplusSats} sats less than it owes`, {
    federationSats: String(report.federationSats),
    requiredSats: String(report.requiredSats),
    shortfallSats: String(-report.surplusSats),
  })
  return report
}
