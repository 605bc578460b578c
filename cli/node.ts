// `causeway node`: run a side-chain node. `--dev` starts a one-validator development chain; `--config FILE`
// (a federation member or a full node) comes with the federated consensus.
import type { Command } from 'commander'
import { pino } from 'pino'
import { hexToBytes } from '../spv/base/bytes.js'
import { CausewayError } from '../spv/base/errors.js'
import { startDevNode } from '../sidechain/node/dev.js'
import { loadNodeConfig } from '../sidechain/node/config.js'
import { startFederationNode } from '../sidechain/node/federation.js'
import { EXIT_OK, UsageError, type Io } from './output.js'
import { whenParentGone } from './parent.js'

/** A long-running node logs a stray failure instead of dying of it (its state is guarded by its own locks). */
function keepAlive(logger: { error(o: object, msg: string): void }): void {
  process.on('unhandledRejection', (e) => logger.error({ component: 'process', err: e }, 'unhandled rejection'))
}

export function registerNode(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('node')
    .description('Run a side-chain node (--dev: a one-validator development chain)')
    .option('--dev', 'one-validator development chain with a prefunded development account')
    .option('--datadir <dir>', 'data directory (created if missing)', './.causeway/dev')
    .option('--rpc-port <port>', 'JSON-RPC and WebSocket port on 127.0.0.1', '8545')
    .option('--rpc-host <host>', 'address to serve JSON-RPC on', '127.0.0.1')
    .option('--rpc-gascap <gas>', 'most gas one eth_call/eth_estimateGas runs with (more is clamped)', '50000000')
    .option('--rpc-evmtimeout <ms>', 'wall-clock bound of one eth_call/eth_estimateGas in milliseconds (0: none)', '5000')
    .option('--dev-key <hex>', 'private key of the prefunded development account (default: a well-known key)')
    .option('--config <file>', 'node configuration (federation member or full node)')
    .action(async (opts: { dev?: boolean; datadir: string; rpcPort: string; rpcHost: string; devKey?: string; config?: string; rpcGascap: string; rpcEvmtimeout: string }) => {
      if (opts.config !== undefined && opts.dev === true) throw new UsageError('give either --dev or --config, not both')
      if (opts.config !== undefined) {
        const config = await loadNodeConfig(opts.config)
        const logger = pino({ base: undefined })
        keepAlive(logger)
        let started
        try {
          started = await startFederationNode(config, logger)
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CausewayError('NODE_PORT_IN_USE', `a port in ${opts.config} is already in use (rpc ${config.rpc.port}, p2p ${config.p2p.port})`)
          throw e
        }
        io.err(`Causeway node (${config.validator === undefined ? 'full node' : `validator ${config.validator.index}`}), chain id ${config.params.chainId}: JSON-RPC ${started.rpc.url}, p2p ${started.p2p.url}\n`)
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve())
          process.once('SIGTERM', () => resolve())
          whenParentGone(() => {
            logger.warn({ component: 'node' }, 'the world that started this node is gone')
            resolve()
          })
        })
        logger.info({ component: 'node' }, 'stopping')
        await started.close()
        exit(EXIT_OK)
        return
      }
      if (opts.dev !== true) throw new UsageError('give --dev (a development chain) or --config FILE')
      if (!/^\d+$/.test(opts.rpcPort) || Number(opts.rpcPort) > 65535) throw new UsageError(`--rpc-port: not a port: ${opts.rpcPort}`)
      if (!/^\d+$/.test(opts.rpcGascap) || BigInt(opts.rpcGascap) === 0n) throw new UsageError(`--rpc-gascap: not a positive gas amount: ${opts.rpcGascap}`)
      if (!/^\d+$/.test(opts.rpcEvmtimeout)) throw new UsageError(`--rpc-evmtimeout: not a number of milliseconds: ${opts.rpcEvmtimeout}`)
      const rpcLimits = { rpcGasCap: BigInt(opts.rpcGascap), rpcEvmTimeoutMs: Number(opts.rpcEvmtimeout) }
      let devKey: Uint8Array | undefined
      if (opts.devKey !== undefined) {
        try {
          devKey = hexToBytes(opts.devKey, 'dev-key', 32)
        } catch (e) {
          throw new UsageError(`--dev-key: ${(e as Error).message}`, 'CLI_BAD_HEX', e)
        }
      }
      const logger = pino({ base: undefined })
      keepAlive(logger)
      let started
      try {
        started = await startDevNode({ datadir: opts.datadir, rpcPort: Number(opts.rpcPort), rpcHost: opts.rpcHost, ...rpcLimits, ...(devKey === undefined ? {} : { devKey }), logger })
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EADDRINUSE') throw new CausewayError('NODE_PORT_IN_USE', `port ${opts.rpcPort} on ${opts.rpcHost} is already in use: pick another with --rpc-port`)
        throw e
      }
      io.err(
        [
          '',
          `Causeway development node, chain id ${started.chainId} (0x${started.chainId.toString(16)})`,
          `  JSON-RPC   ${started.rpc.url}`,
          `  WebSocket  ${started.rpc.wsUrl}`,
          `  Dev account ${started.devAddress} (prefund is development money, not pegged BTC)`,
          `  Dev key     ${started.devKey}`,
          `  Data        ${opts.datadir}`,
          '',
        ].join('\n') + '\n',
      )
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      logger.info({ component: 'node' }, 'stopping')
      await started.close()
      exit(EXIT_OK)
    })
}
