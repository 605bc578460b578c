// Reading a block range of logs from a node that refuses answers too large (issue 12 item 3): eth_getLogs answers
// RPC_LIMIT_EXCEEDED (JSON-RPC -32005) past 10,000 logs, and anyone who pays for bridge events can put that many
// in a range. A refused range is split in halves until every part is answered, so a reader never retries one
// refused range forever; a single block the node still refuses is an error that names it.
import { CausewayError } from '../../spv/base/errors.js'

/** Whether a node's error is its refusal of an answer too large (not a transport error, which is rethrown). */
export function isLimitRefusal(e: unknown): boolean {
  const err = e as { code?: unknown; error?: { code?: unknown; message?: unknown }; info?: { error?: { code?: unknown; message?: unknown } }; message?: unknown }
  const inner = err?.info?.error ?? err?.error
  if (inner?.code === -32005 || err?.code === -32005) return true
  const text = `${String(inner?.message ?? '')} ${String(err?.message ?? '')}`
  return text.includes('RPC_LIMIT_EXCEEDED') || /more than \d+ logs/.test(text)
}

/** Every item `fetch` returns over [from, to], in order, splitting refused ranges. */
export async function readSplitting<T>(from: number, to: number, fetch: (from: number, to: number) => Promise<T[]>): Promise<T[]> {
  if (to < from) return []
  try {
    return await fetch(from, to)
  } catch (e) {
    if (!isLimitRefusal(e)) throw e
    if (from === to) throw new CausewayError('LOGS_BLOCK_TOO_LARGE', `the node refuses the logs of block ${from} as too many even alone`, { details: { block: from }, cause: e })
    const mid = from + Math.floor((to - from) / 2)
    return [...(await readSplitting(from, mid, fetch)), ...(await readSplitting(mid + 1, to, fetch))]
  }
}
