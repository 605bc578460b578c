// The options every `causeway evm …` command takes: where the world is (--world, --rpc), the main chain (--main-rpc),
// and --json.
import type { Command } from 'commander'
import { DEFAULT_WORLD_DIR } from '../world-file.js'

export function withEvmOptions(cmd: Command): Command {
  return cmd
    .option('--world <dir>', 'data directory of a local world (reads <dir>/world.json)', DEFAULT_WORLD_DIR)
    .option('--rpc <url>', 'side-chain JSON-RPC URL (overrides the world file)')
    .option('--main-rpc <url>', "main-chain JSON-RPC URL (overrides the world file's evm section)")
    .option('--json', 'print one JSON object on stdout instead of text')
}
