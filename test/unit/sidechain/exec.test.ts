// Block execution over a real LevelDB state (NodeDatabase in a temporary directory): fees all reach the fee
// address and nothing is minted or burned, a built block replays to the same hash on another node's state, a
// tampered block is refused with EXEC_INVALID_BLOCK, build mode skips what cannot run, and the EIP-1559 base fee
// with the chain's floor.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createBlock, createBlockHeader, type Block } from '@ethereumjs/block'
import { openState } from '../../../sidechain/exec/state-trie.js'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createFeeMarket1559Tx, createLegacyTx, createLegacyTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import type { WithdrawalData } from '@ethereumjs/util'
import { Address, createAddressFromPrivateKey } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import { afterAll, describe, expect, it } from 'vitest'
import { equalBytes, hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { CausewayError } from '../../../spv/base/errors.js'
import { NodeDatabase } from '../../../sidechain/store/database.js'
import { buildGenesis } from '../../../sidechain/chain/genesis.js'
import { BRIDGE_ADDRESS, DEV_CHAIN_ID, createChainCommon, nextBaseFee, type ChainParams } from '../../../sidechain/chain/params.js'
import { executeBlock } from '../../../sidechain/exec/execute.js'
import { BEACON_ROOTS_ADDRESS, HISTORY_STORAGE_ADDRESS } from '../../../sidechain/chain/system-contracts.js'
import { Node } from '../../../sidechain/node/node.js'
import type { Certificate } from '../../../sidechain/consensus/certificate.js'

const GWEI = 1_000_000_000n
const ETHER = 10n ** 18n
const KEYS = [1, 2, 3].map((i) => hexToBytes('0x' + (0x40 + i).toString(16).repeat(32), 'key', 32))
const ADDR = KEYS.map((k) => createAddressFromPrivateKey(k).bytes)
const FEE_ADDRESS = hexToBytes('0x' + 'fe'.repeat(20), 'fee', 20)
const RECIPIENT = hexToBytes('0x' + 'ab'.repeat(20), 'recipient', 20)

const PARAMS: ChainParams = Object.freeze({
  name: 'exec-test',
  chainId: DEV_CHAIN_ID,
  gasLimit: 30_000_000n,
  minBaseFee: 10_000_000n,
  feeAddress: FEE_ADDRESS,
  genesisTime: 1_700_000_000n,
})
const ALLOC = ADDR.map((address) => ({ address, balance: 10n * ETHER }))
const common = createChainCommon(PARAMS)

const dirs: string[] = []
const dbs: NodeDatabase[] = []
const nodes: Node[] = []
afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => undefined)
  for (const d of dbs) await d.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'causeway-exec-'))
  dirs.push(d)
  return d
}

interface Chain {
  readonly vm: VM
  readonly state: MerkleStateManager
  readonly genesis: Block
  readonly params: ChainParams
}

/** A fresh chain's state in LevelDB on disk, at its genesis, with a VM over it (as Node.open builds it). */
async function openChain(params: ChainParams = PARAMS): Promise<Chain> {
  const db = await NodeDatabase.open(tempDir())
  dbs.push(db)
  const c = createChainCommon(params)
  const state = await openState(db.stateDB())
  const genesis = await buildGenesis(c, state, params, ALLOC)
  const zero = { hash: () => new Uint8Array(32) }
  const blockchain = { getBlock: async () => zero, putBlock: async () => {}, shallowCopy() { return this } }
  const vm = await createVM({ common: c, stateManager: state, blockchain: blockchain as never })
  return { vm, state, genesis, params }
}

function transfer(key: number, nonce: number, o: { tip?: bigint; maxFee?: bigint; value?: bigint; to?: Uint8Array } = {}): TypedTransaction {
  return createFeeMarket1559Tx(
    { nonce: BigInt(nonce), maxFeePerGas: o.maxFee ?? 5n * GWEI, maxPriorityFeePerGas: o.tip ?? GWEI, gasLimit: 21_000n, to: toHex(o.to ?? RECIPIENT), value: o.value ?? 1000n },
    { common },
  ).sign(KEYS[key]!)
}

const balance = async (chain: Chain, address: Uint8Array) => (await chain.state.getAccount(new Address(address)))?.balance ?? 0n
const every = [...ADDR, FEE_ADDRESS, RECIPIENT, BRIDGE_ADDRESS]
const sumOfBalances = async (chain: Chain, extra: Uint8Array[] = []) => {
  let s = 0n
  for (const a of [...every, ...extra]) s += await balance(chain, a)
  return s
}

/** What a transaction pays per gas above the base fee (EIP-1559), from its own fields. */
function tipOf(tx: TypedTransaction, baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx && typeof tx.maxFeePerGas === 'bigint') {
    const room = tx.maxFeePerGas - baseFee
    return tx.maxPriorityFeePerGas < room ? tx.maxPriorityFeePerGas : room
  }
  return (tx as unknown as { gasPrice: bigint }).gasPrice - baseFee
}

const certificate = (block: Block): Certificate => ({ height: block.header.number, round: 0, blockHash: block.hash(), signatures: [] })

describe('fees and supply', () => {
  it('the fee address receives exactly gasUsed × baseFee + tips; nothing is burned, no block reward', async () => {
    const chain = await openChain()
    const baseFee = nextBaseFee(chain.genesis.header, PARAMS)
    expect(baseFee).toBe(PARAMS.minBaseFee)
    const txs: TypedTransaction[] = [
      transfer(0, 0, { tip: 2n * GWEI, maxFee: 10n * GWEI }), // tip below the cap's room
      transfer(1, 0, { tip: baseFee + 7n, maxFee: baseFee + 7n }), // tip capped at 7 wei by the fee cap
      createLegacyTx({ nonce: 0n, gasPrice: 3n * GWEI, gasLimit: 21_000n, to: toHex(RECIPIENT), value: 5n }, { common }).sign(KEYS[2]!),
      // A contract creation whose init code reverts: it fails, and still pays for its gas.
      createFeeMarket1559Tx({ nonce: 1n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100_000n, data: hexToBytes('0x60006000fd') }, { common }).sign(KEYS[0]!),
    ]
    const before = new Map<string, bigint>()
    for (const a of every) before.set(toHex(a), await balance(chain, a))
    const supplyBefore = await sumOfBalances(chain)

    const { block, executed, skipped } = await executeBlock(chain.vm, PARAMS, chain.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
    expect(skipped).toEqual([])
    expect(executed).toHaveLength(4)
    expect(executed[3]!.result.execResult.exceptionError).toBeDefined() // the creation reverted
    expect(block.header.baseFeePerGas).toBe(baseFee)
    expect(equalBytes(block.header.coinbase.bytes, FEE_ADDRESS)).toBe(true)

    const gasUsed = executed.reduce((s, e) => s + e.gasUsed, 0n)
    expect(block.header.gasUsed).toBe(gasUsed)
    const tips = executed.reduce((s, e) => s + e.gasUsed * tipOf(e.tx, baseFee), 0n)
    expect(tips).toBeGreaterThan(0n)
    const feeGain = (await balance(chain, FEE_ADDRESS)) - before.get(toHex(FEE_ADDRESS))!
    expect(feeGain).toBe(gasUsed * baseFee + tips)
    // Each sender lost value + gas × (base fee + tip); the recipient got the values; the sum is unchanged.
    const values = executed.reduce((s, e) => s + e.tx.value, 0n)
    const spent = executed.reduce((s, e) => s + e.tx.value + e.gasUsed * (baseFee + tipOf(e.tx, baseFee)), 0n)
    let lost = 0n
    for (const a of ADDR) lost += before.get(toHex(a))! - (await balance(chain, a))
    expect(lost).toBe(spent)
    expect((await balance(chain, RECIPIENT)) - before.get(toHex(RECIPIENT))!).toBe(values - 0n)
    expect(await sumOfBalances(chain)).toBe(supplyBefore)
    expect(await chain.state.getStateRoot()).toEqual(block.header.stateRoot)
  })

  it('an empty block changes no balance; only the Prague system contracts record the parent hash and the time', async () => {
    const chain = await openChain()
    const accounts = [...ADDR, FEE_ADDRESS].map((a) => new Address(a))
    const before = await Promise.all(accounts.map(async (a) => (await chain.state.getAccount(a))?.balance ?? 0n))
    const timestamp = PARAMS.genesisTime + 1n
    const { block } = await executeBlock(chain.vm, PARAMS, chain.genesis, [], { timestamp }, 'build')
    expect(block.header.gasUsed).toBe(0n)
    expect(await Promise.all(accounts.map(async (a) => (await chain.state.getAccount(a))?.balance ?? 0n))).toEqual(before)
    // EIP-2935: slot (number − 1) % 8191 holds the parent's hash; EIP-4788: slot timestamp % 8191 the timestamp.
    const slot = (n: bigint) => hexToBytes('0x' + n.toString(16).padStart(64, '0'))
    const history = new Address(HISTORY_STORAGE_ADDRESS)
    expect(toHex(await chain.state.getStorage(history, slot(0n)))).toBe(toHex(chain.genesis.hash()))
    const beacon = new Address(BEACON_ROOTS_ADDRESS)
    expect(BigInt(toHex(await chain.state.getStorage(beacon, slot(timestamp % 8191n))))).toBe(timestamp)
    expect(toHex(block.header.stateRoot)).not.toBe(toHex(chain.genesis.header.stateRoot))
  })
})

describe('build and replay', () => {
  it('a built block replays on another node’s state to the same hash and state root', async () => {
    const a = await openChain()
    const b = await openChain()
    expect(toHex(a.genesis.hash())).toBe(toHex(b.genesis.hash()))
    const txs = [transfer(0, 0), transfer(0, 1), transfer(1, 0, { tip: 3n * GWEI }), transfer(2, 0, { value: 77n })]
    const inputs = { timestamp: PARAMS.genesisTime + 5n, extraData: new TextEncoder().encode('proposer 0') }
    const built = await executeBlock(a.vm, PARAMS, a.genesis, txs, inputs, 'build')
    expect(built.block.transactions).toHaveLength(4)
    const replayed = await executeBlock(b.vm, PARAMS, b.genesis, built.block.transactions, { timestamp: built.block.header.timestamp, extraData: built.block.header.extraData }, 'replay')
    expect(toHex(replayed.block.hash())).toBe(toHex(built.block.hash()))
    expect(toHex(await b.state.getStateRoot())).toBe(toHex(built.block.header.stateRoot))
    // A second block on top, too.
    const next = await executeBlock(a.vm, PARAMS, built.block, [transfer(0, 2)], { timestamp: inputs.timestamp + 1n }, 'build')
    const next2 = await executeBlock(b.vm, PARAMS, replayed.block, next.block.transactions, { timestamp: next.block.header.timestamp }, 'replay')
    expect(toHex(next2.block.hash())).toBe(toHex(next.block.hash()))
  })

  it('build mode skips a transaction with a bad nonce or too little balance and keeps the rest', async () => {
    const chain = await openChain()
    const poor = createFeeMarket1559Tx({ nonce: 0n, maxFeePerGas: GWEI, maxPriorityFeePerGas: 0n, gasLimit: 21_000n, to: toHex(RECIPIENT), value: 11n * ETHER }, { common }).sign(KEYS[2]!)
    const txs = [transfer(0, 0), transfer(0, 5), transfer(0, 0, { value: 9n }), poor, transfer(1, 0)]
    const { block, executed, skipped } = await executeBlock(chain.vm, PARAMS, chain.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
    expect(block.transactions.map((t) => toHex(t.hash()))).toEqual([txs[0]!, txs[4]!].map((t) => toHex(t.hash())))
    expect(executed).toHaveLength(2)
    expect(skipped.map((s) => toHex(s.tx.hash()))).toEqual([txs[1]!, txs[2]!, poor].map((t) => toHex(t.hash())))
    expect(toHex(await chain.state.getStateRoot())).toBe(toHex(block.header.stateRoot))
  })

  it('build mode leaves out what does not fit the block gas (EXEC_BLOCK_FULL), replay refuses it as an invalid block', async () => {
    const small = { ...PARAMS, gasLimit: 100_000n }
    const chain = await openChain(small)
    const txs = [0, 1, 2, 3, 4].map((n) => transfer(0, n))
    const { block, skipped } = await executeBlock(chain.vm, small, chain.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
    expect(block.transactions).toHaveLength(4)
    expect(skipped.map((s) => (s.error as CausewayError).code)).toEqual(['EXEC_BLOCK_FULL'])
    const other = await openChain(small)
    await expectRejects(executeBlock(other.vm, small, other.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'replay'), 'EXEC_INVALID_BLOCK')
    expect(toHex(await other.state.getStateRoot())).toBe(toHex(other.genesis.header.stateRoot))
  })

  it('replay refuses a block whose transaction cannot run (bad nonce, reordered nonces) and reverts to the parent state', async () => {
    const chain = await openChain()
    const root = toHex(chain.genesis.header.stateRoot)
    const t = { timestamp: PARAMS.genesisTime + 1n }
    await expectRejects(executeBlock(chain.vm, PARAMS, chain.genesis, [transfer(0, 0), transfer(0, 5)], t, 'replay'), 'EXEC_INVALID_BLOCK')
    expect(toHex(await chain.state.getStateRoot())).toBe(root)
    await expectRejects(executeBlock(chain.vm, PARAMS, chain.genesis, [transfer(0, 1), transfer(0, 0)], t, 'replay'), 'EXEC_INVALID_BLOCK')
    expect(toHex(await chain.state.getStateRoot())).toBe(root)
    await expectRejects(executeBlock(chain.vm, PARAMS, chain.genesis, [transfer(0, 0), transfer(0, 0, { value: 2n })], t, 'replay'), 'EXEC_INVALID_BLOCK')
    expect(toHex(await chain.state.getStateRoot())).toBe(root)
    // And the state is usable afterwards: the valid block still executes.
    const ok = await executeBlock(chain.vm, PARAMS, chain.genesis, [transfer(0, 0)], t, 'replay')
    expect(ok.block.transactions).toHaveLength(1)
  })

  it('a timestamp not after the parent’s is EXEC_INVALID_BLOCK', async () => {
    const chain = await openChain()
    await expectRejects(executeBlock(chain.vm, PARAMS, chain.genesis, [], { timestamp: PARAMS.genesisTime }, 'build'), 'EXEC_INVALID_BLOCK')
  })
})

describe('Node.replay: a validator re-executing a proposed block', () => {
  async function openNode(): Promise<Node> {
    const node = await Node.open({ datadir: tempDir(), params: PARAMS, alloc: ALLOC })
    nodes.push(node)
    return node
  }

  /** A block different from `block` in the given ways, otherwise the same header fields. */
  function tampered(block: Block, o: { stateRoot?: Uint8Array; transactions?: TypedTransaction[]; withdrawals?: WithdrawalData[] }): Block {
    const h = block.header
    return createBlock(
      {
        header: {
          parentHash: h.parentHash, number: h.number, timestamp: h.timestamp, gasLimit: h.gasLimit, gasUsed: h.gasUsed,
          baseFeePerGas: h.baseFeePerGas, coinbase: h.coinbase.bytes, difficulty: h.difficulty, mixHash: h.mixHash,
          extraData: h.extraData, withdrawalsRoot: h.withdrawalsRoot, blobGasUsed: h.blobGasUsed, excessBlobGas: h.excessBlobGas,
          parentBeaconBlockRoot: h.parentBeaconBlockRoot, requestsHash: h.requestsHash, logsBloom: h.logsBloom,
          receiptTrie: h.receiptTrie, transactionsTrie: h.transactionsTrie, stateRoot: o.stateRoot ?? h.stateRoot,
        },
        transactions: o.transactions ?? block.transactions,
        withdrawals: o.withdrawals ?? [],
      },
      { common, setHardfork: false },
    )
  }

  it('accepts the proposer’s block and refuses a changed state root, changed order or an extra transaction', async () => {
    const proposer = await openNode()
    const validator = await openNode()
    const txs = [transfer(0, 0), transfer(1, 0), transfer(1, 1)]
    for (const t of txs) await proposer.sendRawTransaction(t.serialize())
    const candidate = await proposer.exclusive(() => proposer.buildCandidate(PARAMS.genesisTime + 1n))
    const block = candidate.executed.block
    expect(block.transactions).toHaveLength(3)
    // The same header fields rebuild the same hash (the tamper helper is faithful).
    expect(toHex(tampered(block, {}).hash())).toBe(toHex(block.hash()))

    const bad = [
      tampered(block, { stateRoot: new Uint8Array(32).fill(7) }),
      tampered(block, { transactions: [block.transactions[1]!, block.transactions[2]!, block.transactions[0]!] }), // still runnable: another order
      tampered(block, { transactions: [...block.transactions, transfer(2, 0)] }), // runnable extra transaction
      tampered(block, { transactions: [...block.transactions, transfer(0, 0, { value: 3n })] }), // extra with a used nonce
    ]
    for (const b of bad) {
      await expectRejects(validator.exclusive(() => validator.replay(b)), 'EXEC_INVALID_BLOCK')
      expect(validator.blockNumber()).toBe(0n)
    }
    const replayed = await validator.exclusive(() => validator.replay(block))
    expect(toHex(replayed.executed.block.hash())).toBe(toHex(block.hash()))
    await validator.exclusive(() => validator.commit(replayed, certificate(block)))
    await proposer.exclusive(() => proposer.commit(candidate, certificate(block)))
    expect(toHex((await validator.headBlock()).hash())).toBe(toHex((await proposer.headBlock()).hash()))
    expect(await validator.getBalance(RECIPIENT, 1n)).toBe(3000n)
  })
})

describe('a block body beyond what its header commits to (issue 13 findings 4 and 6)', () => {
  async function openNode(maxBlockTxs?: number): Promise<Node> {
    const node = await Node.open({ datadir: tempDir(), params: PARAMS, alloc: ALLOC, ...(maxBlockTxs === undefined ? {} : { maxBlockTxs }) })
    nodes.push(node)
    return node
  }

  it('20,000 junk withdrawals under the empty withdrawalsRoot: same hash, refused, and nothing stored', async () => {
    const proposer = await openNode()
    const validator = await openNode()
    await proposer.sendRawTransaction(transfer(0, 0).serialize())
    const { executed } = await proposer.exclusive(() => proposer.buildCandidate(PARAMS.genesisTime + 1n))
    const h = executed.block.header
    const junk: WithdrawalData[] = Array.from({ length: 20_000 }, (_, i) => ({ index: BigInt(i), validatorIndex: 0n, address: new Uint8Array(20).fill(0xee), amount: 1n }))
    const padded = createBlock({ header: h.toJSON(), transactions: executed.block.transactions, withdrawals: junk }, { common, setHardfork: false })
    expect(toHex(padded.hash())).toBe(toHex(executed.block.hash())) // the header does not see them
    await expectRejects(validator.exclusive(() => validator.replay(padded)), 'EXEC_INVALID_BLOCK', /20000 withdrawals/)
    expect(validator.blockNumber()).toBe(0n)
    // The block itself is fine.
    await validator.exclusive(() => validator.replay(executed.block))
    await validator.exclusive(() => validator.abandon())
  })

  it('refuses what the mempool and the builder refuse: unprotected or oversized transactions, or too many of them', async () => {
    const homestead = createCustomCommon({ chainId: Number(DEV_CHAIN_ID), name: 'old' }, Mainnet, { hardfork: Hardfork.Homestead })
    const unprotected = createLegacyTxFromRLP(
      createLegacyTx({ nonce: 0n, gasPrice: 3n * GWEI, gasLimit: 21_000n, to: toHex(RECIPIENT), value: 5n }, { common: homestead }).sign(KEYS[2]!).serialize(),
      { common },
    )
    const oversized = createFeeMarket1559Tx(
      { nonce: 0n, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 6_000_000n, to: toHex(RECIPIENT), value: 0n, data: new Uint8Array(130 * 1024).fill(1) },
      { common },
    ).sign(KEYS[1]!)
    const cases: [TypedTransaction[], RegExp, number | undefined][] = [
      [[unprotected], /without replay protection/, undefined],
      [[oversized], /at most 131072/, undefined],
      [[transfer(0, 0), transfer(0, 1), transfer(0, 2)], /holds 3 transactions, at most 2/, 2],
    ]
    for (const [txs, why, maxBlockTxs] of cases) {
      // Built directly (a Byzantine proposer's builder applies no rules), then shown to an honest validator.
      const chain = await openChain()
      const { block } = await executeBlock(chain.vm, PARAMS, chain.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
      expect(block.transactions).toHaveLength(txs.length) // it executes: only the body rules refuse it
      const validator = await openNode(maxBlockTxs)
      await expectRejects(validator.exclusive(() => validator.replay(block)), 'EXEC_INVALID_BLOCK', why)
    }
  }, 60_000)
})

describe('nextBaseFee (EIP-1559 with the chain’s floor)', () => {
  const parent = (baseFeePerGas: bigint, gasUsed: bigint, gasLimit = 30_000_000n) =>
    createBlockHeader({ number: 1n, baseFeePerGas, gasUsed, gasLimit, timestamp: 1n }, { common, setHardfork: false })
  const floor = { minBaseFee: 10_000_000n }

  it('stays at target, rises by up to 1/8 above it, falls by up to 1/8 below it', () => {
    expect(nextBaseFee(parent(GWEI, 15_000_000n), floor)).toBe(GWEI)
    expect(nextBaseFee(parent(GWEI, 30_000_000n), floor)).toBe(GWEI + GWEI / 8n)
    expect(nextBaseFee(parent(GWEI, 0n), floor)).toBe(GWEI - GWEI / 8n)
    expect(nextBaseFee(parent(GWEI, 22_500_000n), floor)).toBe(GWEI + GWEI / 16n)
    expect(nextBaseFee(parent(GWEI, 7_500_000n), floor)).toBe(GWEI - GWEI / 16n)
    // Above target the rise is at least 1 wei.
    expect(nextBaseFee(parent(10_000_000n, 15_000_001n), floor)).toBe(10_000_001n)
  })

  it('never falls below the floor', () => {
    expect(nextBaseFee(parent(10_000_000n, 0n), floor)).toBe(10_000_000n)
    expect(nextBaseFee(parent(10_500_000n, 0n), floor)).toBe(10_000_000n) // 7/8 of it would be 9,187,500
    expect(nextBaseFee(parent(1n, 0n), floor)).toBe(10_000_000n)
  })

  it('executed blocks carry it: a block over the gas target raises the next block’s base fee', async () => {
    const small = { ...PARAMS, gasLimit: 100_000n } // target 50,000
    const chain = await openChain(small)
    const b1 = await executeBlock(chain.vm, small, chain.genesis, [0, 1, 2].map((n) => transfer(0, n)), { timestamp: PARAMS.genesisTime + 1n }, 'build')
    expect(b1.block.header.gasUsed).toBe(63_000n)
    expect(b1.block.header.baseFeePerGas).toBe(10_000_000n)
    const b2 = await executeBlock(chain.vm, small, b1.block, [], { timestamp: PARAMS.genesisTime + 2n }, 'build')
    expect(b2.block.header.baseFeePerGas).toBe(10_000_000n + (10_000_000n * 13_000n) / 50_000n / 8n)
    const b3 = await executeBlock(chain.vm, small, b2.block, [], { timestamp: PARAMS.genesisTime + 3n }, 'build')
    expect(b3.block.header.baseFeePerGas).toBe(10_000_000n) // empty block: back down, held at the floor
  })
})

async function expectRejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<CausewayError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(CausewayError)
    expect((e as CausewayError).code).toBe(code)
    if (message !== undefined) expect((e as CausewayError).message).toMatch(message)
    return e as CausewayError
  }
  return expect.fail(`expected ${code}, but it resolved`)
}
