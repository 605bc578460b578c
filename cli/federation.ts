// `causeway federation init` (generate a local federation's keys and configuration) and `causeway signer --config`
// (run a member's signer daemon).
import type { Command } from 'commander'
import { pino } from 'pino'
import { initFederation } from '../federation/init.js'
import { obtainPassphrase, readKeystore } from '../federation/keystore.js'
import { loadSignerConfig } from '../federation/signer/config.js'
import { startSigner } from '../federation/signer/daemon.js'
import type { BitcoinNetworkName } from '../spv/bitcoin/networks.js'
import { EXIT_OK, printJson, wholeNumber, type Io } from './output.js'
import { whenParentGone } from './parent.js'


export function registerFederation(program: Command, io: Io, exit: (code: number) => void): void {
  const fed = program.command('federation').description('Federation set-up')
  fed
    .command('init')
    .description('Generate members\' keys (encrypted keystores), the federation address and descriptor, and the bridge configuration')
    .requiredOption('--members <n>', 'number of members')
    .requiredOption('--threshold <k>', 'peg signers: signatures a Bitcoin spend of the federation\'s coins needs (more than half of the members)')
    .option('--validator-quorum <k>', 'validators: precommits that finalize a side-chain block (default ⌊2n/3⌋+1, which tolerates ⌊(n−1)/3⌋ faulty validators of any kind)')
    .option('--tolerates-no-byzantine-validator', 'accept a validator quorum with 3k ≤ 2n (e.g. 2 of 3): then one faulty validator can finalize two blocks at one height')
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--network <name>', 'Bitcoin network', 'regtest')
    .option('--bech32 <prefix>', 'address prefix of your Bitcoin node when not the network\'s (bcoin regtest: rb)')
    .option('--light-keystores', 'cheap scrypt for throw-away regtest keys')
    .action(async (opts: { members: string; threshold: string; validatorQuorum?: string; toleratesNoByzantineValidator?: boolean; out: string; network: string; bech32?: string; lightKeystores?: boolean }) => {
      const passphrase = await obtainPassphrase()
      const r = await initFederation({
        members: wholeNumber('--members', opts.members),
        threshold: wholeNumber('--threshold', opts.threshold),
        ...(opts.validatorQuorum === undefined ? {} : { validatorQuorum: wholeNumber('--validator-quorum', opts.validatorQuorum) }),
        toleratesNoByzantineValidator: opts.toleratesNoByzantineValidator === true,
        out: opts.out,
        passphrase,
        network: opts.network as BitcoinNetworkName,
        ...(opts.bech32 === undefined ? {} : { bech32: opts.bech32 }),
        lightKeystores: opts.lightKeystores === true,
      })
      printJson(io, { address: r.address, descriptor: r.descriptor, threshold: r.threshold, validatorQuorum: r.validatorQuorum, ...(r.toleratesNoByzantineValidator === true ? { toleratesNoByzantineValidator: true } : {}), pubkeys: r.pubkeys, memberAddresses: r.memberAddresses, files: r.files })
      exit(EXIT_OK)
    })

  program
    .command('signer')
    .description('Run a federation member\'s signer daemon')
    .requiredOption('--config <file>', 'signer configuration')
    .action(async (opts: { config: string }) => {
      const config = await loadSignerConfig(opts.config)
      const key = await readKeystore(config.keystore, await obtainPassphrase())
      const logger = pino({ base: { component: 'signer' } })
      process.on('unhandledRejection', (e) => logger.error({ err: e }, 'unhandled rejection'))
      const signer = await startSigner(config, key, logger)
      io.err(`Causeway signer, member ${signer.memberIndex} (${key.address}): health ${signer.url}/health, metrics ${signer.url}/metrics\n`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve())
        process.once('SIGTERM', () => resolve())
        whenParentGone(() => {
          logger.warn({}, 'the world that started this signer is gone')
          resolve()
        })
      })
      logger.info({}, 'stopping')
      await signer.stop()
      exit(EXIT_OK)
    })
}
