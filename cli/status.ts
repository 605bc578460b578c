// `causeway status`: the world at a glance — heights on both chains (and how far the bridge's Bitcoin header chain
// is behind), finality, which federation members are online (validators' /health, signers' /health from the
// world file), and the peg-out queue.
import type { Command } from 'commander'
import { connectBitcoin, openSession, resolveEndpoints, withEndpointOptions, type EndpointFlags } from './connect.js'
import { bridgeBest, bridgeLogs, displayTxid, federationView, reserves } from './bridge-view.js'
import { lines, runReport } from './report.js'
import { formatBtc, pegOutStatusName } from './values.js'
import type { Io } from './output.js'

const HEALTH_TIMEOUT_MS = 5_000

async function health(url: string): Promise<{ online: boolean; body?: Record<string, unknown>; error?: string }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    const body = (await r.json()) as Record<string, unknown>
    return { online: true, body }
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause
    return { online: false, error: cause?.code ?? (e as Error).message }
  }
}

const healthUrlOf = (rpcUrl: string): string => new URL('/health', rpcUrl).toString()

export function registerStatus(program: Command, io: Io, exit: (code: number) => void): void {
  withEndpointOptions(program.command('status').description('Heights on both chains, finality, federation members online, the peg-out queue')).action(
    async (_o: unknown, cmd: Command) =>
      runReport(io, exit, cmd, async (flags) => {
        const endpoints = await resolveEndpoints(flags as EndpointFlags, { bitcoin: false })
        const s = await openSession(endpoints)
        try {
          const [head, finalized, best, fed, res, pendingBatchIds] = await Promise.all([
            s.provider.getBlockNumber(),
            s.provider.getBlock('finalized').then((b) => b?.number ?? null),
            bridgeBest(s),
            federationView(s),
            reserves(s),
            s.read.getPendingBatches(),
          ])
          let bitcoin: { height: number; reachable: true } | { reachable: false; error: string }
          try {
            const btc = await connectBitcoin(endpoints.bitcoin)
            bitcoin = { reachable: true, height: await btc.getBlockCount() }
          } catch (e) {
            bitcoin = { reachable: false, error: (e as Error).message }
          }
          const validatorUrls = endpoints.world?.sidechain.validators.map((v) => v.rpcUrl) ?? [endpoints.rpcUrl]
          const validators = await Promise.all(
            validatorUrls.map(async (rpcUrl, index) => {
              const h = await health(healthUrlOf(rpcUrl))
              return { index, rpcUrl, online: h.online && h.body?.['ok'] === true, head: h.body?.['head'] ?? null, finalized: h.body?.['finalized'] ?? null, peers: h.body?.['peers'] ?? null, ...(h.error === undefined ? {} : { error: h.error }) }
            }),
          )
          const signers = await Promise.all(
            (endpoints.world?.signers ?? []).map(async (sg) => {
              const h = await health(sg.healthUrl)
              return {
                index: sg.index,
                healthUrl: sg.healthUrl,
                online: h.online,
                status: h.online ? String(h.body?.['status'] ?? 'unknown') : 'unreachable',
                lastRoundMsAgo: h.body?.['lastRoundMsAgo'] ?? null,
                ...(h.error === undefined ? {} : { error: h.error }),
              }
            }),
          )
          // The queue: requests after the last batched one are waiting for the next batch.
          const [requested, batched] = await Promise.all([bridgeLogs(s, { event: 'PegOutRequested' }), bridgeLogs(s, { event: 'PegOutBatched' })])
          const lastBatched = batched.reduce((m, e) => {
            const last = (e.args.firstRequestId as bigint) + (e.args.requestCount as bigint) - 1n
            return last > m ? last : m
          }, 0n)
          const queued = requested.filter((e) => (e.args.id as bigint) > lastBatched).map((e) => ({ id: (e.args.id as bigint).toString(), valueSats: (e.args.valueSats as bigint).toString() }))
          const batches = await Promise.all(
            pendingBatchIds.map(async (id) => {
              const b = await s.read.getBatch([id])
              return { batchId: id.toString(), status: pegOutStatusName(Number(b.status)), txid: displayTxid(b.txid), requests: Number(b.requestCount), feeSats: b.feeSats.toString(), signers: Number(b.signers) }
            }),
          )
          const json = {
            chainId: s.chainId.toString(),
            sidechain: { rpcUrl: endpoints.rpcUrl, head, finalized },
            bitcoin: { ...bitcoin, bridgeHeight: best.height, bridgeTip: best.hash, bridgeBehind: bitcoin.reachable ? bitcoin.height - best.height : null },
            federation: { address: fed.address, threshold: fed.threshold, members: fed.members.length, validators, signers, signersOnline: signers.filter((x) => x.status === 'ok').length },
            queue: { queued, pendingBatches: batches, pendingPegOutSats: res.pendingPegOutSats.toString() },
          }
          const text = [
            lines([
              ['side chain', `block ${head}, finalized ${finalized ?? '?'} (chain id ${s.chainId}, ${endpoints.rpcUrl})`],
              ['Bitcoin', bitcoin.reachable ? `height ${bitcoin.height}` : `unreachable: ${bitcoin.error}`],
              ['bridge headers', `height ${best.height}${bitcoin.reachable ? ` (${bitcoin.height - best.height} behind)` : ''}`],
              ['federation', `${fed.threshold} of ${fed.members.length}, ${fed.address}`],
            ]),
            ...validators.map((v) => `  validator ${v.index}: ${v.online ? `online, head ${String(v.head)}, finalized ${String(v.finalized)}, ${String(v.peers)} peer(s)` : `offline (${v.error ?? 'unhealthy'})`}`),
            ...signers.map((x) => `  signer ${x.index}: ${x.status}${x.error === undefined ? '' : ` (${x.error})`}`),
            `peg-out queue: ${queued.length} request(s) waiting for a batch, ${batches.length} batch(es) in flight, ${formatBtc(res.pendingPegOutSats)} BTC pending`,
            ...batches.map((b) => `  batch ${b.batchId}: ${b.status}, ${b.requests} request(s), Bitcoin tx ${b.txid}`),
          ].join('\n')
          return { json, text }
        } finally {
          s.close()
        }
      }),
  )
}
