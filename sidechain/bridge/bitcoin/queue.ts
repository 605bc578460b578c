// The peg-out queue's one way in: a request gets the next id, joins the queue (its start set if it was empty) and
// adds its value to what is owed on Bitcoin. Users' peg-outs (pegout.ts, after their burn) and the bridge's own
// Bitcoin refunds (unclaimed.ts, nothing burned) both enter here.
import type { BtcContext } from './context.js'
import { COUNTERS } from '../layout.js'
import { REQUEST_STATUS } from './records.js'

export async function enqueueRequest(ctx: BtcContext, requester: Uint8Array, scriptPubKey: Uint8Array, valueSats: bigint): Promise<bigint> {
  await ctx.state.addCounter(COUNTERS.pendingSats, valueSats)
  const id = (await ctx.state.counter(COUNTERS.nextRequestId)) || 1n
  await ctx.state.setCounter(COUNTERS.nextRequestId, id + 1n)
  if ((await ctx.state.counter(COUNTERS.queueStart)) === 0n) await ctx.state.setCounter(COUNTERS.queueStart, id)
  await ctx.state.putRequest(id, {
    requester,
    scriptPubKey,
    valueSats,
    feeSats: 0n,
    batchId: 0n,
    status: REQUEST_STATUS.queued,
    requestedAt: ctx.blockNumber,
    prepaidFeeSats: 0n,
  })
  return id
}
