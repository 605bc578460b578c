// Issue 12 item 5, whatever the cause: a transaction whose execution throws inside the EVM (here 0x0a without its
// KZG library, as main had it) used to leave the state manager's checkpoints open, so
// the block's state was never written ("State trie does not contain state root" on commit) and the node dropped
// the transaction without a word. Now it is included as failed — status 0, its gas limit paid, the nonce advanced —
// the rest of the block goes on, the state root is stored, and a replaying validator reaches the same block.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Block } from '@ethereumjs/block'
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { Address, createAddressFromPrivateKey } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { VM } from '@ethereumjs/vm'
import { afterAll, describe, expect, it } from 'vitest'
import { hexToBytes, toHex } from '../../../../spv/base/bytes.js'
import { NodeDatabase } from '../../../../sidechain/store/database.js'
import { openState } from '../../../../sidechain/exec/state-trie.js'
import { buildGenesis } from '../../../../sidechain/chain/genesis.js'
import { DEV_CHAIN_ID, createChainCommon, type ChainParams } from '../../../../sidechain/chain/params.js'
import { createChainVM, NO_BLOCK_HASHES } from '../../../../sidechain/exec/vm.js'
import { executeBlock } from '../../../../sidechain/exec/execute.js'
import { validPointEvaluationInput } from '../../../helpers/kzg-input.js'

const GWEI = 1_000_000_000n
const ETHER = 10n ** 18n
const KEYS = [1, 2].map((i) => hexToBytes('0x' + (0x50 + i).toString(16).repeat(32), 'key', 32))
const ADDR = KEYS.map((k) => createAddressFromPrivateKey(k))
const FEE_ADDRESS = hexToBytes('0x' + 'fe'.repeat(20), 'fee', 20)
const PARAMS: ChainParams = Object.freeze({ name: 'throw-test', chainId: DEV_CHAIN_ID, gasLimit: 30_000_000n, minBaseFee: 10_000_000n, feeAddress: FEE_ADDRESS, genesisTime: 1_700_000_000n })
const KZG = '0x000000000000000000000000000000000000000a'

const dirs: string[] = []
const dbs: NodeDatabase[] = []
afterAll(async () => {
  for (const d of dbs) await d.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/**
 * A chain at genesis on LevelDB whose VM has no KZG library, as main had before 0x0a was wired: the precompile then
 * throws a plain Error ("kzg not initialized"), not an EVM exception.
 */
async function openThrowingChain(): Promise<{ vm: VM; state: MerkleStateManager; genesis: Block }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-throw-'))
  dirs.push(dir)
  const db = await NodeDatabase.open(dir)
  dbs.push(db)
  const common = createChainCommon(PARAMS)
  ;(common as unknown as { customCrypto: object }).customCrypto = { ...common.customCrypto, kzg: undefined }
  const state = await openState(db.stateDB())
  const genesis = await buildGenesis(common, state, PARAMS, ADDR.map((a) => ({ address: a.bytes, balance: 10n * ETHER })))
  return { vm: await createChainVM(common, state, NO_BLOCK_HASHES), state, genesis }
}

function tx(key: number, nonce: number, to: `0x${string}`, data: Uint8Array, gasLimit: bigint): TypedTransaction {
  const common = createChainCommon(PARAMS)
  return createFeeMarket1559Tx({ nonce: BigInt(nonce), maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit, to, value: 0n, data }, { common }).sign(KEYS[key]!)
}

describe('a transaction that throws inside the EVM (issue 12 item 5)', () => {
  const input = validPointEvaluationInput()
  it('is included as failed, the block goes on, its state is stored, and a replay reaches the same block', async () => {
    const a = await openThrowingChain()
    const txs = [
      tx(0, 0, KZG, input, 200_000n), // throws inside the EVM
      tx(0, 1, toHex(ADDR[1]!.bytes) as `0x${string}`, new Uint8Array(0), 21_000n), // the same sender's next nonce still runs
      tx(1, 0, toHex(ADDR[0]!.bytes) as `0x${string}`, new Uint8Array(0), 21_000n),
    ]
    const before = (await a.state.getAccount(ADDR[0]!))!.balance
    const built = await executeBlock(a.vm, PARAMS, a.genesis, txs, { timestamp: a.genesis.header.timestamp + 1n }, 'build')
    expect(built.skipped).toEqual([])
    expect(built.block.transactions).toHaveLength(3)
    const [failed, ...rest] = built.executed
    expect(failed!.threw?.code).toBe('EXEC_TX_THREW')
    expect(failed!.threw?.message).toContain('kzg not initialized')
    expect((failed!.result.receipt as { status?: number }).status).toBe(0)
    expect(failed!.gasUsed).toBe(200_000n)
    for (const r of rest) expect((r.result.receipt as { status?: number }).status ?? 1).toBe(1)
    const baseFee = built.block.header.baseFeePerGas!
    const price = baseFee + GWEI < 5n * GWEI ? baseFee + GWEI : 5n * GWEI
    const after = await a.state.getAccount(ADDR[0]!)
    expect(after!.nonce).toBe(2n)
    expect(before - after!.balance).toBe((200_000n + 21_000n) * price - 0n) // both its transactions' gas, nothing more
    // The block's state was written: the root can be opened again (the old failure: "does not contain state root").
    await a.state.setStateRoot(built.block.header.stateRoot)
    expect((await a.state.getAccount(ADDR[1]!))!.nonce).toBe(1n)

    // Another validator replays the block to the same hash.
    const b = await openThrowingChain()
    const replayed = await executeBlock(b.vm, PARAMS, b.genesis, built.block.transactions, { timestamp: built.block.header.timestamp }, 'replay')
    expect(toHex(replayed.block.hash())).toBe(toHex(built.block.hash()))
    expect(replayed.executed[0]!.threw?.code).toBe('EXEC_TX_THREW')
  }, 60_000)

  it('eth_call-style execution answers the throw by its code, and the VM goes on', async () => {
    const a = await openThrowingChain()
    await expect(a.vm.evm.runCall({ to: new Address(hexToBytes(KZG)), data: input, gasLimit: 100_000n })).rejects.toMatchObject({ code: 'EXEC_TX_THREW' })
    const r = await a.vm.evm.runCall({ to: ADDR[1]!, gasLimit: 100_000n })
    expect(r.execResult.exceptionError).toBeUndefined()
  })
})
