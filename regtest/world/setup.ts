// What a local world decides once, on its first start, and keeps in `<datadir>/setup.json`: the Bitcoin node's API
// key, the federation (made with `federation init`), the side chain's genesis (chain id, no allocations, the bridge
// with its checkpoint at the Bitcoin tip after segwit, and its `evm` section naming the main chain's vault), the
// EVM main chain's deployments (evm-setup.ts), the demo accounts and the base port. Every later start
// reads it back and writes the members' configuration files from it, so a restart resumes the same chain.
//
// Regtest only: the keystores' passphrase and the demo keys are stored in clear beside them.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { readFile, writeFile, rename, rm, readdir } from 'node:fs/promises'
import { z } from 'zod'
import { initFederation } from '../../federation/init.js'
import { REGTEST_CHAIN_ID } from '../../sidechain/chain/params.js'
import { CausewayError } from '../../spv/base/errors.js'
import type { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { DemoWallet } from '../bitcoin/demo-wallet.js'
import { tipCheckpoint } from '../bitcoin/checkpoint.js'
import { MEMBERS, SIGNER_THRESHOLD, type WorldLayout } from './layout.js'
import { createEvmSetup, evmSetupSchema } from './evm-setup.js'

/**
 * What the world pegs in to the demo account at its first start (up.ts, pegin-funding.ts): 10 regtest BTC. The
 * genesis allocates no native coin at all (issue 11 item 2): members' bridge duties need none.
 */
export const DEMO_FUNDING_SATS = 1_000_000_000n

/** Version 1 was the 3-member world (validators and signers 2 of 3); version 2 keeps the validators' quorum apart. */
const SETUP_VERSION = 2

const setupSchema = z.object({
  version: z.literal(SETUP_VERSION),
  createdAt: z.string(),
  basePort: z.number().int(),
  bitcoinApiKey: z.string(),
  passphrase: z.string(),
  demo: z.object({ sidechainKey: z.string(), sidechainAddress: z.string(), bitcoinSeed: z.string() }),
  federation: z.object({
    address: z.string(),
    descriptor: z.string(),
    /** The peg signers' threshold (the bridge's multisig). */
    threshold: z.number().int(),
    /** The validators' quorum (every node's `threshold`). */
    validatorQuorum: z.number().int(),
    memberAddresses: z.array(z.string()),
    validatorPubkeys: z.array(z.string()),
    keystores: z.array(z.string()),
    validatorKeys: z.array(z.string()),
  }),
  /** The `chain` section every node's configuration carries (genesis). */
  chain: z.record(z.string(), z.unknown()),
  /** The EVM main chain's deployments; absent in a world set up before the EVM peg (it runs without one). */
  evm: evmSetupSchema.optional(),
})

export type WorldSetup = z.infer<typeof setupSchema>

export async function readSetup(layout: WorldLayout): Promise<WorldSetup | undefined> {
  let text: string
  try {
    text = await readFile(layout.setup, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  const json = JSON.parse(text) as { version?: unknown }
  if (json.version === 1) {
    throw new CausewayError('WORLD_OLD_SETUP', `${layout.setup} is a world of 3 validators with threshold 2, which does not tolerate a faulty validator; remove the data directory ${layout.dir} to start a new world (4 validators, quorum 3)`)
  }
  const parsed = setupSchema.safeParse(json)
  if (!parsed.success) throw new CausewayError('WORLD_BAD_SETUP', `${layout.setup} is damaged (${parsed.error.issues[0]!.message}); remove the data directory ${layout.dir} to start a new world`)
  return parsed.data
}

/** Removes what an interrupted first start left (only the world's own entries; setup.json was never written). */
export async function clearPartialWorld(layout: WorldLayout): Promise<void> {
  const ours = /^(bitcoin|bitcoin\.pid|anvil|anvil\.pid|federation|logs|validator-\d+(\.json)?|signer-\d+(\.json)?|world\.json|demo-funding\.json)$/
  let entries: string[] = []
  try {
    entries = await readdir(layout.dir)
  } catch {
    return
  }
  for (const e of entries) if (ours.test(e)) await rm(path.join(layout.dir, e), { recursive: true, force: true })
}

export interface CreateSetupInput {
  readonly layout: WorldLayout
  readonly basePort: number
  readonly bitcoinApiKey: string
  readonly rpc: BitcoinRpcClient
  /** The world's EVM main chain (anvil), where the vault is deployed before the genesis is written. */
  readonly mainChainUrl: string
  readonly progress: (line: string) => void
}

/** First start: segwit on the Bitcoin node, the federation's keys, the genesis with the bridge checkpoint. */
export async function createSetup(input: CreateSetupInput): Promise<WorldSetup> {
  const { layout, rpc, progress } = input
  const bitcoinSeed = `causeway world ${randomBytes(8).toString('hex')}`
  const wallet = new DemoWallet({ seed: bitcoinSeed })
  const passphrase = randomBytes(12).toString('hex')
  // The validators' quorum is initFederation's default, quorumFor(MEMBERS); the peg's signer threshold is its own.
  const fed = await initFederation({ members: MEMBERS, threshold: SIGNER_THRESHOLD, out: layout.federation, passphrase, bech32: 'rb', lightKeystores: true })
  progress(`created the federation: ${MEMBERS} validators with quorum ${fed.validatorQuorum} (tolerates one faulty member of any kind), peg signers ${fed.threshold} of ${MEMBERS}`)
  // Bitcoin's first blocks and the main chain's deployments need nothing of each other: side by side.
  const bitcoinReady = (async () => {
    progress('mining the first 432 Bitcoin blocks (segwit active, demo wallet funded)')
    await wallet.activateSegwit(rpc, 20)
    return tipCheckpoint(rpc)
  })()
  const evmReady = createEvmSetup({ rpcUrl: input.mainChainUrl, pegPubkeys: fed.pubkeys, threshold: fed.threshold, sideChainId: REGTEST_CHAIN_ID, progress })
  // Both settled before either failure is thrown, so nothing runs on after the start has given up.
  const [checkpointResult, evmResult] = await Promise.allSettled([bitcoinReady, evmReady])
  if (checkpointResult.status === 'rejected') throw checkpointResult.reason
  if (evmResult.status === 'rejected') throw evmResult.reason
  const checkpoint = checkpointResult.value
  const evm = evmResult.value
  const { Wallet } = await import('ethers')
  const demo = Wallet.createRandom()
  const chain = {
    name: 'regtest',
    chainId: `0x${REGTEST_CHAIN_ID.toString(16)}`,
    genesisTime: Math.floor(Date.now() / 1000),
    // Side-chain fees go to member 0's account.
    feeAddress: fed.memberAddresses[0]!,
    // No native coin at genesis: every wei is pegged BTC (the demo account's is pegged in at first start).
    alloc: [],
    bridge: {
      ...fed.bridge,
      bitcoin: {
        ...(fed.bridge.bitcoin as object),
        checkpoint,
        confirmations: 6,
        allowTaproot: false,
      },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 5,
      feeRateFloor: 2,
      // The EVM main chain the bridge serves (PROTOCOL.md): its vault, deployed above.
      evm: { chains: [{ chainId: evm.chainId, vault: evm.vault }] },
    },
  }
  const setup: WorldSetup = {
    version: SETUP_VERSION,
    createdAt: new Date().toISOString(),
    basePort: input.basePort,
    bitcoinApiKey: input.bitcoinApiKey,
    passphrase,
    demo: { sidechainKey: demo.privateKey, sidechainAddress: demo.address, bitcoinSeed },
    federation: {
      address: fed.address,
      descriptor: fed.descriptor,
      threshold: fed.threshold,
      validatorQuorum: fed.validatorQuorum,
      memberAddresses: [...fed.memberAddresses],
      validatorPubkeys: [...fed.validatorPubkeys],
      keystores: [...fed.files.keystores],
      validatorKeys: [...fed.files.validatorKeys],
    },
    chain,
    evm,
  }
  await writeFile(`${layout.setup}.tmp`, JSON.stringify(setup, null, 2) + '\n', { mode: 0o600 })
  await rename(`${layout.setup}.tmp`, layout.setup)
  return setup
}
