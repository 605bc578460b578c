// The block store over a real LevelDB on disk: committing and reading blocks, receipts, certificates, the tx
// index and the supply ledger; logs by address and topic (OR lists, positions, ranges, the result limit); the
// mempool journal; refusal of a block that does not extend the head; and everything surviving close and reopen.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createBlock, type Block } from '@ethereumjs/block'
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { createAddressFromPrivateKey } from '@ethereumjs/util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { CausewayError } from '../../../spv/base/errors.js'
import { NodeDatabase } from '../../../sidechain/store/database.js'
import { ChainStore } from '../../../sidechain/chain/chain-store.js'
import { DEV_CHAIN_ID, createChainCommon } from '../../../sidechain/chain/params.js'
import type { LogFilter, StoredLog, StoredReceipt } from '../../../sidechain/node/api.js'
import type { Certificate } from '../../../sidechain/consensus/certificate.js'
import type { SupplyLedger } from '../../../sidechain/chain/supply.js'

const common = createChainCommon({ chainId: DEV_CHAIN_ID, name: 'dev' })
const KEY = hexToBytes('0x' + '5a'.repeat(32), 'key', 32)
const FROM = createAddressFromPrivateKey(KEY).bytes
const GAS_LIMIT = 30_000_000n

const addr = (b: number) => hexToBytes('0x' + b.toString(16).padStart(2, '0').repeat(20), 'address', 20)
const topic = (b: number) => hexToBytes('0x' + b.toString(16).padStart(2, '0').repeat(32), 'topic', 32)
const [A, B, C, D] = [addr(0xa1), addr(0xb2), addr(0xc3), addr(0xd4)]
const [T1, T2, T3, T4] = [topic(0x01), topic(0x02), topic(0x03), topic(0x04)]

interface LogSpec {
  readonly address: Uint8Array
  readonly topics: Uint8Array[]
}

let nonce = 0
function tx(): TypedTransaction {
  return createFeeMarket1559Tx(
    { nonce: BigInt(nonce++), maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 1n, gasLimit: 50_000n, to: toHex(D), value: 1n },
    { common },
  ).sign(KEY)
}

function genesisBlock(): Block {
  return createBlock({ header: { number: 0n, gasLimit: GAS_LIMIT, timestamp: 1_700_000_000n, baseFeePerGas: 10_000_000n, extraData: new TextEncoder().encode('causeway') } }, { common, setHardfork: false })
}

/** A child of `parent` with one transaction per entry of `logsPerTx`, and receipts carrying those logs. */
function child(parent: Block, logsPerTx: LogSpec[][], o: { number?: bigint; parentHash?: Uint8Array; txs?: TypedTransaction[] } = {}): { block: Block; receipts: StoredReceipt[] } {
  const txs = o.txs ?? logsPerTx.map(() => tx())
  const block = createBlock(
    {
      header: {
        number: o.number ?? parent.header.number + 1n,
        parentHash: o.parentHash ?? parent.hash(),
        gasLimit: GAS_LIMIT,
        gasUsed: 21_000n * BigInt(txs.length),
        timestamp: parent.header.timestamp + 1n,
        baseFeePerGas: 10_000_000n,
      },
      transactions: txs,
      withdrawals: [],
    },
    { common, setHardfork: false },
  )
  let logIndex = 0
  const receipts = txs.map((t, i): StoredReceipt => ({
    transactionHash: t.hash(),
    transactionIndex: i,
    blockHash: block.hash(),
    blockNumber: block.header.number,
    from: FROM,
    to: D,
    contractAddress: undefined,
    cumulativeGasUsed: 21_000n * BigInt(i + 1),
    gasUsed: 21_000n,
    effectiveGasPrice: 10_000_001n,
    status: i % 2 === 0 ? 1 : 0,
    logsBloom: new Uint8Array(256).fill(i),
    logs: logsPerTx[i]!.map((l) => ({
      address: l.address,
      topics: l.topics,
      data: new Uint8Array([i, logIndex]),
      blockNumber: block.header.number,
      blockHash: block.hash(),
      transactionHash: t.hash(),
      transactionIndex: i,
      logIndex: logIndex++,
    })),
    type: 2,
  }))
  return { block, receipts }
}

const cert = (block: Block, sigByte = 1): Certificate => ({
  height: block.header.number,
  round: 2,
  blockHash: block.hash(),
  signatures: [{ validator: 0, signature: new Uint8Array(64).fill(sigByte) }],
})
const ledger = (minted: bigint): SupplyLedger => ({ mintedWei: minted, burnedWei: 1n, unpeggedWei: 1000n })

async function expectRejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(CausewayError)
    expect((e as CausewayError).code).toBe(code)
    return
  }
  expect.fail(`expected ${code}, but it resolved`)
}

// Logs are named b<block>l<logIndex> below.
const LOGS: LogSpec[][][] = [
  // block 1: tx0 → l0 (A: T1 T2), l1 (B: T1); tx1 → l2 (A: T3)
  [[{ address: A, topics: [T1, T2] }, { address: B, topics: [T1] }], [{ address: A, topics: [T3] }]],
  // block 2: tx0 → l0 (B: T2 T1); tx1 → no logs
  [[{ address: B, topics: [T2, T1] }], []],
  // block 3: tx0 → l0 (A: T1 T1), l1 (C: no topics)
  [[{ address: A, topics: [T1, T1] }, { address: C, topics: [] }]],
]

let dir: string
let db: NodeDatabase
let store: ChainStore
let genesis: Block
const blocks: { block: Block; receipts: StoredReceipt[] }[] = []

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'causeway-chain-store-'))
  db = await NodeDatabase.open(dir)
  store = new ChainStore(db, common)
})

afterAll(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

const names = (logs: readonly StoredLog[]) => logs.map((l) => `b${l.blockNumber}l${l.logIndex}`)
const range = (fromBlock: bigint, toBlock: bigint, f: Partial<LogFilter> = {}): LogFilter => ({ fromBlock, toBlock, ...f })

describe('genesis and commits', () => {
  it('an empty store has no genesis and no head', async () => {
    expect(await store.open()).toBeUndefined()
    expect(() => store.head()).toThrow(CausewayError)
    try {
      store.head()
    } catch (e) {
      expect((e as CausewayError).code).toBe('NODE_NOT_INITIALIZED')
    }
    await expectRejects(store.supply(), 'NODE_NOT_INITIALIZED')
  })

  it('writes genesis once', async () => {
    genesis = genesisBlock()
    await store.initGenesis(genesis, ledger(0n))
    expect(store.head()).toEqual({ number: 0n, hash: genesis.hash() })
    await expectRejects(store.initGenesis(genesis, ledger(0n)), 'NODE_ALREADY_INITIALIZED')
    expect(await store.getReceipts(0n)).toEqual([])
  })

  it('commits three blocks and reads back blocks, receipts, certificates, the tx index and the supply', async () => {
    let parent = genesis
    for (let i = 0; i < LOGS.length; i++) {
      const b = child(parent, LOGS[i]!)
      await store.commit({ ...b, certificate: cert(b.block, i + 1), supply: ledger(BigInt(i + 1)) })
      blocks.push(b)
      parent = b.block
    }
    expect(store.head()).toEqual({ number: 3n, hash: blocks[2]!.block.hash() })
    for (const [i, { block, receipts }] of blocks.entries()) {
      const n = BigInt(i + 1)
      expect(toHex(await store.canonicalHash(n) ?? new Uint8Array())).toBe(toHex(block.hash()))
      expect(toHex((await store.getBlock(n))!.hash())).toBe(toHex(block.hash()))
      expect(toHex((await store.getBlockByHash(block.hash()))!.serialize())).toBe(toHex(block.serialize()))
      expect(await store.getReceipts(n)).toEqual(receipts)
      expect(await store.getCertificate(n)).toEqual(cert(block, i + 1))
      for (const [index, t] of block.transactions.entries()) expect(await store.txLocation(t.hash())).toEqual({ number: n, index })
    }
    expect(await store.canonicalHash(4n)).toBeUndefined()
    expect(await store.canonicalHash(-1n)).toBeUndefined()
    expect(await store.getBlock(4n)).toBeUndefined()
    expect(await store.getBlockByHash(new Uint8Array(32))).toBeUndefined()
    expect(await store.getReceipts(9n)).toBeUndefined()
    expect(await store.txLocation(new Uint8Array(32).fill(9))).toBeUndefined()
    expect(await store.supply()).toEqual(ledger(3n))
  })

  it('refuses a block that does not extend the head (NODE_NOT_CHILD_OF_HEAD) and changes nothing', async () => {
    const head = blocks[2]!.block
    const cases = [
      child(head, [[]], { number: 5n }), // skips a height
      child(head, [[]], { parentHash: blocks[1]!.block.hash() }), // right height, wrong parent
      child(blocks[1]!.block, [[]]), // a second block at height 3
      { block: head, receipts: blocks[2]!.receipts }, // the head again
    ]
    for (const b of cases) {
      await expectRejects(store.commit({ ...b, certificate: cert(b.block), supply: ledger(99n) }), 'NODE_NOT_CHILD_OF_HEAD')
    }
    expect(store.head()).toEqual({ number: 3n, hash: head.hash() })
    expect(await store.supply()).toEqual(ledger(3n))
    expect(toHex((await store.getBlock(3n))!.hash())).toBe(toHex(head.hash()))
    for (const b of cases.slice(0, 3)) expect(await store.txLocation(b.block.transactions[0]!.hash())).toBeUndefined()
  })
})

describe('getLogs', () => {
  const all = ['b1l0', 'b1l1', 'b1l2', 'b2l0', 'b3l0', 'b3l1']

  it('without criteria: every log of the range in order', async () => {
    expect(names(await store.getLogs(range(0n, 3n), 100))).toEqual(all)
    expect(names(await store.getLogs(range(2n, 2n), 100))).toEqual(['b2l0'])
    expect(names(await store.getLogs(range(3n, 2n), 100))).toEqual([])
    expect(names(await store.getLogs(range(4n, 9n), 100))).toEqual([])
  })

  it('by address, one or any of several', async () => {
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [A] }), 100))).toEqual(['b1l0', 'b1l2', 'b3l0'])
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [C, A] }), 100))).toEqual(['b1l0', 'b1l2', 'b3l0', 'b3l1'])
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [D] }), 100))).toEqual([])
    expect(names(await store.getLogs(range(2n, 3n, { addresses: [A] }), 100))).toEqual(['b3l0'])
    expect(names(await store.getLogs(range(1n, 1n, { addresses: [A, B] }), 100))).toEqual(['b1l0', 'b1l1', 'b1l2'])
  })

  it('by topic at a position, with OR lists and null wildcards', async () => {
    expect(names(await store.getLogs(range(0n, 3n, { topics: [T1] }), 100))).toEqual(['b1l0', 'b1l1', 'b3l0'])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [null, T1] }), 100))).toEqual(['b2l0', 'b3l0'])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [[T2, T3]] }), 100))).toEqual(['b1l2', 'b2l0'])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [T1, T2] }), 100))).toEqual(['b1l0'])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [T1, [T1, T2]] }), 100))).toEqual(['b1l0', 'b3l0'])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [null, null, T1] }), 100))).toEqual([])
    expect(names(await store.getLogs(range(0n, 3n, { topics: [T4] }), 100))).toEqual([])
    expect(names(await store.getLogs(range(2n, 3n, { topics: [T1] }), 100))).toEqual(['b3l0'])
    // geth: more topic positions than the log has topics never match, wildcards included.
    expect(names(await store.getLogs(range(0n, 3n, { topics: [null] }), 100))).toEqual(all.filter((n) => n !== 'b3l1'))
    expect(names(await store.getLogs(range(0n, 3n, { topics: [null, null] }), 100))).toEqual(['b1l0', 'b2l0', 'b3l0'])
  })

  it('an empty OR list at a position is a wildcard, as in geth (the log still needs a topic there)', async () => {
    expect(names(await store.getLogs(range(0n, 3n, { topics: [[]] }), 100))).toEqual(all.filter((n) => n !== 'b3l1'))
    expect(names(await store.getLogs(range(0n, 3n, { topics: [[], T1] }), 100))).toEqual(['b2l0', 'b3l0'])
  })

  it('address and topics together', async () => {
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [B], topics: [T2] }), 100))).toEqual(['b2l0'])
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [A, B], topics: [T1] }), 100))).toEqual(['b1l0', 'b1l1', 'b3l0'])
    expect(names(await store.getLogs(range(0n, 3n, { addresses: [C], topics: [T1] }), 100))).toEqual([])
  })

  it('returns exactly `limit` logs, and one more is RPC_LIMIT_EXCEEDED', async () => {
    expect(await store.getLogs(range(0n, 3n), 6)).toHaveLength(6)
    await expectRejects(store.getLogs(range(0n, 3n), 5), 'RPC_LIMIT_EXCEEDED')
    expect(await store.getLogs(range(0n, 3n, { addresses: [A] }), 3)).toHaveLength(3)
    await expectRejects(store.getLogs(range(0n, 3n, { addresses: [A] }), 2), 'RPC_LIMIT_EXCEEDED')
    await expectRejects(store.getLogs(range(0n, 3n, { topics: [T1] }), 2), 'RPC_LIMIT_EXCEEDED')
  })

  it('answers a one-block range whole past `limit` (its gas bounds it), so a reader splitting a refused range ends', async () => {
    await expectRejects(store.getLogs(range(1n, 2n), 2), 'RPC_LIMIT_EXCEEDED')
    expect(names(await store.getLogs(range(1n, 1n), 2))).toEqual(['b1l0', 'b1l1', 'b1l2'])
  })

  it('logs carry their block, transaction and data', async () => {
    const [log] = await store.getLogs(range(2n, 2n), 10)
    expect(log).toEqual(blocks[1]!.receipts[0]!.logs[0])
    expect(toHex(log!.transactionHash)).toBe(toHex(blocks[1]!.block.transactions[0]!.hash()))
  })
})

describe('the mempool journal', () => {
  it('puts, iterates and deletes raw transactions; a committed block removes its own', async () => {
    const pending = [tx(), tx(), tx()]
    for (const t of pending) await store.journalPut(t.hash(), t.serialize())
    const journaled = async () => {
      const out: string[] = []
      for await (const raw of store.journal()) out.push(toHex(raw))
      return out.sort()
    }
    expect(await journaled()).toEqual(pending.map((t) => toHex(t.serialize())).sort())
    await store.journalDelete([pending[0]!.hash()])
    await store.journalDelete([])
    expect(await journaled()).toEqual(pending.slice(1).map((t) => toHex(t.serialize())).sort())
    // Block 4 includes pending[1]: its journal entry goes in the same batch.
    const { block, receipts } = child(blocks[2]!.block, [[]], { txs: [pending[1]!] })
    await store.commit({ block, receipts, certificate: cert(block), supply: ledger(4n) })
    blocks.push({ block, receipts })
    expect(await journaled()).toEqual([toHex(pending[2]!.serialize())])
    expect(await store.txLocation(pending[1]!.hash())).toEqual({ number: 4n, index: 0 })
  })
})

describe('close and reopen', () => {
  it('a reopened store has the same genesis, head, blocks, receipts, logs, certificates, supply and journal', async () => {
    const headBefore = store.head()
    const journalBefore: string[] = []
    for await (const raw of store.journal()) journalBefore.push(toHex(raw))
    const logsBefore = await store.getLogs(range(0n, 4n), 100)
    await db.close()

    db = await NodeDatabase.open(dir)
    store = new ChainStore(db, common) // fresh caches: everything below comes from disk
    expect(toHex((await store.open())!)).toBe(toHex(genesis.hash()))
    expect(store.head()).toEqual(headBefore)
    for (const [i, { block, receipts }] of blocks.entries()) {
      const n = BigInt(i + 1)
      const read = (await store.getBlock(n))!
      expect(toHex(read.hash())).toBe(toHex(block.hash()))
      expect(read.transactions.map((t) => toHex(t.hash()))).toEqual(block.transactions.map((t) => toHex(t.hash())))
      expect(await store.getReceipts(n)).toEqual(receipts)
      expect((await store.getCertificate(n))?.blockHash).toEqual(block.hash())
    }
    expect(await store.getLogs(range(0n, 4n), 100)).toEqual(logsBefore)
    expect(names(await store.getLogs(range(0n, 4n, { addresses: [B] }), 100))).toEqual(['b1l1', 'b2l0'])
    expect(await store.supply()).toEqual(ledger(4n))
    const journalAfter: string[] = []
    for await (const raw of store.journal()) journalAfter.push(toHex(raw))
    expect(journalAfter).toEqual(journalBefore)
    // And it goes on: the next block commits on the reopened head.
    const next = child(blocks[3]!.block, [[{ address: B, topics: [T4] }]])
    await store.commit({ ...next, certificate: cert(next.block), supply: ledger(5n) })
    expect(names(await store.getLogs(range(0n, 5n, { topics: [T4] }), 100))).toEqual(['b5l0'])
  })

  it('a second opener of the same directory is refused with NODE_DATADIR_LOCKED', async () => {
    await expectRejects(NodeDatabase.open(dir), 'NODE_DATADIR_LOCKED')
  })
})
