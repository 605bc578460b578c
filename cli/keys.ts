// `causeway keys new`: a fresh side-chain key (address and private key), optionally written only to an encrypted
// keystore (federation/keystore.ts: Web3 Secret Storage, the passphrase from CAUSEWAY_KEYSTORE_PASSPHRASE or a
// prompt), with the same key's Bitcoin p2wpkh address for the world's network (bcoin regtest `rb` by default).
import { access } from 'node:fs/promises'
import type { Command } from 'commander'
import { payments } from 'bitcoinjs-lib'
import { Wallet } from 'ethers'
import { obtainPassphrase, memberKeyFrom, writeKeystore } from '../federation/keystore.js'
import { BCOIN_REGTEST_BECH32, addressNetworkFor } from '../peg/bitcoin/index.js'
import { getBitcoinNetwork } from '../spv/bitcoin/networks.js'
import { CausewayError, isCausewayError } from '../spv/base/errors.js'
import { readWorldFile, DEFAULT_WORLD_DIR } from './world-file.js'
import { KEYSTORE_PASSPHRASE_ENV } from './connect.js'
import { lines, runReport } from './report.js'
import type { Io } from './output.js'

export function registerKeys(program: Command, io: Io, exit: (code: number) => void): void {
  const keys = program.command('keys').description('Side-chain keys')
  keys
    .command('new')
    .description('Create a new side-chain key (and show its Bitcoin address); with --keystore, written encrypted and not printed')
    .option('--keystore <file>', `write the key to this encrypted keystore (passphrase from env ${KEYSTORE_PASSPHRASE_ENV} or a prompt)`)
    .option('--world <dir>', 'data directory of a local world (for its Bitcoin address prefix)', DEFAULT_WORLD_DIR)
    .option('--json', 'print one JSON object on stdout instead of text')
    .action(async (_o: unknown, cmd: Command) =>
      runReport(io, exit, cmd, async (flags, progress) => {
        const keystore = flags['keystore'] as string | undefined
        if (keystore !== undefined) {
          const exists = await access(keystore).then(() => true, () => false)
          if (exists) throw new CausewayError('CLI_FILE_EXISTS', `${keystore} exists; not overwriting a keystore`)
        }
        let network = 'regtest'
        let bech32: string | undefined = BCOIN_REGTEST_BECH32
        try {
          const world = await readWorldFile(flags['world'] as string)
          network = world.bitcoin.network
          bech32 = world.bitcoin.bech32
        } catch (e) {
          if (!isCausewayError(e, 'WORLD_NOT_FOUND')) throw e
        }
        const wallet = Wallet.createRandom()
        const member = memberKeyFrom(wallet.privateKey)
        const bitcoinAddress = payments.p2wpkh({ pubkey: Buffer.from(member.publicKey), network: addressNetworkFor(getBitcoinNetwork(network), bech32) }).address!
        if (keystore !== undefined) {
          const passphrase = await obtainPassphrase(process.env, KEYSTORE_PASSPHRASE_ENV)
          progress(`encrypting the key into ${keystore}…`)
          await writeKeystore(keystore, wallet.privateKey, passphrase)
          return {
            json: { address: wallet.address, keystore, bitcoinAddress, bitcoinNetwork: network },
            text: lines([
              ['address', wallet.address],
              ['keystore', `${keystore} (use it with --keystore)`],
              [`Bitcoin address (${network})`, bitcoinAddress],
            ]),
          }
        }
        return {
          json: { address: wallet.address, privateKey: wallet.privateKey, bitcoinAddress, bitcoinNetwork: network },
          text: [
            lines([
              ['address', wallet.address],
              ['private key', wallet.privateKey],
              [`Bitcoin address (${network})`, bitcoinAddress],
            ]),
            'keep the private key secret: whoever has it controls the account (use it with --key, or env CAUSEWAY_KEY)',
          ].join('\n'),
        }
      }),
    )
}
