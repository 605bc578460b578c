// Glue for CLI tests: the world.json (cli/world-file.ts) that `causeway regtest up` would leave, written
// for a test peg world (test/helpers/peg-world.ts) into its directory, so the user commands find it with --world.
import { Wallet } from 'ethers'
import { writeWorldFile, type WorldFile } from '../../cli/world-file.js'
import type { PegWorld } from './peg-world.js'

/** Writes `<w.dir>/world.json` and returns it. */
export async function writePegWorldFile(w: PegWorld): Promise<WorldFile> {
  const [pubkeys, threshold, address, descriptor] = (await w.bridge.getFederation!()) as [string[], bigint, string, string]
  const ws = (u: string) => u.replace(/^http/, 'ws')
  const world: WorldFile = {
    version: 1,
    chainId: w.fed.chainId.toString(),
    sidechain: {
      rpcUrl: w.fed.validators[0]!.rpcUrl,
      wsUrl: ws(w.fed.validators[0]!.rpcUrl),
      quorum: w.fed.threshold,
      validators: w.fed.validators.map((v, i) => ({ rpcUrl: v.rpcUrl, wsUrl: ws(v.rpcUrl), p2pUrl: w.fed.p2pUrls[i]!, metricsUrl: new URL('/metrics', v.rpcUrl).toString() })),
    },
    bitcoin: { rpcUrl: w.bcoin.rpcUrl, rpcUser: 'x', rpcPassword: w.bcoin.apiKey, network: 'regtest', bech32: 'rb', confirmations: 6 },
    signers: w.signers.map((s) => ({ index: s.index, healthUrl: s.healthUrl(), metricsUrl: s.healthUrl().replace(/\/health$/, '/metrics') })),
    federation: { address, descriptor, threshold: Number(threshold), members: pubkeys },
    demo: { sidechainKey: w.fed.fundedKey, sidechainAddress: new Wallet(w.fed.fundedKey).address, bitcoinSeed: 'peg-world', bitcoinAddress: w.wallet.address },
    blockIntervalMs: 0,
  }
  await writeWorldFile(w.dir, world)
  return world
}
