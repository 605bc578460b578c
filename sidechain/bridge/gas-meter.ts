// The bridge's running gas charge (issue 12 item 2): every unit of work is paid before it is done, so a call with
// too little gas stops at the first read or write it cannot pay for instead of running to the end and then failing.
import { fail } from '../../spv/base/errors.js'

export class GasMeter {
  used = 0n
  reads = 0
  writes = 0

  constructor(readonly limit: bigint) {}

  /** Adds `gas` to the charge; BRIDGE_OUT_OF_GAS (nothing done yet for it) when the limit would be passed. */
  charge(gas: bigint): void {
    if (this.used + gas > this.limit) {
      fail('BRIDGE_OUT_OF_GAS', `the call needs more than its gas limit of ${this.limit}`, { limit: this.limit, needed: this.used + gas })
    }
    this.used += gas
  }
}

/** Slot prices the storage layer charges per read and write (BRIDGE_GAS.slotRead / slotWrite). */
export interface SlotPrices {
  readonly read: bigint
  readonly write: bigint
}

/** Gas schedule of the bridge (our chain's own prices, in the spirit of SLOAD/SSTORE and ECRECOVER). */
export const BRIDGE_GAS = Object.freeze({
  view: 2_000n,
  write: 20_000n,
  slotRead: 200n,
  slotWrite: 5_000n,
  argByte: 8n,
  header: 3_000n,
  signature: 3_000n,
})
