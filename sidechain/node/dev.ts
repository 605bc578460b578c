// `causeway node --dev`: a one-validator development chain in a data directory, with one prefunded development
// account (its prefund is unpegged: reported apart from pegged supply), served over JSON-RPC and WebSocket.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { pino, type Logger } from 'pino'
import { Registry, Gauge, collectDefaultMetrics } from 'prom-client'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { fail } from '../../spv/base/errors.js'
import { bytesToHex, hexToBytes, toHex } from '../../spv/base/bytes.js'
import { DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, DEV_CHAIN_ID, WEI_PER_SAT, type ChainParams } from '../chain/params.js'
import { startRpcServer, type RpcServer } from '../rpc/index.js'
import { Node } from './node.js'
import { DevProducer } from './dev-producer.js'

/** The default development key: well known, printed at start, never to hold real value. */
export const DEFAULT_DEV_KEY = keccak_256(new TextEncoder().encode('causeway development account 0'))
/** 1,000 BTC worth of native coin for the development account. */
export const DEV_PREFUND_WEI = 1000n * 100_000_000n * WEI_PER_SAT

export interface DevNodeOptions {
  readonly datadir: string
  readonly rpcPort: number
  readonly rpcHost?: string
  readonly devKey?: Uint8Array
  readonly logger?: Logger
  /** eth_call / eth_estimateGas bounds (NodeOptions.rpcGasCap, rpcEvmTimeoutMs). */
  readonly rpcGasCap?: bigint
  readonly rpcEvmTimeoutMs?: number
}

export interface DevNode {
  readonly node: Node
  readonly rpc: RpcServer
  readonly devAddress: string
  readonly devKey: string
  readonly chainId: bigint
  close(): Promise<void>
}

interface DevFile {
  readonly genesisTime: string
  readonly devAddress: string
  readonly validatorKey: string
}

/** Starts a development node; resumes the chain in `datadir` when there is one. */
export async function startDevNode(options: DevNodeOptions): Promise<DevNode> {
  const root = options.logger ?? pino()
  const logger = root.child({ component: 'node' })
  await mkdir(options.datadir, { recursive: true })
  const devKey = options.devKey ?? DEFAULT_DEV_KEY
  const devAddress = createAddressFromPrivateKey(devKey).bytes
  const file = path.join(options.datadir, 'dev.json')
  let dev: DevFile
  try {
    dev = JSON.parse(await readFile(file, 'utf8')) as DevFile
    if (dev.devAddress !== toHex(devAddress)) {
      fail('NODE_DEV_KEY_MISMATCH', `this data directory was created with development account ${dev.devAddress}; start it with the same --dev-key or use a new --datadir`)
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    dev = { genesisTime: String(Math.floor(Date.now() / 1000)), devAddress: toHex(devAddress), validatorKey: bytesToHex(randomBytes(32)) }
    await writeFile(file, JSON.stringify(dev, null, 2) + '\n', { mode: 0o600 })
  }
  const params: ChainParams = {
    name: 'dev',
    chainId: DEV_CHAIN_ID,
    gasLimit: DEFAULT_GAS_LIMIT,
    minBaseFee: DEFAULT_MIN_BASE_FEE,
    // Fees go to the development account itself, so nothing leaves the developer's hands.
    feeAddress: devAddress,
    genesisTime: BigInt(dev.genesisTime),
  }
  const node = await Node.open({ datadir: path.join(options.datadir, 'chain'), params, alloc: [{ address: devAddress, balance: DEV_PREFUND_WEI }], ...(options.rpcGasCap === undefined ? {} : { rpcGasCap: options.rpcGasCap }), ...(options.rpcEvmTimeoutMs === undefined ? {} : { rpcEvmTimeoutMs: options.rpcEvmTimeoutMs }) })
  const producer = new DevProducer(node, { validatorKey: hexToBytes(dev.validatorKey, 'validatorKey', 32), logger: root.child({ component: 'producer' }) })
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Gauge({ name: 'causeway_block_height', help: 'Height of the newest final block', registers: [registry], collect() { this.set(Number(node.blockNumber())) } })
  new Gauge({ name: 'causeway_finality_lag_blocks', help: 'Blocks between the head and the newest final block', registers: [registry], collect() { this.set(0) } })
  new Gauge({ name: 'causeway_mempool_size', help: 'Pending transactions', registers: [registry], collect() { this.set(node.mempool.size) } })
  new Gauge({ name: 'causeway_peers', help: 'Connected peers', registers: [registry], collect() { this.set(0) } })
  let rpc: RpcServer
  try {
    rpc = await startRpcServer({ api: node, host: options.rpcHost ?? '127.0.0.1', port: options.rpcPort, logger: root, registry, extras: { audit: () => node.audit(), nativeSupply: (block: bigint) => node.nativeSupply(block) } })
  } catch (e) {
    await producer.stop()
    await node.close()
    throw e
  }
  logger.info({ chainId: Number(DEV_CHAIN_ID), head: Number(node.blockNumber()), rpc: rpc.url, ws: rpc.wsUrl, devAccount: toHex(devAddress) }, 'development node ready')
  return {
    node,
    rpc,
    devAddress: toHex(devAddress),
    devKey: toHex(devKey),
    chainId: DEV_CHAIN_ID,
    async close() {
      await producer.stop()
      await rpc.close()
      await node.close()
    },
  }
}
