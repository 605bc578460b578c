// The consensus engine in one process: three real nodes (LevelDB in temporary directories) whose engines talk
// through an in-memory router that can drop messages. Blocks travel in proposals only; these tests check what a
// validator that missed a proposal does with the hash-only precommits and commits that follow: it never finalizes
// a block it does not hold, asks to sync instead, and finalizes from a repeated precommit that carries the block.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Wallet } from 'ethers'
import pino from 'pino'
import type { Block } from '@ethereumjs/block'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine } from '../../../sidechain/consensus/engine.js'
import { publicKeyOf, signCommit, type ValidatorSet } from '../../../sidechain/consensus/certificate.js'
import { signMessage, type SignedMessage } from '../../../sidechain/consensus/messages.js'
import { SignLog } from '../../../sidechain/consensus/sign-log.js'
import { DEFAULT_GAS_LIMIT, DEFAULT_MIN_BASE_FEE, type ChainParams } from '../../../sidechain/chain/params.js'
import { serialized } from '../../../sidechain/chain/block-bytes.js'
import { Node } from '../../../sidechain/node/node.js'
import { hexToBytes } from '../../../spv/base/bytes.js'

const CHAIN_ID = 917_001n
const funder = Wallet.createRandom()
const params: ChainParams = {
  name: 'regtest',
  chainId: CHAIN_ID,
  gasLimit: DEFAULT_GAS_LIMIT,
  minBaseFee: DEFAULT_MIN_BASE_FEE,
  feeAddress: randomBytes(20),
  genesisTime: 0n,
}

interface Member {
  readonly node: Node
  readonly engine: Engine
  readonly dir: string
  syncRequests: number
}

const opened: Member[] = []

afterEach(async () => {
  for (const m of opened.splice(0)) {
    await m.engine.stop()
    await m.node.close()
    rmSync(m.dir, { recursive: true, force: true })
  }
})

/** Three validators, threshold 2; `drop(message, to)` says which deliveries are lost. */
async function federation(drop: (m: SignedMessage, to: number) => boolean): Promise<{ members: Member[]; keys: Uint8Array[] }> {
  const keys = [0, 1, 2].map(() => new Uint8Array(randomBytes(32)))
  const set: ValidatorSet = { keys: keys.map(publicKeyOf), threshold: 2 }
  const members: Member[] = []
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), `causeway-engine-${i}-`))
    const node = await Node.open({ datadir: dir, params, alloc: [{ address: hexToBytes(funder.address, 'funder', 20), balance: 10n ** 24n }] })
    const member: Member = {
      node,
      dir,
      syncRequests: 0,
      engine: new Engine({
        node,
        set,
        index: i,
        key: keys[i]!,
        signLog: new SignLog(node.db),
        broadcast: (m) => {
          for (let to = 0; to < 3; to++) {
            // Delivered on a later turn, as over the network; refusals are the receiver's business.
            if (to !== i && !drop(m, to)) setImmediate(() => void members[to]!.engine.handle(m).catch(() => undefined))
          }
        },
        requestSync: () => void member.syncRequests++,
        logger: pino({ level: 'silent' }),
        roundMs: 60_000,
      }),
    }
    members.push(member)
    opened.push(member)
  }
  return { members, keys }
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function transfer(nodes: readonly Node[]): Promise<void> {
  const raw = await funder.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, to: Wallet.createRandom().address, value: 1n, gasLimit: 21_000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 0n })
  for (const node of nodes) await node.sendRawTransaction(hexToBytes(raw, 'tx'))
}

/** Block 1 made final by validators 0 and 1 while validator 2 heard neither the proposal nor the transaction. */
async function finalWithoutValidator2(): Promise<{ members: Member[]; keys: Uint8Array[]; block: Block }> {
  const { members, keys } = await federation((m, to) => to === 2 && m.type === 'proposal')
  await transfer([members[0]!.node, members[1]!.node])
  for (const m of members) await m.engine.start()
  await until('validators 0 and 1 finalize block 1', () => members[0]!.node.blockNumber() >= 1n && members[1]!.node.blockNumber() >= 1n)
  return { members, keys, block: (await members[0]!.node.getBlock(1n))! }
}

describe('consensus engine: blocks travel in proposals only', () => {
  it('a validator that missed the proposal does not finalize from hash-only precommits and commits; it asks to sync', async () => {
    // Validator 2 hears nothing of the proposal (height 1, round 0 is validator 1's) nor of the transaction.
    const { members, block } = await finalWithoutValidator2()
    expect((await members[1]!.node.getBlock(1n))!.hash()).toEqual(block.hash())
    await until('validator 2 asks to sync', () => members[2]!.syncRequests > 0)
    expect(members[2]!.node.blockNumber()).toBe(0n)
  }, 60_000)

  it('a repeated precommit that carries the block lets that validator finalize it', async () => {
    const { members, keys, block } = await finalWithoutValidator2()
    await until('validator 2 asks to sync', () => members[2]!.syncRequests > 0)
    // What validator 0 sends when a round times out while it is locked: its precommit with the block.
    const signature = signCommit(keys[0]!, CHAIN_ID, 1n, 0, block.hash())
    await members[2]!.engine.handle(signMessage({ type: 'precommit', chainId: CHAIN_ID, height: 1n, round: 1, from: 0, payload: [block.hash(), signature, serialized(block)] }, keys[0]!))
    expect(members[2]!.node.blockNumber()).toBe(1n)
    expect((await members[2]!.node.getBlock(1n))!.hash()).toEqual(block.hash())
    expect((await members[2]!.node.headBlock()).header.stateRoot).toEqual(block.header.stateRoot)
  }, 60_000)

  it('a precommit whose carried block is not the one it names is refused (CONSENSUS_MALFORMED)', async () => {
    const { members, keys, block } = await finalWithoutValidator2()
    const genesis = (await members[0]!.node.getBlock(0n))!
    const signature = signCommit(keys[0]!, CHAIN_ID, 1n, 0, block.hash())
    const forged = signMessage({ type: 'precommit', chainId: CHAIN_ID, height: 1n, round: 1, from: 0, payload: [block.hash(), signature, serialized(genesis)] }, keys[0]!)
    await expect(members[2]!.engine.handle(forged)).rejects.toMatchObject({ code: 'CONSENSUS_MALFORMED' })
    expect(members[2]!.node.blockNumber()).toBe(0n)
    expect(members[2]!.engine.refusals.get('CONSENSUS_MALFORMED')).toBe(1)
  }, 60_000)
})
