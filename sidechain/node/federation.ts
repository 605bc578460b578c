// A federation member or full node from a configuration file: the node, its JSON-RPC, its p2p endpoint, block
// sync from peers, transaction forwarding, and — for a validator — the consensus engine.
import { mkdir } from 'node:fs/promises'
import type { Logger } from 'pino'
import { Registry, Gauge, collectDefaultMetrics } from 'prom-client'
import { toHex } from '../../spv/base/bytes.js'
import { startRpcServer, type RpcServer } from '../rpc/index.js'
import { Engine } from '../consensus/engine.js'
import { SignLog } from '../consensus/sign-log.js'
import type { SignedMessage } from '../consensus/messages.js'
import { PeerClient } from '../p2p/peer-client.js'
import { peerKeyOf } from '../p2p/peer-auth.js'
import { startP2pServer, type P2pServer } from '../p2p/server.js'
import { Syncer } from '../p2p/sync.js'
import { Node } from './node.js'
import type { NodeConfig } from './config.js'

export interface FederationNode {
  readonly node: Node
  readonly rpc: RpcServer
  readonly p2p: P2pServer
  readonly engine: Engine | undefined
  close(): Promise<void>
}

/** How long submitted transactions gather before they are forwarded to peers, and the most sent at once. */
const FORWARD_WINDOW_MS = 50
const FORWARD_BATCH = 500

export async function startFederationNode(config: NodeConfig, root: Logger): Promise<FederationNode> {
  const logger = root.child({ component: 'node' })
  await mkdir(config.datadir, { recursive: true })
  const node = await Node.open({
    datadir: config.datadir,
    params: config.params,
    alloc: config.alloc,
    admissionYields: true,
    ...(config.rpc.maxLogs === undefined ? {} : { maxLogs: config.rpc.maxLogs }),
    ...(config.rpc.maxLogRange === undefined ? {} : { maxLogRange: BigInt(config.rpc.maxLogRange) }),
    ...(config.rpc.gasCap === undefined ? {} : { rpcGasCap: BigInt(config.rpc.gasCap) }),
    ...(config.rpc.evmTimeoutMs === undefined ? {} : { rpcEvmTimeoutMs: config.rpc.evmTimeoutMs }),
  })
  const closers: (() => Promise<void>)[] = [() => node.close()]
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch((e: unknown) => logger.error({ err: e }, 'error while stopping'))
  }
  try {
    // A validator signs its requests with its validator key, so peers take its consensus messages (peer-auth.ts).
    const peerKey = config.validator === undefined ? undefined : peerKeyOf(config.validator.key)
    const clientOptions = peerKey === undefined ? {} : { key: peerKey }
    const peers = config.peers.map((url) => new PeerClient(url, clientOptions))
    const validatorPeers = config.validatorUrls.map((url, i) => (i === config.validator?.index ? undefined : new PeerClient(url, clientOptions)))
    const syncer = new Syncer(node, config.set, peers, root.child({ component: 'sync' }))
    // Two valid certificates for different blocks at one height (consensus/conflict.ts): the node stops following
    // (Node.halt) and says so once, loudly, with the proof; RPC (causeway_evidence) and /metrics report it.
    node.onHalt((e) => logger.fatal({ code: e.code, ...e.details }, e.message))
    closers.push(async () => {
      for (const p of [...peers, ...validatorPeers]) p?.close()
    })

    // Transactions submitted here over RPC go to the other nodes too, so whoever proposes next has them: gathered
    // for FORWARD_WINDOW_MS (or FORWARD_BATCH transactions) and sent as one request per peer. Blocks come at most
    // once a second, so the wait costs no inclusion; a request per transaction or two (a 10 ms window under
    // ~150 submissions/s) cost each side more CPU in HTTP handling than admitting the transactions did.
    const pendingForward: Uint8Array[] = []
    let forwardTimer: NodeJS.Timeout | undefined
    const flushForward = () => {
      if (forwardTimer !== undefined) clearTimeout(forwardTimer)
      forwardTimer = undefined
      const batch = pendingForward.splice(0, pendingForward.length)
      for (const p of peers) void p.forwardTxs(batch)
    }
    node.setForwarder((raw) => {
      pendingForward.push(raw)
      if (pendingForward.length >= FORWARD_BATCH) flushForward()
      else forwardTimer ??= setTimeout(flushForward, FORWARD_WINDOW_MS)
    })
    closers.push(async () => {
      if (forwardTimer !== undefined) clearTimeout(forwardTimer)
    })

    let engine: Engine | undefined
    if (config.validator !== undefined) {
      const broadcast = (m: SignedMessage) => {
        for (const p of validatorPeers) if (p !== undefined) void p.send(m)
      }
      engine = new Engine({
        node,
        set: config.set,
        index: config.validator.index,
        key: config.validator.key,
        signLog: new SignLog(node.db),
        broadcast,
        requestSync: () => void syncer.syncNow(),
        logger: root.child({ component: 'consensus' }),
        ...config.consensus,
      })
    }

    const p2p = await startP2pServer({
      node,
      host: config.p2p.host,
      port: config.p2p.port,
      members: config.set.keys,
      logger: root,
      handlers: {
        ...(engine === undefined ? {} : { onMessage: (m: SignedMessage) => engine!.handle(m) }),
        onTxs: async (raws) => {
          // All at once, so their journal writes go to disk in one batch instead of one write (and one wait) per
          // transaction. Order does not matter: the pool takes a sender's nonces in any order.
          const outcomes = await Promise.all(
            raws.map((raw) =>
              node.admitFromPeer(raw).then(
                () => true,
                () => false, // already known, or invalid: the sender's own node answered the user
              ),
            ),
          )
          const accepted = outcomes.filter((ok) => ok).length
          return { accepted, rejected: raws.length - accepted }
        },
      },
    })
    closers.push(() => p2p.close())

    // Catch up before taking part: a restarted validator must not propose on an old head.
    await syncer.syncNow()
    syncer.start(engine === undefined ? 300 : 1_000)
    closers.push(() => syncer.stop())
    if (engine !== undefined) {
      await engine.start()
      closers.push(() => engine!.stop())
    }

    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const peerCount = () => peers.filter((p) => p.healthy).length
    new Gauge({ name: 'causeway_block_height', help: 'Height of the newest final block', registers: [registry], collect() { this.set(Number(node.blockNumber())) } })
    new Gauge({ name: 'causeway_finality_lag_blocks', help: 'Final blocks peers have that this node has not yet', registers: [registry], collect() { const h = syncer.highestSeen - node.blockNumber(); this.set(h > 0n ? Number(h) : 0) } })
    new Gauge({ name: 'causeway_mempool_size', help: 'Pending transactions', registers: [registry], collect() { this.set(node.mempool.size) } })
    new Gauge({ name: 'causeway_peers', help: 'Peers that answered the last request', registers: [registry], collect() { this.set(peerCount()) } })
    new Gauge({ name: 'causeway_consensus_halted', help: '1 once this node has halted on proof that consensus safety is broken (two valid certificates at one height)', registers: [registry], collect() { this.set(node.halted === undefined ? 0 : 1) } })
    new Gauge({ name: 'causeway_consensus_evidence', help: 'Equivocations seen: two signatures of one validator for different blocks', registers: [registry], collect() { this.set(engine?.evidence.total ?? 0) } })
    const rpc = await startRpcServer({
      api: new Proxy(node, {
        get(target, prop, receiver) {
          // Report sync progress from the syncer; everything else is the node's own.
          if (prop === 'syncing') return () => syncer.syncing()
          const v = Reflect.get(target, prop, receiver) as unknown
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
        },
      }),
      host: config.rpc.host,
      port: config.rpc.port,
      logger: root,
      registry,
      extras: {
        peerCount,
        audit: () => node.audit(),
        nativeSupply: (block: bigint) => node.nativeSupply(block),
        evidence: () => ({ total: engine?.evidence.total ?? 0, items: engine?.evidence.list() ?? [], halted: node.halted }),
      },
    })
    closers.push(() => rpc.close())
    logger.info(
      {
        chainId: Number(config.params.chainId),
        role: config.validator === undefined ? 'full node' : `validator ${config.validator.index}`,
        head: Number(node.blockNumber()),
        rpc: rpc.url,
        p2p: p2p.url,
        genesis: toHex((await node.getBlock(0n))!.hash()),
      },
      'federation node ready',
    )
    return { node, rpc, p2p, engine, close: closeAll }
  } catch (e) {
    await closeAll()
    throw e
  }
}
