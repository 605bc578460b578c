// An in-memory NodeApi for tests of the node's edges (JSON-RPC, REST): real ethereumjs blocks and signed
// transactions on a Prague custom chain, made-up receipts and logs, and hooks to make any method fail.
import { createBlock, type Block } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import {
  createAccessList2930Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  createTxFromRLP,
  type TypedTransaction,
} from '@ethereumjs/tx'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { CausewayError } from '../../spv/base/errors.js'
import { bigIntToBytesBE, equalBytes, hexToBytes, toHex } from '../../spv/base/bytes.js'
import type {
  AccountProof,
  BlockTag,
  CallRequest,
  CallResult,
  FeeHistory,
  LogFilter,
  NodeApi,
  NodeEvents,
  StoredLog,
  StoredReceipt,
  SupplyReport,
  SyncStatus,
  TransactionLookup,
} from '../../sidechain/node/api.js'
import { gasPriceOf } from '../../sidechain/rpc/format.js'

export const CHAIN_ID = 0x43415553n // "CAUS"
export const common = createCustomCommon({ chainId: Number(CHAIN_ID), name: 'causeway-test' }, Mainnet, {
  hardfork: Hardfork.Prague,
})

/** A well-known test key (never use it for anything real). */
export const SENDER_KEY = hexToBytes('0x' + '11'.repeat(32), 'key', 32)
export const SENDER = createAddressFromPrivateKey(SENDER_KEY).bytes
export const RECIPIENT = hexToBytes('0x' + '22'.repeat(20), 'recipient', 20)
export const TOKEN = hexToBytes('0x' + '33'.repeat(20), 'token', 20)
/** keccak256("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = hexToBytes('0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', 'topic', 32)
export const GWEI = 1_000_000_000n
export const BASE_FEE = GWEI

const word = (v: bigint): Uint8Array => bigIntToBytesBE(v, 32)
const pad = (address: Uint8Array): Uint8Array => word(BigInt(toHex(address)))

/** A signed transaction from SENDER; `kind` picks the EIP-2718 type. Calls to TOKEN get a Transfer log. */
export function signedTx(nonce: number, kind: 'legacy' | '2930' | '1559' = '1559', to: Uint8Array = RECIPIENT): TypedTransaction {
  const base = { nonce, gasLimit: 60_000n, to: toHex(to), value: 1000n + BigInt(nonce), data: to === TOKEN ? hexToBytes('0xa9059cbb') : new Uint8Array() }
  if (kind === 'legacy') return createLegacyTx({ ...base, gasPrice: 3n * GWEI }, { common }).sign(SENDER_KEY)
  if (kind === '2930') {
    const accessList = [{ address: toHex(TOKEN), storageKeys: [toHex(word(1n))] }]
    return createAccessList2930Tx({ ...base, gasPrice: 2n * GWEI, accessList }, { common }).sign(SENDER_KEY)
  }
  return createFeeMarket1559Tx({ ...base, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: GWEI }, { common }).sign(SENDER_KEY)
}

type Hooks = Partial<{ [K in keyof NodeApi]: NodeApi[K] extends (...args: infer A) => infer R ? (...args: A) => R : never }>

export class FakeNode implements NodeApi {
  readonly chainId = CHAIN_ID
  readonly clientVersion = 'causeway/v0.1.0-test'
  readonly blocks: Block[] = []
  readonly receipts: StoredReceipt[][] = []
  readonly pending = new Map<string, TypedTransaction>()
  readonly balances = new Map<string, bigint>()
  finalized = 0n
  sync: SyncStatus | false = false
  /** Replace any method (e.g. make sendRawTransaction throw a coded refusal). */
  hooks: Hooks = {}
  private readonly listeners = new Set<NodeEvents>()

  constructor() {
    this.mine([])
    this.balances.set(toHex(SENDER), 10n ** 21n)
  }

  get listenerCount(): number {
    return this.listeners.size
  }

  /** Appends a block with `txs` (and their receipts) and tells subscribers. */
  mine(txs: readonly TypedTransaction[]): Block {
    const parent = this.blocks[this.blocks.length - 1]
    const number = BigInt(this.blocks.length)
    const block = createBlock(
      {
        header: {
          number,
          parentHash: parent?.hash(),
          timestamp: 1_700_000_000n + number,
          gasLimit: 30_000_000n,
          gasUsed: 21_000n * BigInt(txs.length),
          baseFeePerGas: BASE_FEE,
          coinbase: toHex(hexToBytes('0x' + 'fe'.repeat(20))),
          extraData: '0xca',
        },
        transactions: [...txs],
      },
      { common },
    )
    const hash = block.hash()
    let logIndex = 0
    const receipts = txs.map((tx, i): StoredReceipt => {
      const txHash = tx.hash()
      const logs: StoredLog[] =
        tx.to !== undefined && equalBytes(tx.to.bytes, TOKEN)
          ? [{ address: TOKEN, topics: [TRANSFER_TOPIC, pad(SENDER), pad(RECIPIENT)], data: word(tx.value), blockNumber: number, blockHash: hash, transactionHash: txHash, transactionIndex: i, logIndex: logIndex++ }]
          : []
      this.pending.delete(toHex(txHash))
      return {
        transactionHash: txHash,
        transactionIndex: i,
        blockHash: hash,
        blockNumber: number,
        from: tx.getSenderAddress().bytes,
        to: tx.to?.bytes,
        contractAddress: undefined,
        cumulativeGasUsed: 21_000n * BigInt(i + 1),
        gasUsed: 21_000n,
        effectiveGasPrice: gasPriceOf(tx, { blockHash: hash, blockNumber: number, index: i, baseFeePerGas: BASE_FEE }),
        status: 1,
        logsBloom: new Uint8Array(256),
        logs,
        type: tx.type,
      }
    })
    this.blocks.push(block)
    this.receipts.push(receipts)
    for (const l of this.listeners) l.onBlock?.(block, receipts)
    return block
  }

  /** Puts a transaction in the "mempool" and tells subscribers. */
  addPending(tx: TypedTransaction): Uint8Array {
    this.pending.set(toHex(tx.hash()), tx)
    for (const l of this.listeners) l.onPendingTransaction?.(tx.hash())
    return tx.hash()
  }

  blockNumber(): bigint {
    return this.hooks.blockNumber?.() ?? BigInt(this.blocks.length - 1)
  }
  finalizedNumber(): bigint {
    return this.finalized
  }
  resolveBlockTag(tag: BlockTag): bigint {
    const head = this.blockNumber()
    if (tag === 'latest' || tag === 'pending') return head
    if (tag === 'earliest') return 0n
    if (tag === 'safe' || tag === 'finalized') return this.finalized
    if (tag > head) throw new CausewayError('RPC_UNKNOWN_BLOCK', `block ${tag} is past the head ${head}`)
    return tag
  }
  async getBlock(number: bigint): Promise<Block | undefined> {
    if (this.hooks.getBlock) return this.hooks.getBlock(number)
    return this.blocks[Number(number)]
  }
  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.blocks.find((b) => equalBytes(b.hash(), hash))
  }
  async getTransaction(hash: Uint8Array): Promise<TransactionLookup | undefined> {
    for (const block of this.blocks) {
      const index = block.transactions.findIndex((t) => equalBytes(t.hash(), hash))
      const tx = block.transactions[index]
      if (tx !== undefined) return { tx, blockHash: block.hash(), blockNumber: block.header.number, index }
    }
    const tx = this.pending.get(toHex(hash))
    return tx === undefined ? undefined : { tx }
  }
  async getReceipt(hash: Uint8Array): Promise<StoredReceipt | undefined> {
    return this.receipts.flat().find((r) => equalBytes(r.transactionHash, hash))
  }
  async getBlockReceipts(number: bigint): Promise<readonly StoredReceipt[] | undefined> {
    return this.receipts[Number(number)]
  }
  async getLogs(filter: LogFilter): Promise<readonly StoredLog[]> {
    if (this.hooks.getLogs) return this.hooks.getLogs(filter)
    const out: StoredLog[] = []
    for (let n = filter.fromBlock; n <= filter.toBlock; n++) {
      for (const log of (this.receipts[Number(n)] ?? []).flatMap((r) => r.logs)) {
        const addresses = filter.addresses ?? []
        if (addresses.length > 0 && !addresses.some((a) => equalBytes(a, log.address))) continue
        const topicsOk = (filter.topics ?? []).every((want, i) => {
          if (want === null) return true
          const have = log.topics[i]
          const options = want instanceof Uint8Array ? [want] : want
          return have !== undefined && options.some((t) => equalBytes(t, have))
        })
        if (topicsOk) out.push(log)
      }
    }
    return out
  }
  async getBalance(address: Uint8Array, block: bigint): Promise<bigint> {
    if (this.hooks.getBalance) return this.hooks.getBalance(address, block)
    return this.balances.get(toHex(address)) ?? 0n
  }
  async getCode(address: Uint8Array): Promise<Uint8Array> {
    return equalBytes(address, TOKEN) ? hexToBytes('0x6080604052') : new Uint8Array()
  }
  async getStorageAt(_address: Uint8Array, slot: Uint8Array): Promise<Uint8Array> {
    return word(BigInt(toHex(slot)) + 7n)
  }
  async getTransactionCount(address: Uint8Array, block: bigint | 'pending'): Promise<bigint> {
    const mined = BigInt(this.blocks.flatMap((b) => b.transactions).filter((t) => equalBytes(t.getSenderAddress().bytes, address)).length)
    return block === 'pending' ? mined + BigInt(this.pending.size) : mined
  }
  async call(request: CallRequest, block: bigint): Promise<CallResult> {
    if (this.hooks.call) return this.hooks.call(request, block)
    return { returnValue: word(42n), gasUsed: 21_000n, reverted: false }
  }
  async estimateGas(request: CallRequest, block: bigint): Promise<bigint> {
    if (this.hooks.estimateGas) return this.hooks.estimateGas(request, block)
    return 21_000n
  }
  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    if (this.hooks.sendRawTransaction) return this.hooks.sendRawTransaction(raw)
    return this.addPending(createTxFromRLP(raw, { common }))
  }
  async gasPrice(): Promise<bigint> {
    return 2n * GWEI
  }
  async maxPriorityFeePerGas(): Promise<bigint> {
    return GWEI
  }
  async feeHistory(blockCount: number, newest: bigint, percentiles: readonly number[] | undefined): Promise<FeeHistory> {
    const oldest = newest - BigInt(blockCount) + 1n < 0n ? 0n : newest - BigInt(blockCount) + 1n
    const n = Number(newest - oldest) + 1
    return {
      oldestBlock: oldest,
      baseFeePerGas: Array.from({ length: n + 1 }, () => BASE_FEE),
      gasUsedRatio: Array.from({ length: n }, () => 0.5),
      ...(percentiles === undefined ? {} : { reward: Array.from({ length: n }, () => percentiles.map(() => GWEI)) }),
    }
  }
  async getProof(address: Uint8Array, slots: readonly Uint8Array[]): Promise<AccountProof> {
    return {
      address,
      balance: await this.getBalance(address, 0n),
      nonce: 3n,
      codeHash: word(0xc0den),
      storageHash: word(0x5703n),
      accountProof: [hexToBytes('0xf851')],
      storageProof: slots.map((key) => ({ key, value: 9n, proof: [hexToBytes('0xe2')] })),
    }
  }
  syncing(): SyncStatus | false {
    return this.sync
  }
  async supply(): Promise<SupplyReport> {
    return { totalWei: 3n * 10n ** 18n, peggedWei: 10n ** 18n, unpeggedWei: 2n * 10n ** 18n }
  }
  subscribe(events: NodeEvents): () => void {
    const entry = { ...events }
    this.listeners.add(entry)
    return () => this.listeners.delete(entry)
  }
}

/** A node with blocks 1 (EIP-1559 + legacy transfers) and 2 (an EIP-2930 and an EIP-1559 call to TOKEN, with logs). */
export function fakeChain(): FakeNode {
  const node = new FakeNode()
  node.mine([signedTx(0, '1559'), signedTx(1, 'legacy')])
  node.mine([signedTx(2, '2930', TOKEN), signedTx(3, '1559', TOKEN)])
  node.finalized = 1n
  return node
}
