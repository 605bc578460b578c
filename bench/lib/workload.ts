// The benchmark workload, the same for every target: S fresh sender accounts, each with M pre-signed EIP-1559
// transactions in nonce order (native transfers, or ERC-20 `transfer` calls on a freshly deployed OpenZeppelin
// token), posted with eth_sendRawTransaction by S concurrent senders; each transaction's latency runs from the
// moment its request left to the moment its block was first announced. Funding happens before the clock starts,
// and every run is checked afterwards (receipts, nonces, balances) so a broken run cannot produce a figure.
import { randomBytes } from 'node:crypto'
import { AbiCoder, Interface, SigningKey, Transaction, computeAddress, getCreateAddress, hexlify } from 'ethers'
import { BlockWatcher } from './block-watcher.js'
import { RpcClient, type RpcRequest } from './rpc.js'
import { pollUntil } from '../../io/poll.js'

export type WorkloadKind = 'native' | 'erc20'

export interface Target {
  readonly label: string
  /** Where senders post their transactions; sender i uses sendUrls[i % length]. */
  readonly sendUrls: readonly string[]
  /** The node watched for new blocks (HTTP and WebSocket URLs of the same node). */
  readonly watchUrl: string
  readonly watchWsUrl: string
  /** A prefunded account's private key (hex). */
  readonly fundedKey: string
}

export interface WorkloadOptions {
  readonly kind: WorkloadKind
  readonly senders: number
  readonly perSender: number
  /** Transactions per HTTP request and sender (1 = one eth_sendRawTransaction per request). */
  readonly batch: number
  readonly token: { readonly abi: any[]; readonly bytecode: string }
  readonly log: (line: string) => void
}

export interface RunResult {
  readonly target: string
  readonly kind: WorkloadKind
  readonly txs: number
  /** Transactions per second from the first send to the last transaction seen final. */
  readonly tps: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Rate at which the node accepted the transactions: N over the time until the last send was answered. */
  readonly admitTps: number
  readonly sendMs: number
  readonly totalMs: number
  readonly blocks: number
  readonly maxTxsPerBlock: number
  readonly gasLimitPerTx: bigint
  readonly polledBlocks: number
}

const RECIPIENTS = 64
const NATIVE_VALUE = 1_000_000_000n // 1 gwei per transfer
const TOKEN_AMOUNT = 1_000n
const TIP = 1_000_000n // 0.001 gwei: every target takes it; the side chain needs none
/** A target that finalizes none of the waiting transactions for this long has stalled. */
const NO_PROGRESS_TIMEOUT_MS = 20_000

interface Signed {
  readonly raw: string
  readonly hash: string
  sentAt: number
}

function sign(key: SigningKey, fields: Record<string, unknown>): Signed {
  const tx = Transaction.from({ type: 2, ...fields })
  tx.signature = key.sign(tx.unsignedHash)
  return { raw: tx.serialized, hash: tx.hash!.toLowerCase(), sentAt: 0 }
}

/** Waits until every hash has a receipt (polling in batches) and checks that each succeeded. */
async function settle(rpc: RpcClient, hashes: readonly string[], what: string): Promise<any[]> {
  let receipts: any[] = []
  return pollUntil(
    `${what}: every receipt`,
    async () => {
      receipts = await rpc.batched<any>(hashes.map((h) => ['eth_getTransactionReceipt', [h]] as RpcRequest))
      if (!receipts.every((r) => r !== null)) return undefined
      const failed = receipts.findIndex((r) => r.status !== '0x1')
      if (failed >= 0) throw new Error(`${what}: transaction ${hashes[failed]} failed (status ${receipts[failed].status})`)
      return receipts
    },
    { timeoutMs: 60_000, intervalMs: 200, onTimeout: () => new Error(`${what}: ${receipts.filter((r) => r === null).length} receipts missing after 60 s`) },
  )
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

/** Funds fresh senders, runs the timed workload against `target`, verifies it and returns the figures. */
export async function runWorkload(target: Target, o: WorkloadOptions): Promise<RunResult> {
  const rpc = new RpcClient(target.watchUrl)
  const chainId = BigInt(await rpc.call<string>('eth_chainId'))
  const latest = await rpc.call<{ baseFeePerGas: string }>('eth_getBlockByNumber', ['latest', false])
  // Ten times the base fee: room for ~19 consecutive full blocks (+12.5 % each, EIP-1559) before anyone stalls.
  const maxFeePerGas = BigInt(latest.baseFeePerGas) * 10n + TIP
  const fees = { chainId, maxFeePerGas, maxPriorityFeePerGas: TIP }
  const S = o.senders
  const M = o.perSender
  const N = S * M
  const senders = Array.from({ length: S }, () => new SigningKey(hexlify(randomBytes(32))))
  const senderAddresses = senders.map((k) => computeAddress(k))
  const recipients = Array.from({ length: RECIPIENTS }, () => computeAddress(new SigningKey(hexlify(randomBytes(32)))))
  const funder = new SigningKey(target.fundedKey)
  const funderAddress = computeAddress(funder)
  const erc20 = new Interface(o.token.abi)

  // ---- setup (not timed): one funding transaction after another from the prefunded account ----
  let nonce = Number(BigInt(await rpc.call<string>('eth_getTransactionCount', [funderAddress, 'pending'])))
  const setup: Signed[] = []
  const fund = (fields: Record<string, unknown>) => setup.push(sign(funder, { ...fees, nonce: nonce++, ...fields }))
  let token: string | undefined
  if (o.kind === 'native') {
    for (const a of senderAddresses) fund({ to: a, value: BigInt(M) * (NATIVE_VALUE + 21_000n * maxFeePerGas) * 2n, gasLimit: 21_000n })
  } else {
    token = getCreateAddress({ from: funderAddress, nonce })
    const supply = 10n ** 30n
    fund({ data: o.token.bytecode + AbiCoder.defaultAbiCoder().encode(['uint256'], [supply]).slice(2), gasLimit: 3_000_000n })
    for (const a of senderAddresses) {
      fund({ to: a, value: BigInt(M) * 100_000n * maxFeePerGas * 2n, gasLimit: 21_000n })
      fund({ to: token, data: erc20.encodeFunctionData('transfer', [a, BigInt(M) * TOKEN_AMOUNT]), gasLimit: 100_000n })
    }
    // Recipients start with a token balance, so every timed transfer costs the same (no zero-to-non-zero store).
    for (const r of recipients) fund({ to: token, data: erc20.encodeFunctionData('transfer', [r, 1n]), gasLimit: 100_000n })
  }
  const setupRpc = new RpcClient(target.sendUrls[0]!)
  for (const tx of setup) await setupRpc.call('eth_sendRawTransaction', [tx.raw])
  await settle(rpc, setup.map((t) => t.hash), 'setup')

  let gasLimit = 21_000n
  if (token !== undefined) {
    const data = erc20.encodeFunctionData('transfer', [recipients[0], TOKEN_AMOUNT])
    const estimate = BigInt(await rpc.call<string>('eth_estimateGas', [{ from: senderAddresses[0], to: token, data }]))
    gasLimit = (estimate * 115n) / 100n
  }
  o.log(`  setup: ${setup.length} funding transactions final; gas limit per transaction ${gasLimit}, fee cap ${maxFeePerGas} wei`)

  // ---- pre-sign the whole workload (not timed) ----
  const received = new Array<bigint>(RECIPIENTS).fill(0n)
  const bySender: Signed[][] = senders.map((key, s) =>
    Array.from({ length: M }, (_, j) => {
      const r = (s * M + j) % RECIPIENTS
      const to = recipients[r]!
      received[r]! += o.kind === 'native' ? NATIVE_VALUE : TOKEN_AMOUNT
      return o.kind === 'native'
        ? sign(key, { ...fees, nonce: j, to, value: NATIVE_VALUE, gasLimit })
        : sign(key, { ...fees, nonce: j, to: token, data: erc20.encodeFunctionData('transfer', [to, TOKEN_AMOUNT]), gasLimit })
    }),
  )
  const all = bySender.flat()

  // ---- timed: S concurrent senders, each in nonce order ----
  const watcher = await BlockWatcher.start(target.watchWsUrl, rpc)
  try {
    const clients = target.sendUrls.map((u) => new RpcClient(u))
    const t0 = performance.now()
    let failed = false // one refused send ends the run: the other senders stop too
    await Promise.all(
      bySender.map(async (txs, s) => {
        const client = clients[s % clients.length]!
        for (let i = 0; i < txs.length && !failed; i += o.batch) {
          const chunk = txs.slice(i, i + o.batch)
          const at = performance.now()
          for (const t of chunk) t.sentAt = at
          const hashes = await (o.batch === 1
            ? client.call<string>('eth_sendRawTransaction', [chunk[0]!.raw]).then((h) => [h])
            : client.batch<string>(chunk.map((t) => ['eth_sendRawTransaction', [t.raw]]))
          ).catch((e: unknown) => {
            failed = true
            throw e
          })
          hashes.forEach((h, k) => {
            if (String(h).toLowerCase() !== chunk[k]!.hash) throw new Error(`sender ${s}: node answered hash ${String(h)} for ${chunk[k]!.hash}`)
          })
        }
      }),
    )
    const sendMs = performance.now() - t0
    o.log(`  all ${N} sent in ${Math.round(sendMs)} ms (${Math.round(N / (sendMs / 1000))} tx/s admitted); waiting for finality`)
    await watcher.waitFor(
      all.map((t) => t.hash),
      NO_PROGRESS_TIMEOUT_MS,
      (seen) => o.log(`  ${seen}/${N} final (head ${watcher.head})`),
    )
    const latencies = all.map((t) => watcher.txs.get(t.hash)!.at - t.sentAt).sort((a, b) => a - b)
    const firstSent = Math.min(...all.map((t) => t.sentAt))
    const lastFinal = Math.max(...all.map((t) => watcher.txs.get(t.hash)!.at))
    const blocksUsed = new Set(all.map((t) => watcher.txs.get(t.hash)!.block))
    const maxTxsPerBlock = Math.max(...[...blocksUsed].map((n) => watcher.blocks.get(n)!.txs))

    // ---- verification: a run that did not do what it claims gives no figure ----
    const receipts = await settle(rpc, all.map((t) => t.hash), `${target.label} ${o.kind}`)
    receipts.forEach((r, i) => {
      if (Number(BigInt(r.blockNumber)) !== watcher.txs.get(all[i]!.hash)!.block) throw new Error(`receipt of ${all[i]!.hash} names another block than the one seen`)
    })
    const nonces = await rpc.batch<string>(senderAddresses.map((a) => ['eth_getTransactionCount', [a, 'latest']]))
    nonces.forEach((n, s) => {
      if (Number(BigInt(n as string)) !== M) throw new Error(`sender ${s} has nonce ${String(n)}, expected ${M}`)
    })
    const balances = await rpc.batch<string>(
      recipients.map((r) =>
        o.kind === 'native' ? ['eth_getBalance', [r, 'latest']] : ['eth_call', [{ to: token, data: erc20.encodeFunctionData('balanceOf', [r]) }, 'latest']],
      ),
    )
    balances.forEach((b, r) => {
      const expected = o.kind === 'native' ? received[r]! : received[r]! + 1n
      if (BigInt(b as string) !== expected) throw new Error(`recipient ${r} holds ${BigInt(b as string)}, expected ${expected}`)
    })
    o.log(`  verified: ${N} receipts with status 1, ${S} sender nonces, ${RECIPIENTS} recipient balances`)

    const totalMs = lastFinal - firstSent
    return {
      target: target.label,
      kind: o.kind,
      txs: N,
      tps: N / (totalMs / 1000),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      admitTps: N / (sendMs / 1000),
      sendMs,
      totalMs,
      blocks: blocksUsed.size,
      maxTxsPerBlock,
      gasLimitPerTx: gasLimit,
      polledBlocks: watcher.polledBlocks,
    }
  } finally {
    watcher.close()
  }
}
