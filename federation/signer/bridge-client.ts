// The signer's view of its own side-chain node: the bridge as an ethers contract signed by the member's key.
// Every write is dry-run first (eth_estimateGas), so a call the bridge would refuse is reported with its
// BridgeError code and costs nothing; sends are sequential (one nonce stream per signer).
import { readSplitting } from './log-ranges.js'
import { Contract, Interface, JsonRpcProvider, Wallet, type InterfaceAbi, type Log, type LogDescription } from 'ethers'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { btcBridgeAbi } from '../../peg/bitcoin/btc-bridge-abi.js'
import { evmBridgeAbi } from '../../peg/evm/evm-bridge-abi.js'
import { bridgeErrorOf, bridgeReaderAt, type BridgeReader } from '../../client/bridge.js'
import { toHex } from '../../spv/base/bytes.js'
import { BRIDGE_ADDRESS } from '../../sidechain/chain/params.js'

// Every family's methods, events and errors (one nonce stream per signer for all its duties' sends); each family's
// ABI includes IBridge's entries, kept once.
type AbiEntry = { readonly type: string; readonly name?: string; readonly inputs?: readonly { readonly type: string }[] }
const entryId = (e: AbiEntry): string => `${e.type}:${e.name ?? ''}(${(e.inputs ?? []).map((i) => i.type).join(',')})`
const bridgeAbiJson = [...btcBridgeAbi, ...evmBridgeAbi].filter((e, i, all) => all.findIndex((x) => entryId(x) === entryId(e)) === i) as unknown as InterfaceAbi
type Writes<A extends readonly unknown[]> = Extract<A[number], { type: 'function'; stateMutability: 'nonpayable' | 'payable' }> extends { name: infer N } ? N : never
/** The bridge methods that write, of every family (their names checked against the ABIs by the compiler). */
export type BridgeWrite = Writes<typeof btcBridgeAbi> | Writes<typeof evmBridgeAbi>
const bridgeAbi = new Interface(bridgeAbiJson)

export const BRIDGE = toHex(BRIDGE_ADDRESS)

export interface BridgeLog {
  readonly blockNumber: number
  readonly logIndex: number
  readonly name: string
  readonly args: LogDescription['args']
}

/** The BridgeError code and message of a refused call, or undefined if `e` is something else. */
export function bridgeRefusal(e: unknown): { code: string; message: string } | undefined {
  const typed = bridgeErrorOf(e) // from the typed reader (viem)
  if (typed !== undefined) return typed
  const err = e as { revert?: { name?: string; args?: unknown[] }; data?: string; info?: { error?: { data?: string } } }
  if (err?.revert?.name === 'BridgeError') return { code: String(err.revert.args![0]), message: String(err.revert.args![1]) }
  const data = err?.data ?? err?.info?.error?.data
  if (typeof data === 'string' && data.length >= 10) {
    try {
      const parsed = bridgeAbi.parseError(data)
      if (parsed?.name === 'BridgeError') return { code: String(parsed.args[0]), message: String(parsed.args[1]) }
    } catch {
      // not ours
    }
  }
  return undefined
}

export class BridgeClient {
  readonly provider: JsonRpcProvider
  readonly wallet: Wallet
  readonly contract: Contract
  /** The bridge's views, typed by its ABI (client/bridge.ts). */
  readonly read: BridgeReader
  private sending: Promise<unknown> = Promise.resolve()
  private nonce: number | undefined

  constructor(rpcUrl: string, privateKeyHex: string, chainId: bigint) {
    this.provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, batchMaxCount: 1 })
    this.provider.pollingInterval = 250
    this.wallet = new Wallet(privateKeyHex, this.provider)
    this.contract = new Contract(BRIDGE, bridgeAbiJson, this.wallet)
    this.read = bridgeReaderAt(rpcUrl)
  }

  static async chainIdOf(rpcUrl: string): Promise<bigint> {
    const p = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
    try {
      return BigInt(await p.send('eth_chainId', []))
    } catch (e) {
      fail('SIGNER_SIDECHAIN_UNREACHABLE', `the side-chain node at ${rpcUrl} does not answer: ${(e as Error).message}`, undefined, e)
    } finally {
      p.destroy()
    }
  }

  /**
   * Sends a bridge transaction and returns once the node accepted it (its hash), without waiting for its block:
   * a signer's round goes on while it is mined. Unless `skipDryRun`, it is dry-run first (eth_estimateGas): a
   * refusal throws a CausewayError with the bridge's code, or returns `{ refused }` for `expected` codes (races with
   * other relayers, work already done). Nonces are handed out here, one stream per signer.
   */
  async send(
    method: BridgeWrite,
    args: readonly unknown[],
    expected: readonly string[] = [],
    options: { skipDryRun?: boolean; gasLimit?: bigint; gasFactor?: bigint; callOnly?: boolean } = {},
  ): Promise<{ hash: string; mined: Promise<boolean> } | { refused: string }> {
    const fn = this.contract.getFunction(method)
    let gasLimit = options.gasLimit
    if (options.callOnly === true) {
      // One execution instead of an estimate's two or more; the caller gives a gas limit that always suffices.
      try {
        await fn.staticCall(...args, { from: this.wallet.address })
      } catch (e) {
        const r = bridgeRefusal(e)
        if (r !== undefined && expected.includes(r.code)) return { refused: r.code }
        if (r !== undefined) throw new CausewayError(r.code, r.message)
        throw e
      }
    } else if (options.skipDryRun !== true) {
      const est = await this.estimate(method, args, expected)
      if ('refused' in est) return est
      const gas = est.gas
      gasLimit = options.gasFactor !== undefined ? gas * options.gasFactor : gas + gas / 5n + 10_000n
    }
    const run = async () => {
      this.nonce ??= await this.provider.getTransactionCount(this.wallet.address, 'pending')
      try {
        const tx = await fn.send(...args, { gasLimit: gasLimit ?? 3_000_000n, nonce: this.nonce })
        this.nonce++
        const mined = tx.wait(1, 120_000).then(
          (r) => r !== null && r.status === 1,
          () => false,
        )
        return { hash: tx.hash, mined }
      } catch (e) {
        this.nonce = undefined // re-read it next time (another process may have used the key, or the node restarted)
        throw e
      }
    }
    const p = this.sending.then(run, run)
    this.sending = p.catch(() => undefined)
    return p
  }

  /**
   * The dry run alone (eth_estimateGas): the gas the call needs now, or `{ refused }` for an `expected` refusal; any
   * other refusal throws a CausewayError with the bridge's code.
   */
  async estimate(method: BridgeWrite, args: readonly unknown[], expected: readonly string[] = []): Promise<{ gas: bigint } | { refused: string }> {
    try {
      return { gas: await this.contract.getFunction(method).estimateGas(...args) }
    } catch (e) {
      const r = bridgeRefusal(e)
      if (r !== undefined && expected.includes(r.code)) return { refused: r.code }
      if (r !== undefined) throw new CausewayError(r.code, r.message)
      throw e
    }
  }

  /** The gas limit of the latest block: no transaction may ask for more. */
  async blockGasLimit(): Promise<bigint> {
    const b = await this.provider.getBlock('latest')
    if (b === null) fail('SIGNER_SIDECHAIN_UNREACHABLE', 'the side-chain node has no latest block')
    return b.gasLimit
  }

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber()
  }

  /** Bridge events in blocks `from … to`, decoded, in chain order. */
  async logs(from: number, to: number): Promise<BridgeLog[]> {
    if (to < from) return []
    // A range the node refuses as too large is read in halves (log-ranges.ts).
    const raw: Log[] = await readSplitting(from, to, (a, b) => this.provider.getLogs({ address: BRIDGE, fromBlock: a, toBlock: b }))
    const out: BridgeLog[] = []
    for (const l of raw) {
      const parsed = bridgeAbi.parseLog({ topics: [...l.topics], data: l.data })
      if (parsed !== null) out.push({ blockNumber: l.blockNumber, logIndex: l.index, name: parsed.name, args: parsed.args })
    }
    out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    return out
  }

  close(): void {
    this.provider.destroy()
  }
}
