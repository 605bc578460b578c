// The native-coin supply ledger (ARCHITECTURE.md decision 1): supply changes only through the bridge (minted on
// peg-in, burned on peg-out) and, on development chains, through the genesis prefund, which is flagged unpegged.
// Invariant: total = unpegged + minted − burned = the sum of all balances.
import { bigIntToBytesBE, bytesToBigIntBE } from '../../spv/base/bytes.js'
import { CausewayError } from '../../spv/base/errors.js'
import type { SupplyReport } from '../node/api.js'

export interface SupplyLedger {
  readonly mintedWei: bigint
  readonly burnedWei: bigint
  readonly unpeggedWei: bigint
}

export const EMPTY_SUPPLY: SupplyLedger = Object.freeze({ mintedWei: 0n, burnedWei: 0n, unpeggedWei: 0n })

/** A block's net supply change, as the bridge's system mint/burn path reports it (issue 4 fills it in). */
export interface SupplyDelta {
  readonly mintedWei: bigint
  readonly burnedWei: bigint
}

export function applySupplyDelta(ledger: SupplyLedger, delta: SupplyDelta): SupplyLedger {
  if (delta.mintedWei < 0n || delta.burnedWei < 0n) throw new CausewayError('SUPPLY_NEGATIVE', 'supply delta must not be negative')
  return { mintedWei: ledger.mintedWei + delta.mintedWei, burnedWei: ledger.burnedWei + delta.burnedWei, unpeggedWei: ledger.unpeggedWei }
}

export function supplyReport(ledger: SupplyLedger): SupplyReport {
  const peggedWei = ledger.mintedWei - ledger.burnedWei
  return { totalWei: ledger.unpeggedWei + peggedWei, peggedWei, unpeggedWei: ledger.unpeggedWei }
}

export function encodeSupply(l: SupplyLedger): Uint8Array {
  const out = new Uint8Array(96)
  out.set(bigIntToBytesBE(l.mintedWei, 32), 0)
  out.set(bigIntToBytesBE(l.burnedWei, 32), 32)
  out.set(bigIntToBytesBE(l.unpeggedWei, 32), 64)
  return out
}

export function decodeSupply(b: Uint8Array): SupplyLedger {
  if (b.length !== 96) throw new CausewayError('NODE_STORE_CORRUPT', 'stored supply ledger has a bad length')
  return {
    mintedWei: bytesToBigIntBE(b.subarray(0, 32)),
    burnedWei: bytesToBigIntBE(b.subarray(32, 64)),
    unpeggedWei: bytesToBigIntBE(b.subarray(64, 96)),
  }
}
