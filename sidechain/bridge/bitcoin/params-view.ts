// Read-only views of the Bitcoin family's parameters: the fee rate in force and the parameters set at genesis.
import type { BtcContext } from './context.js'
import { currentFeeRate } from './batches.js'

export async function getFeeRate(ctx: BtcContext): Promise<bigint> {
  return currentFeeRate(ctx)
}

export async function getBridgeParams(ctx: BtcContext): Promise<bigint[]> {
  const c = ctx.config
  return [BigInt(c.confirmations), c.minPegInSats, c.minPegOutSats, BigInt(c.batchIntervalBlocks), c.feeRateFloor, c.feeRateCeiling]
}
