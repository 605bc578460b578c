// Federation duties (issue 11 item 2): a member with no coin at all relays and reports through the bridge, the
// block creates and destroys no wei (every balance summed is unchanged, the fee address earns nothing from a
// duty), a member's ordinary transaction still pays, duty gas per block is bounded (the rest waits), a built block
// replays to the same hash, and the mempool admits a zero-balance duty but not an oversized one.
import * as ecc from 'tiny-secp256k1'
import { createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx'
import { Address, createAddressFromPrivateKey } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToHex, equalBytes, hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { regtest } from '../../../spv/bitcoin/networks.js'
import { parseBridgeConfig } from '../../../sidechain/bridge/config.js'
import { bridgeAbi } from '../../../sidechain/bridge/abi.js'
import { buildGenesis } from '../../../sidechain/chain/genesis.js'
import { BRIDGE_ADDRESS, REGTEST_CHAIN_ID, createChainCommon, type ChainParams } from '../../../sidechain/chain/params.js'
import { executeBlock } from '../../../sidechain/exec/execute.js'
import { dutyGasBound, dutySenders, isDutyTx } from '../../../sidechain/exec/duty.js'
import { openState } from '../../../sidechain/exec/state-trie.js'
import { createChainVM, NO_BLOCK_HASHES } from '../../../sidechain/exec/vm.js'
import { Mempool } from '../../../sidechain/mempool/mempool.js'
import { StateReader } from '../../../sidechain/node/state-reader.js'
import { NodeDatabase } from '../../../sidechain/store/database.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const GWEI = 1_000_000_000n
const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x20 + i))
const userKey = new Uint8Array(32).fill(0x55)
const user = createAddressFromPrivateKey(userKey).bytes
const FEE_ADDRESS = hexToBytes('0x' + 'fe'.repeat(20), 'fee', 20)
const bridge = parseBridgeConfig(
  {
    federation: { pubkeys: memberKeys.map((k) => bytesToHex(ecc.pointFromScalar(k, true)!)), threshold: 2 },
    bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 } },
  },
  REGTEST_CHAIN_ID,
)
const PARAMS: ChainParams = Object.freeze({
  name: 'duty-test',
  chainId: REGTEST_CHAIN_ID,
  gasLimit: 30_000_000n,
  minBaseFee: 10_000_000n,
  feeAddress: FEE_ADDRESS,
  genesisTime: 1_700_000_000n,
  bridge,
})
const common = createChainCommon(PARAMS)
// A test-only prefund for the one ordinary user: its fee is what the fee address must earn, and nothing else.
const TEST_PREFUND = [{ address: user, balance: 10n ** 18n }]

function call(key: Uint8Array, nonce: number, method: string, args: unknown[], o: { gasLimit?: bigint; value?: bigint; tip?: bigint } = {}): TypedTransaction {
  return createFeeMarket1559Tx(
    {
      nonce: BigInt(nonce),
      maxFeePerGas: 5n * GWEI,
      maxPriorityFeePerGas: o.tip ?? GWEI,
      gasLimit: o.gasLimit ?? 200_000n,
      to: toHex(BRIDGE_ADDRESS),
      value: o.value ?? 0n,
      data: hexToBytes(bridgeAbi.encodeFunctionData(method, args), "data"),
    },
    { common },
  ).sign(key)
}

async function openChain() {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-duty-'))
  const db = await NodeDatabase.open(dir)
  const state = await openState(db.stateDB())
  const genesis = await buildGenesis(common, state, PARAMS, TEST_PREFUND)
  const vm = await createChainVM(common, state, NO_BLOCK_HASHES)
  const reader = new StateReader(common, db.stateDB(), NO_BLOCK_HASHES, PARAMS.gasLimit)
  const balance = async (a: Uint8Array) => (await state.getAccount(new Address(a)))?.balance ?? 0n
  const close = async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { state, genesis, vm, reader, balance, close }
}

describe('federation duties', () => {
  it('is a duty only from a member, to the bridge, without value, for a duty method', () => {
    const members = dutySenders(PARAMS)
    const m0 = createAddressFromPrivateKey(memberKeys[0]!).bytes
    expect(isDutyTx(call(memberKeys[0]!, 0, 'reportFeeRate', [5n]), m0, members)).toBe(true)
    expect(isDutyTx(call(memberKeys[0]!, 0, 'addSignatures', [1n, '0x']), m0, members)).toBe(true)
    expect(isDutyTx(call(userKey, 0, 'reportFeeRate', [5n]), user, members)).toBe(false)
    expect(isDutyTx(call(memberKeys[0]!, 0, 'pegOut', ['rb1q']), m0, members)).toBe(false)
    // The EVM family's member work is duty too; a user's peg-out of a wrapped token is not, even from a member.
    expect(isDutyTx(call(memberKeys[0]!, 0, 'attestEvmHeader', [31337n, '0xc0']), m0, members)).toBe(true)
    expect(isDutyTx(call(memberKeys[0]!, 0, 'addEvmWithdrawalSignature', [1n, '0x']), m0, members)).toBe(true)
    expect(isDutyTx(call(userKey, 0, 'attestEvmHeader', [31337n, '0xc0']), user, members)).toBe(false)
    expect(isDutyTx(call(memberKeys[0]!, 0, 'pegOutToken', [toHex(user), 1n, toHex(user)]), m0, members)).toBe(false)
    expect(isDutyTx(call(memberKeys[0]!, 0, 'reportFeeRate', [5n], { value: 1n }), m0, members)).toBe(false)
    const transfer = createLegacyTx({ nonce: 0n, gasPrice: GWEI, gasLimit: 21_000n, to: toHex(user), value: 1n }, { common }).sign(memberKeys[0]!)
    expect(isDutyTx(transfer, m0, members)).toBe(false)
  })

  it('runs a zero-balance member\'s duties, creating and destroying no wei; its ordinary transfer still needs coin', async () => {
    const c = await openChain()
    try {
      const m = memberKeys.map((k) => createAddressFromPrivateKey(k).bytes)
      const before = await c.reader.sumOfBalances(c.genesis.header.stateRoot)
      expect(before.sum).toBe(10n ** 18n)
      const userTx = createFeeMarket1559Tx({ nonce: 0n, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 21_000n, to: toHex(FEE_ADDRESS.map(() => 0x11)), value: 1000n }, { common }).sign(userKey)
      const memberTransfer = createFeeMarket1559Tx({ nonce: 1n, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: 0n, gasLimit: 21_000n, to: toHex(user), value: 0n }, { common }).sign(memberKeys[1]!)
      const txs = [call(memberKeys[0]!, 0, 'reportFeeRate', [5n]), userTx, call(memberKeys[1]!, 0, 'reportFeeRate', [7n], { tip: 0n }), memberTransfer]
      const built = await executeBlock(c.vm, PARAMS, c.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
      expect(built.executed.map((e) => e.duty === true)).toEqual([true, false, true])
      for (const e of built.executed) expect(e.result.execResult.exceptionError).toBeUndefined()
      expect(built.skipped.map((s) => s.tx)).toEqual([memberTransfer]) // no coin: an ordinary transaction cannot pay
      for (const a of m) expect(await c.balance(a)).toBe(0n)
      expect((await c.state.getAccount(new Address(m[0]!)))?.nonce).toBe(1n)
      // The fee address earns exactly the user's fee, nothing from the duties.
      const userGas = built.executed[1]!.gasUsed
      const price = built.block.header.baseFeePerGas! + GWEI
      expect(await c.balance(FEE_ADDRESS)).toBe(userGas * price)
      const after = await c.reader.sumOfBalances(built.block.header.stateRoot)
      expect(after.sum).toBe(before.sum)

      // Another validator replays it to the same block.
      const other = await openChain()
      try {
        const replayed = await executeBlock(other.vm, PARAMS, other.genesis, built.block.transactions, { timestamp: built.block.header.timestamp }, 'replay')
        expect(equalBytes(replayed.block.hash(), built.block.hash())).toBe(true)
      } finally {
        await other.close()
      }
    } finally {
      await c.close()
    }
  })

  it('bounds duty gas per block: past the bound a duty and its sender\'s later ones wait', async () => {
    const c = await openChain()
    try {
      const bound = dutyGasBound(PARAMS)
      const big = bound / 2n + 1n
      const txs = [
        call(memberKeys[0]!, 0, 'reportFeeRate', [5n], { gasLimit: big }),
        call(memberKeys[1]!, 0, 'reportFeeRate', [6n], { gasLimit: big }),
        call(memberKeys[1]!, 1, 'reportFeeRate', [6n]),
        call(memberKeys[2]!, 0, 'reportFeeRate', [7n]),
      ]
      const built = await executeBlock(c.vm, PARAMS, c.genesis, txs, { timestamp: PARAMS.genesisTime + 1n }, 'build')
      expect(built.executed.map((e) => e.tx)).toEqual([txs[0], txs[3]])
      expect(built.skipped.map((s) => (s.error as { code?: string }).code)).toEqual(['EXEC_DUTY_GAS_FULL', 'EXEC_SENDER_DEFERRED'])
      // A block that carries more duty gas than the bound is invalid.
      const other = await openChain()
      try {
        await expect(executeBlock(other.vm, PARAMS, other.genesis, txs.slice(0, 2), { timestamp: PARAMS.genesisTime + 1n }, 'replay')).rejects.toMatchObject({ code: 'EXEC_INVALID_BLOCK' })
      } finally {
        await other.close()
      }
    } finally {
      await c.close()
    }
  })

  it('the mempool admits a zero-balance duty, refuses one above the bound, and select keeps duties within it', () => {
    const pool = new Mempool()
    const bound = dutyGasBound(PARAMS)
    const ctx = { chainId: REGTEST_CHAIN_ID, blockGasLimit: PARAMS.gasLimit, minGasPrice: PARAMS.minBaseFee, account: { nonce: 0n, balance: 0n } }
    const duty = call(memberKeys[0]!, 0, 'reportFeeRate', [5n], { gasLimit: bound / 2n + 1n })
    expect(() => pool.add(duty, duty.serialize(), ctx)).toThrow(expect.objectContaining({ code: 'MEMPOOL_INSUFFICIENT_FUNDS' }))
    pool.add(duty, duty.serialize(), { ...ctx, dutyGasBound: bound })
    const second = call(memberKeys[1]!, 0, 'reportFeeRate', [5n], { gasLimit: bound / 2n + 1n })
    pool.add(second, second.serialize(), { ...ctx, dutyGasBound: bound })
    const huge = call(memberKeys[2]!, 0, 'reportFeeRate', [5n], { gasLimit: bound + 1n })
    expect(() => pool.add(huge, huge.serialize(), { ...ctx, dutyGasBound: bound })).toThrow(expect.objectContaining({ code: 'MEMPOOL_DUTY_GAS_LIMIT' }))
    const picked = pool.select(PARAMS.gasLimit, PARAMS.minBaseFee, () => 0n, 100, { isDuty: () => true, gasBound: bound })
    expect(picked).toHaveLength(1)
    expect(pool.select(PARAMS.gasLimit, PARAMS.minBaseFee, () => 0n, 100)).toHaveLength(2)
  })
})
