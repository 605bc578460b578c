// The EVM duty's view of its OWN main-chain node (viem): the head, the canonical hash at a height, the blocks with
// vault logs (Deposit or Withdrawn) in a range, checked headers and proofs (client/evm), whether the vault used a
// withdrawal id, and the member's own account sending complete withdrawals to the vault's `withdraw`.
import { createPublicClient, createWalletClient, defineChain, http, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { hexToBytes, toHex, toQuantity, type Hex } from '../../../spv/base/bytes.js'
import { DEPOSIT_TOPIC, WITHDRAWN_TOPIC, type Withdrawal } from '../../../peg/evm/index.js'
import * as Vault from '../../../peg/evm/contracts/Vault.artifact.js'
import { checkEvmChainId, fetchEvmHeader, rpcCall, type FetchedEvmHeader } from '../../../client/evm.js'
import { readSplitting } from '../log-ranges.js'

/** A block holding vault logs: its number, hash and the transaction indexes with Deposit / Withdrawn logs. */
export interface VaultLogBlock {
  readonly number: bigint
  readonly hash: Uint8Array
  readonly depositTxs: ReadonlySet<number>
  readonly withdrawnTxs: ReadonlySet<number>
}

/** Vault logs are read this many blocks at a time (a refused range is split, log-ranges.ts). */
const LOG_RANGE = 2_000

export class MainChain {
  readonly client: PublicClient
  private readonly wallet
  private readonly vaultHex: Hex

  constructor(
    readonly rpcUrl: string,
    readonly chainId: bigint,
    readonly vault: Uint8Array,
    privateKey: Uint8Array,
  ) {
    const transport = http(rpcUrl, { retryCount: 0 })
    this.client = createPublicClient({ transport }) as PublicClient
    const chain = defineChain({ id: Number(chainId), name: `main-${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
    this.wallet = createWalletClient({ account: privateKeyToAccount(toHex(privateKey)), chain, transport })
    this.vaultHex = toHex(vault)
  }

  /** Refuses a node of another chain (CLIENT_EVM_WRONG_CHAIN). */
  async check(): Promise<void> {
    await checkEvmChainId(this.client, this.chainId)
  }

  async head(): Promise<bigint> {
    return BigInt(String(await rpcCall(this.client, 'eth_blockNumber')))
  }

  /** The canonical header at `number`, its hash checked (client/evm). */
  async headerAt(number: bigint): Promise<FetchedEvmHeader> {
    return fetchEvmHeader(this.client, { number })
  }

  /** The header of block `hash`, checked (client/evm). */
  async headerByHash(hash: Uint8Array): Promise<FetchedEvmHeader> {
    return fetchEvmHeader(this.client, { hash })
  }

  /** Blocks in [from, to] with vault Deposit or Withdrawn logs, in order. */
  async vaultLogBlocks(from: bigint, to: bigint): Promise<VaultLogBlock[]> {
    const byHash = new Map<string, { number: bigint; hash: Uint8Array; depositTxs: Set<number>; withdrawnTxs: Set<number> }>()
    for (let a = from; a <= to; a += BigInt(LOG_RANGE)) {
      const b = a + BigInt(LOG_RANGE) - 1n < to ? a + BigInt(LOG_RANGE) - 1n : to
      const logs = await readSplitting(Number(a), Number(b), async (x, y) => {
        const got = await rpcCall(this.client, 'eth_getLogs', [{ address: this.vaultHex, fromBlock: toQuantity(x), toBlock: toQuantity(y), topics: [[toHex(DEPOSIT_TOPIC), toHex(WITHDRAWN_TOPIC)]] }])
        return got as { blockHash: string; blockNumber: string; transactionIndex: string; topics: string[]; removed?: boolean }[]
      })
      for (const l of logs) {
        if (l.removed === true) continue
        const key = l.blockHash.toLowerCase()
        let e = byHash.get(key)
        if (e === undefined) byHash.set(key, (e = { number: BigInt(l.blockNumber), hash: hexToBytes(key, 'block hash', 32), depositTxs: new Set(), withdrawnTxs: new Set() }))
        ;(l.topics[0]!.toLowerCase() === toHex(DEPOSIT_TOPIC) ? e.depositTxs : e.withdrawnTxs).add(Number(l.transactionIndex))
      }
    }
    return [...byHash.values()].sort((x, y) => (x.number < y.number ? -1 : x.number > y.number ? 1 : 0))
  }

  /** Whether the vault marked withdrawal `id` used (paid). */
  async used(id: bigint): Promise<boolean> {
    return this.client.readContract({ address: this.vaultHex, abi: Vault.abi, functionName: 'used', args: [id] })
  }

  /** Sends `withdraw(w, signatures)` from the member's account (simulated first: a revert throws, costs nothing). */
  async sendWithdraw(w: Withdrawal, signatures: readonly Hex[]): Promise<Hex> {
    const tuple = { sideChainId: w.sideChainId, id: w.id, token: toHex(w.token), recipient: toHex(w.recipient), amount: w.amount, epoch: w.epoch }
    const { request } = await this.client.simulateContract({ account: this.wallet.account, address: this.vaultHex, abi: Vault.abi, functionName: 'withdraw', args: [tuple, [...signatures]] })
    return this.wallet.writeContract(request as never)
  }
}
