// A real local peg world for integration tests: a bcoin regtest node (segwit active, a funded demo wallet), a
// federation made by `federation init`, three validator processes whose chain has the Bitcoin bridge, and three
// signer processes (`causeway signer --config`) each watching bcoin and its own validator. Everything on free
// loopback ports in a temporary directory, stopped by close().
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { initFederation, type FederationInit } from '../../federation/init.js'
import { bridgeAbiJson } from '../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../sidechain/chain/params.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { createFederation } from '../../peg/bitcoin/index.js'
import { fundByPegIn } from '../../regtest/world/pegin-funding.js'
import { startBcoin, type BcoinProcess } from '../../regtest/bitcoin/bcoin-process.js'
import { DemoWallet } from '../../regtest/bitcoin/demo-wallet.js'
import { tipCheckpoint } from '../../regtest/bitcoin/checkpoint.js'
import { startFederation, TEST_SIDE_CHAIN_ID, type Federation, type FederationOptions } from './federation.js'
import { freePort } from './ports.js'
import { pollUntil } from '../../io/poll.js'
import { managedChild, type ManagedChild } from './managed-child.js'
import { startPegWorldEvm, type PegWorldEvm, type PegWorldEvmOptions } from './peg-world-evm.js'

export const PASSPHRASE = 'regtest-passphrase'

/** A signer daemon process (the managed child's controls) and where it lives. */
export interface SignerProcess extends Pick<ManagedChild, 'output' | 'running' | 'start' | 'kill' | 'stop'> {
  readonly index: number
  readonly healthUrl: () => string
  readonly configFile: string
}

export interface PegWorld {
  readonly dir: string
  readonly bcoin: BcoinProcess
  readonly wallet: DemoWallet
  readonly fed: Federation
  readonly federation: FederationInit
  readonly signers: readonly SignerProcess[]
  readonly provider: JsonRpcProvider
  /** The bridge as a read-only contract on validator 0. */
  readonly bridge: Contract
  /**
   * A side-chain account funded at start by a real peg-in of `fundedSats` regtest BTC (OP_RETURN form, registered by
   * the signers): pegged coin like any user's, for the tests' gas. No native coin exists at genesis.
   */
  readonly funded: Wallet
  readonly fundedSats: bigint
  /** The EVM main chain with its Vault, when the world was started with the `evm` option. */
  readonly evm?: PegWorldEvm
  mine(blocks: number): Promise<void>
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>
  close(): Promise<void>
}

export interface PegWorldOptions {
  /** Overrides of the bridge section (batch interval, minimums…). */
  readonly bridge?: Record<string, unknown>
  readonly startSigners?: readonly number[]
  readonly pollMs?: number
  /** Satoshis pegged in to `funded` at start (default 0.1 BTC; 0: none). */
  readonly fundSats?: bigint
  /**
   * TEST-ONLY genesis allocations of native coin (unpegged, so unbacked): only for tests that show what such coin
   * does, such as `causeway audit` reporting it.
   */
  readonly testOnlyGenesisAlloc?: readonly { readonly address: string; readonly balance: bigint }[]
  /** eth_getLogs bounds of the nodes (see startFederation). */
  readonly logLimits?: FederationOptions['logLimits']
  /**
   * An EVM main chain (anvil or Hardhat) with the Vault of this federation: the bridge configuration's `evm` section
   * names it, and every signer gets an `evm` section. `beforeSigners` runs once the main chain is up (deploy test
   * tokens there) and returns more signer policy entries.
   */
  readonly evm?: PegWorldEvmOptions & { readonly beforeSigners?: (evm: PegWorldEvm) => Promise<Record<string, { maxPerWithdrawal: string; maxPer24h: string }>> }
}


const DEFAULT_FUND_SATS = 10_000_000n

function signerProcess(index: number, configFile: string, portOf: () => number): SignerProcess {
  const child = managedChild(`signer ${index}`, {
    args: ['signer', '--config', configFile],
    readyMarker: '"signer started"',
    // Two cores shared with other worlds: a signer's start (tsx, keystore, first looks at its nodes) can take a while.
    startTimeoutMs: 90_000,
    env: { ...process.env, CAUSEWAY_SIGNER_PASSPHRASE: PASSPHRASE },
  })
  return { ...child, index, configFile, healthUrl: () => `http://127.0.0.1:${portOf()}/health` }
}

export async function startPegWorld(options: PegWorldOptions = {}): Promise<PegWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-peg-'))
  const bcoin = await startBcoin({ dataDir: path.join(dir, 'bcoin') })
  let fed: Federation | undefined
  const signers: SignerProcess[] = []
  let provider: JsonRpcProvider | undefined
  let evm: PegWorldEvm | undefined
  const close = async () => {
    await Promise.all(signers.map((s) => s.stop()))
    provider?.destroy()
    await fed?.close()
    await evm?.stop()
    await bcoin.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const wallet = new DemoWallet({ seed: 'peg-world' })
    await wallet.activateSegwit(bcoin.rpc, 20)
    // The bridge starts from a checkpoint at the current tip (as a real deployment starts from a recent block).
    const checkpoint = await tipCheckpoint(bcoin.rpc)
    // Three members, not the world's four: these tests are about the peg, not Byzantine validators, and every
    // member is a validator and a signer process on CI's two cores. So 2 of 3 validators, said to trust them all.
    const federation = await initFederation({
      members: 3,
      threshold: 2,
      validatorQuorum: 2,
      toleratesNoByzantineValidator: true,
      out: path.join(dir, 'federation'),
      passphrase: PASSPHRASE,
      bech32: 'rb',
      lightKeystores: true,
    })
    let evmPolicy: Record<string, unknown> | undefined
    if (options.evm !== undefined) {
      // The Vault exists before the side chain's genesis, which names it (bridge configuration, `evm`).
      evm = await startPegWorldEvm(options.evm, federation.pubkeys, federation.threshold, TEST_SIDE_CHAIN_ID)
      const extra = (await options.evm.beforeSigners?.(evm)) ?? {}
      evmPolicy = { ...(evm.signerSection().policy as object), ...extra }
    }
    const validatorKeys = federation.files.validatorKeys.map((f) => readFileSync(f, 'utf8').trim())
    const bridge = {
      ...federation.bridge,
      bitcoin: { ...(federation.bridge.bitcoin as object), checkpoint, confirmations: 6, allowTaproot: false },
      minPegInSats: 10_000,
      minPegOutSats: 20_000,
      batchIntervalBlocks: 5,
      feeRateFloor: 2,
      ...(evm === undefined ? {} : { evm: { chains: [{ chainId: evm.chainId.toString(), vault: evm.vault }] } }),
      ...options.bridge,
    }
    fed = await startFederation({
      validators: federation.pubkeys.length,
      threshold: federation.validatorQuorum,
      toleratesNoByzantineValidator: federation.toleratesNoByzantineValidator === true,
      bridge,
      validatorKeys,
      roundMs: 2000,
      // No genesis coin at all (unless a test asks for it): the members' duties need none, and the test account is
      // funded by a peg-in below.
      ...(options.testOnlyGenesisAlloc === undefined ? {} : { alloc: options.testOnlyGenesisAlloc }),
      ...(options.logLimits === undefined ? {} : { logLimits: options.logLimits }),
    })
    const ports: number[] = []
    for (let i = 0; i < 3; i++) {
      ports.push(await freePort())
      const configFile = path.join(dir, `signer-${i}.json`)
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            keystore: federation.files.keystores[i],
            datadir: path.join(dir, `signer-${i}-log`),
            bitcoin: { rpcUrl: bcoin.rpcUrl, rpcUser: 'x', rpcPassword: bcoin.apiKey },
            sidechain: { rpcUrl: fed.validators[i]!.rpcUrl },
            http: { host: '127.0.0.1', port: ports[i] },
            pollMs: options.pollMs ?? 500,
            ...(evm === undefined ? {} : { evm: evm.signerSection(evmPolicy as never) }),
          },
          null,
          2,
        ),
      )
      signers.push(signerProcess(i, configFile, () => ports[i]!))
    }
    await Promise.all(signers.filter((s) => options.startSigners === undefined || options.startSigners.includes(s.index)).map((s) => s.start()))
    provider = new JsonRpcProvider(fed.validators[0]!.rpcUrl, fed.chainId, { staticNetwork: true })
    provider.pollingInterval = 250
    const world: PegWorld = {
      dir,
      bcoin,
      wallet,
      fed,
      federation,
      signers,
      provider,
      bridge: new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, provider),
      funded: new Wallet(fed.fundedKey, provider),
      fundedSats: options.fundSats ?? DEFAULT_FUND_SATS,
      ...(evm === undefined ? {} : { evm }),
      async mine(blocks) {
        await bcoin.rpc.generateToAddress(blocks, wallet.address)
      },
      async waitFor(what, probe, timeoutMs = 60_000) {
        // false means not yet, as undefined does: most probes are plain conditions.
        const v = await pollUntil(
          what,
          async () => {
            const v = await probe()
            return v === false ? undefined : v
          },
          { timeoutMs, intervalMs: 250, onTimeout: () => new Error(`timed out waiting for ${what}\n${signers.map((s) => s.output().slice(-1500)).join('\n')}`) },
        )
        return v as never
      },
      close,
    }
    if (world.fundedSats > 0n) {
      const funded = world.funded.address
      const p = provider
      await fundByPegIn({
        rpc: bcoin.rpc,
        wallet,
        fed: createFederation(federation.pubkeys.map((k) => hexToBytes(k, 'pubkey', 33)), federation.threshold),
        chainId: fed.chainId,
        recipient: hexToBytes(funded, 'funded', 20),
        sats: world.fundedSats,
        confirmations: 6,
        balance: () => p.getBalance(funded),
        mine: (n) => world.mine(n),
        timeoutMs: 120_000,
      })
    }
    return world
  } catch (e) {
    await close()
    throw e
  }
}
