// The description a running local world leaves in its data directory (`<datadir>/world.json`): every endpoint,
// the chain id, the federation, the demo accounts and (optional, for older files) the EVM main chain and its peg. `causeway regtest up` writes it once everything is ready;
// the CLI's user commands read it (`--world DIR`, default ./.causeway) so they need no flags against a local world.
// It holds throw-away regtest keys only (the demo accounts'), never a federation member's. It lives in cli/ with
// its readers; regtest/world/up.ts imports it to write the file.
import { readFile, writeFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { CausewayError } from '../spv/base/errors.js'

export const WORLD_FILE = 'world.json'
export const DEFAULT_WORLD_DIR = '.causeway'

const url = z.string().url()
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/)
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address')

export const worldFileSchema = z.object({
  version: z.literal(1),
  /** Side-chain chain id, decimal. */
  chainId: z.string().regex(/^\d+$/),
  sidechain: z.object({
    /** The endpoint users and tools talk to (validator 0). */
    rpcUrl: url,
    wsUrl: url,
    /** Validators' precommits that finalize a block. */
    quorum: z.number().int().positive(),
    validators: z.array(z.object({ rpcUrl: url, wsUrl: url, p2pUrl: url, metricsUrl: url })).min(1),
  }),
  bitcoin: z.object({
    rpcUrl: url,
    rpcUser: z.string(),
    rpcPassword: z.string(),
    /** spv's network name of the Bitcoin node ('regtest'). */
    network: z.string(),
    /** Address prefix of the node when not the network's (bcoin regtest: rb). */
    bech32: z.string().optional(),
    /** Confirmations the bridge requires for a peg-in. */
    confirmations: z.number().int().positive(),
  }),
  signers: z.array(z.object({ index: z.number().int().nonnegative(), healthUrl: url, metricsUrl: url })),
  federation: z.object({
    address: z.string(),
    descriptor: z.string(),
    /** Peg signers' signatures a spend of the federation's coins needs. */
    threshold: z.number().int().positive(),
    members: z.array(z.string()),
  }),
  demo: z.object({
    /** A side-chain account funded by a real peg-in at the world's first start (regtest/world/demo-funding.ts). */
    sidechainKey: hex,
    sidechainAddress: hex,
    /** The demo Bitcoin wallet (regtest/bitcoin/demo-wallet.ts) seed and its receive address. */
    bitcoinSeed: z.string(),
    bitcoinAddress: z.string(),
  }),
  /** How often the world mines a Bitcoin block (ms; 0 = only on demand). */
  blockIntervalMs: z.number().int().nonnegative(),
  /** The EVM main chain and its peg; absent for a world set up before the EVM peg (and in older files). */
  evm: z
    .object({
      /** The main chain's JSON-RPC (anvil). */
      rpcUrl: url,
      chainId: z.number().int().positive(),
      /** The peg's Vault (peg/evm/PROTOCOL.md) and the block it was deployed in. */
      vault: address,
      vaultBlock: z.number().int().nonnegative(),
      /** The vault's members (the federation's EVM addresses, member order) and its threshold. */
      members: z.array(address),
      threshold: z.number().int().positive(),
      /** Main-chain depth at which the signers attest a header. */
      confirmations: z.number().int().positive(),
      /** The demo ERC-20s on the main chain. */
      tokens: z.array(z.object({ address, name: z.string(), symbol: z.string(), decimals: z.number().int().min(0).max(255) })),
      /** A throw-away main-chain account holding ETH and the demo tokens (anvil's dev account 1). */
      demo: z.object({ key: z.string().regex(/^0x[0-9a-fA-F]{64}$/), address }),
    })
    .optional(),
})

export type WorldFile = z.infer<typeof worldFileSchema>

export const worldFilePath = (dir: string): string => path.join(dir, WORLD_FILE)

/** Reads and checks `<dir>/world.json`; a coded error says what to do when there is none. */
export async function readWorldFile(dir: string): Promise<WorldFile> {
  const file = worldFilePath(dir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CausewayError('WORLD_NOT_FOUND', `no local world in ${dir} (${file} is missing): start one with \`npm start\`, or give the endpoints as options`)
    }
    throw new CausewayError('WORLD_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`, { cause: e })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new CausewayError('WORLD_BAD_FILE', `${file} is not JSON: ${(e as Error).message}`, { cause: e })
  }
  const parsed = worldFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new CausewayError('WORLD_BAD_FILE', `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  return parsed.data
}

/** Writes `<dir>/world.json` atomically (a reader never sees half a file). */
export async function writeWorldFile(dir: string, world: WorldFile): Promise<void> {
  const file = worldFilePath(dir)
  await writeFile(`${file}.tmp`, JSON.stringify(world, null, 2) + '\n')
  await rename(`${file}.tmp`, file)
}
