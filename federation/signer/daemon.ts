// The federation signer daemon (`causeway signer --config FILE`, ARCHITECTURE.md decision 8): it finds its place in
// the bridge's federation, opens its signing log, and runs its duties (duty.ts) round after round — Bitcoin's
// (bitcoin/duty.ts), and the EVM peg's (evm/duty.ts) when the configuration has an `evm` section. A duty whose round fails is
// logged and marked degraded in /health (http.ts) and tried again next round; the others run on.
import { pino, type Logger } from 'pino'
import { bytesToHex, hexToBytes } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'
import { createFederation } from '../../peg/bitcoin/index.js'
import { BitcoinRpcClient } from '../bitcoin/rpc-client.js'
import type { MemberKey } from '../keystore.js'
import { BitcoinDuty } from './bitcoin/duty.js'
import { BridgeClient } from './bridge-client.js'
import type { SignerConfig } from './config.js'
import type { AnyDuty } from './duty.js'
import { DutyLoop } from './duty-loop.js'
import { serveSignerHttp } from './http.js'
import { createSignerMetrics } from './metrics.js'
import { openSigningDb } from './signing-db.js'
import { SigningLog } from './signing-log.js'
import { EvmDuty } from './evm/duty.js'
import { MainChain } from './evm/main-chain.js'
import { SideChain } from './evm/sidechain.js'
import { EvmSigningLog } from './evm/signing-log.js'

export { RELAY_STAGGER_MS } from './bitcoin/turns.js'

export interface SignerHandle {
  readonly url: string
  readonly memberIndex: number
  stop(): Promise<void>
}

export async function startSigner(config: SignerConfig, key: MemberKey, logger: Logger = pino({ base: { component: 'signer' } })): Promise<SignerHandle> {
  const log = logger
  const db = await openSigningDb(config.datadir)
  const btc = new BitcoinRpcClient({ url: config.bitcoin.rpcUrl, username: config.bitcoin.rpcUser, password: config.bitcoin.rpcPassword })
  let bridge: BridgeClient | undefined
  try {
    const chainId = await BridgeClient.chainIdOf(config.sidechain.rpcUrl)
    bridge = new BridgeClient(config.sidechain.rpcUrl, bytesToHex(key.privateKey).replace(/^/, '0x'), chainId)
    const [pubkeysHex, threshold] = await bridge.read.getFederation()
    const pubkeys = pubkeysHex.map((p) => hexToBytes(p, 'pubkey', 33))
    const memberIndex = pubkeys.findIndex((p) => bytesToHex(p) === bytesToHex(key.publicKey))
    if (memberIndex < 0) fail('SIGNER_NOT_MEMBER', `this keystore's key ${bytesToHex(key.publicKey)} is not a member of the bridge's federation`)
    const fed = createFederation(pubkeys, Number(threshold))
    await btc.getBlockCount() // fail fast if the Bitcoin node is not there
    const metrics = createSignerMetrics()
    const duties: AnyDuty[] = [
      new BitcoinDuty({ config, key, member: memberIndex, fed, chainId, btc, bridge, signingLog: new SigningLog(db, 'bitcoin'), log: log.child({ family: 'bitcoin' }), metrics }),
    ]
    if (config.evm !== undefined) {
      const main = new MainChain(config.evm.rpcUrl, config.evm.chainId, config.evm.vault, key.privateKey)
      await main.check() // fail fast: its own main-chain node is there and serves the configured chain
      duties.push(
        new EvmDuty({ evm: config.evm, relay: config.relay, key, member: memberIndex, sideChainId: chainId, main, side: new SideChain(bridge.provider, config.sidechain.rpcUrl), bridge, signingLog: new EvmSigningLog(db), log: log.child({ family: 'evm' }), metrics }),
      )
    }
    const loop = new DutyLoop(duties, config.pollMs, metrics, log)
    const server = await serveSignerHttp(config.http.host, config.http.port, { member: memberIndex, address: key.address, pollMs: config.pollMs, lastRoundAt: () => loop.lastRoundAt, duties: () => loop.reports() }, metrics.registry)
    loop.run()
    log.info({ member: memberIndex, address: key.address, url: server.url }, 'signer started')
    return {
      url: server.url,
      memberIndex,
      async stop() {
        await loop.stop()
        await server.close()
        bridge?.close()
        await db.close()
      },
    }
  } catch (e) {
    bridge?.close()
    await db.close()
    throw e
  }
}
