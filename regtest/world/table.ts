// The table `regtest up` prints once the world is ready: every endpoint (the EVM main chain's RPC, chain id, vault
// and tokens among them), the demo accounts and how to add the
// side chain to MetaMask. Pure: world description in, text out.
import type { WorldFile } from '../../cli/world-file.js'

export function worldTable(w: WorldFile, info: { readonly dir: string; readonly readySeconds: number; readonly fresh: boolean }): string {
  const chainId = BigInt(w.chainId)
  const port = (url: string) => new URL(url).port
  const lines = [
    '',
    `Causeway regtest world — ${info.fresh ? 'new' : 'resumed'}, ready in ${info.readySeconds.toFixed(1)} s`,
    `  data        ${info.dir}   (logs in ${info.dir}/logs)`,
    '',
    `Side chain   chain id ${chainId} (0x${chainId.toString(16)}), ${w.sidechain.validators.length} validators, quorum ${w.sidechain.quorum}`,
    `  JSON-RPC    ${w.sidechain.rpcUrl}   (validators on ports ${w.sidechain.validators.map((v) => port(v.rpcUrl)).join(', ')})`,
    `  WebSocket   ${w.sidechain.wsUrl}`,
    `  metrics     ${w.sidechain.validators[0]!.metricsUrl}`,
    '',
    'Bitcoin      regtest (bcoin)',
    `  RPC         ${w.bitcoin.rpcUrl}   user ${w.bitcoin.rpcUser}, password ${w.bitcoin.rpcPassword}`,
    `  blocks      ${w.blockIntervalMs > 0 ? `one every ${w.blockIntervalMs / 1000} s` : 'on demand only'}; mine now: npx causeway regtest mine 1`,
    `  peg-in      ${w.bitcoin.confirmations} confirmations`,
    '',
    ...(w.evm === undefined
      ? ['EVM main chain  none: this world was set up before the EVM peg (remove the data directory for one)', '']
      : [
          `EVM main chain  anvil, chain id ${w.evm.chainId}, a block a second`,
          `  JSON-RPC    ${w.evm.rpcUrl}`,
          `  vault       ${w.evm.vault}   (members ${w.evm.threshold} of ${w.evm.members.length}; headers attested at ${w.evm.confirmations} confirmations)`,
          ...w.evm.tokens.map((t) => `  token       ${t.address}   ${t.symbol} (${t.name}, ${t.decimals} decimals)`),
          `  demo        ${w.evm.demo.address}   key ${w.evm.demo.key}   (anvil's dev account 1: ETH and ${w.evm.tokens.map((t) => t.symbol).join(', ')})`,
          '',
        ]),
    `Federation   peg signers ${w.federation.threshold} of ${w.signers.length}`,
    `  address     ${w.federation.address}`,
    `  descriptor  ${w.federation.descriptor}`,
    ...w.signers.map((s) => `  signer ${s.index}    ${s.healthUrl}`),
    '',
    'Demo accounts (regtest only: the keys are stored in clear in the data directory)',
    `  side chain  ${w.demo.sidechainAddress}`,
    `  key         ${w.demo.sidechainKey}   (its coin was pegged in at the world's first start)`,
    `  Bitcoin     ${w.demo.bitcoinAddress}   (receives the mined coins)`,
    '',
    'MetaMask     Settings → Networks → Add a network manually:',
    `  Network name "Causeway regtest", RPC URL ${w.sidechain.rpcUrl}, Chain ID ${chainId}, Currency symbol BTC;`,
    '  then Add account → Import account with the demo key above.',
    '',
    'Try it       npm run demo   (in a second terminal)      Stop: Ctrl-C',
    '',
  ]
  return lines.join('\n')
}
