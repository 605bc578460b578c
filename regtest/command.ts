// `causeway regtest up | mine | pay | demo`: the local world (regtest/world/). `up` runs in the foreground until
// Ctrl-C; `mine`, `pay` and `demo` talk to a running world through its world.json.
import type { Command } from 'commander'
import { CausewayError } from '../spv/base/errors.js'
import { BitcoinRpcClient } from '../federation/bitcoin/rpc-client.js'
import { DEFAULT_BLOCK_INTERVAL_MS, startWorld } from './world/up.js'
import { runDemo } from './world/demo.js'
import { worldTable } from './world/table.js'
import { DEFAULT_WORLD_DIR, readWorldFile } from '../cli/world-file.js'
import { EXIT_INVALID, EXIT_OK, UsageError, printJson, wholeNumber, type Io } from '../cli/output.js'
import { address as btcAddress } from 'bitcoinjs-lib'
import { encodePegInMemo } from '../peg/bitcoin/index.js'
import { REGTEST_CHAIN_ID } from '../sidechain/chain/params.js'
import { hexToBytes } from '../spv/base/bytes.js'
import { DemoWallet } from './bitcoin/demo-wallet.js'
import { bcoinRegtest } from './bitcoin/network.js'
import { scanCoins } from './bitcoin/scan-coins.js'
import { parseBtcAmount, parseSidechainAddress } from '../cli/values.js'


export function registerRegtest(program: Command, io: Io, exit: (code: number) => void): void {
  const regtest = program.command('regtest').description('The local regtest world: Bitcoin (bcoin), 4 validators (quorum 3), 4 signers (3 of 4)')
  regtest
    .command('up')
    .description('Start (or resume) the local world and keep it running until Ctrl-C')
    .option('--datadir <dir>', 'data directory of the world', DEFAULT_WORLD_DIR)
    .option('--base-port <port>', 'first of the loopback ports the world uses (validators on base … base+3; see README)', undefined)
    .option('--block-interval <seconds>', 'mine a Bitcoin block this often (0: only on demand)', String(DEFAULT_BLOCK_INTERVAL_MS / 1000))
    .option('--json', 'print the world description (world.json) on stdout once ready')
    .action(async (opts: { datadir: string; basePort?: string; blockInterval: string; json?: boolean }) => {
      const basePort = opts.basePort === undefined ? undefined : wholeNumber('--base-port', opts.basePort, 1024, 65000)
      const seconds = Number(opts.blockInterval)
      if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new UsageError(`--block-interval: expected seconds from 0 to 3600, got ${opts.blockInterval}`)
      const started = Date.now()
      let failed: CausewayError | undefined
      let wake: (() => void) | undefined
      const world = await startWorld({
        datadir: opts.datadir,
        ...(basePort === undefined ? {} : { basePort }),
        blockIntervalMs: Math.round(seconds * 1000),
        progress: (line) => io.err(`  [${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`),
        onFailure: (e) => {
          failed = e
          wake?.()
        },
      })
      io.err(worldTable(world.file, { dir: world.layout.dir, readySeconds: (Date.now() - started) / 1000, fresh: world.fresh }))
      if (opts.json === true) printJson(io, world.file)
      // Signals stay handled while the world stops: a second Ctrl-C must not kill this process before its
      // children (their own process groups) are stopped.
      let signals = 0
      const onSignal = () => {
        signals++
        if (signals === 1) wake?.()
        else io.err('still stopping the world (each process gets 10 s before it is killed)…\n')
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      await new Promise<void>((resolve) => {
        wake = resolve
      })
      io.err(failed === undefined ? '\nstopping the world…\n' : `\n${failed.message}\nstopping the world…\n`)
      await world.stop()
      io.err('stopped.\n')
      if (failed !== undefined) throw failed
      exit(EXIT_OK)
    })

  regtest
    .command('mine')
    .description('Mine Bitcoin blocks now (to the demo wallet)')
    .argument('[blocks]', 'how many', '1')
    .option('--world <dir>', 'data directory of the running world', DEFAULT_WORLD_DIR)
    .action(async (blocks: string, opts: { world: string }) => {
      const n = wholeNumber('blocks', blocks, 1, 1000)
      const w = await readWorldFile(opts.world)
      const rpc = new BitcoinRpcClient({ url: w.bitcoin.rpcUrl, username: w.bitcoin.rpcUser, password: w.bitcoin.rpcPassword })
      let hashes: string[]
      try {
        hashes = await rpc.generateToAddress(n, w.demo.bitcoinAddress)
      } catch (e) {
        throw new CausewayError('CLI_NODE_UNREACHABLE', `the Bitcoin node at ${w.bitcoin.rpcUrl} does not answer (is the world running? npm start): ${(e as Error).message}`, { cause: e })
      }
      io.err(`mined ${n} block${n > 1 ? 's' : ''}, height ${await rpc.getBlockCount()}\n`)
      printJson(io, { blocks: hashes })
      exit(EXIT_OK)
    })

  regtest
    .command('pay')
    .description('Pay a Bitcoin address from the world\'s demo Bitcoin wallet (the regtest stand-in for "any wallet")')
    .argument('<btc-address>', 'address to pay (a deposit address from `causeway pegin address`, or the federation address with --memo)')
    .argument('<amount-btc>', 'amount in BTC')
    .option('--memo <sidechain-address>', 'add a Causeway peg-in memo (OP_RETURN) naming this side-chain recipient')
    .option('--world <dir>', 'data directory of the running world', DEFAULT_WORLD_DIR)
    .action(async (to: string, amount: string, opts: { memo?: string; world: string }) => {
      const sats = parseBtcAmount(amount)
      let script: Uint8Array
      try {
        script = btcAddress.toOutputScript(to, bcoinRegtest)
      } catch (e) {
        throw new CausewayError('CLI_BAD_ADDRESS', `${to} is not a Bitcoin regtest address (bcoin's regtest addresses start with rb1): ${(e as Error).message}`)
      }
      const memo = opts.memo === undefined ? undefined : encodePegInMemo({ chainId: REGTEST_CHAIN_ID, recipient: hexToBytes(parseSidechainAddress(opts.memo), 'recipient', 20) }).subarray(2)
      const w = await readWorldFile(opts.world)
      const rpc = new BitcoinRpcClient({ url: w.bitcoin.rpcUrl, username: w.bitcoin.rpcUser, password: w.bitcoin.rpcPassword })
      const wallet = new DemoWallet({ seed: w.demo.bitcoinSeed })
      io.err('finding the demo wallet\'s coins…\n')
      try {
        for (const c of await scanCoins(rpc, wallet.scriptPubKey)) wallet.track(c)
      } catch (e) {
        throw new CausewayError('CLI_NODE_UNREACHABLE', `the Bitcoin node at ${w.bitcoin.rpcUrl} does not answer (is the world running? npm start): ${(e as Error).message}`, { cause: e })
      }
      const p = await wallet.pay(rpc, { outputs: [{ scriptPubKey: script, valueSats: sats }], ...(memo === undefined ? {} : { opReturn: memo }) })
      io.err(`paid ${amount} BTC to ${to}${opts.memo === undefined ? '' : ` with a memo for ${opts.memo}`}: txid ${p.txid}, fee ${p.feeSats} sats\n`)
      printJson(io, { txid: p.txid, valueSats: sats.toString(), feeSats: p.feeSats.toString() })
      exit(EXIT_OK)
    })

  regtest
    .command('demo')
    .description('A scripted round trip through the running world: peg 1 BTC in, use it, peg it out; exit 0 only if value was preserved')
    .option('--world <dir>', 'data directory of the running world', DEFAULT_WORLD_DIR)
    .option('--json', 'print the figures as JSON on stdout at the end')
    .action(async (opts: { world: string; json?: boolean }) => {
      const w = await readWorldFile(opts.world)
      const r = await runDemo(w, { log: (line) => io.err(`${line}\n`) })
      if (opts.json === true) printJson(io, r)
      exit(r.ok ? EXIT_OK : EXIT_INVALID)
    })
}
