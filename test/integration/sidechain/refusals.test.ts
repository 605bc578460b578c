// A validator refuses, with a coded reason in its log, a proposal from the wrong proposer, one with a bad
// signature, a block stamped too far ahead, a block with a bad state root, and a second block for a height it
// already signed — and, before the engine sees it, any message in a request not signed by a federation key
// (401). The test acts as the other validators (it holds their keys, and signs requests with them) and speaks to a
// real validator process over its p2p endpoint.
import { createBlock, createBlockFromRPC, type Block } from '@ethereumjs/block'
import { KECCAK256_RLP } from '@ethereumjs/util'
import { JsonRpcProvider, Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChainCommon, DEFAULT_MIN_BASE_FEE, DEFAULT_GAS_LIMIT, type ChainParams } from '../../../sidechain/chain/params.js'
import { childHeaderBase } from '../../../sidechain/exec/execute.js'
import { proposerOf } from '../../../sidechain/consensus/engine.js'
import { proposalPayload, signMessage, toWire, type Message } from '../../../sidechain/consensus/messages.js'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { peerKeyOf, signRequest } from '../../../sidechain/p2p/peer-auth.js'
import { emptyChildStateRoot } from '../../helpers/empty-child-root.js'
import { TEST_PREFUND_WEI, startFederation, type Federation, type MemberProcess } from '../../helpers/federation.js'
import { pollUntil, sleep, timeoutIsFine } from '../../../io/poll.js'

let fed: Federation
let v1: MemberProcess

async function rpc(m: MemberProcess, method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(m.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const answer = (await r.json()) as { result?: unknown; error?: unknown }
  if (answer.error !== undefined) throw new Error(`${method}: ${JSON.stringify(answer.error)}`)
  return answer.result
}

beforeAll(async () => {
  fed = await startFederation({ validators: 4, threshold: 3, testPrefundWei: TEST_PREFUND_WEI })
  v1 = fed.validators[1]!
  const p = new JsonRpcProvider(v1.rpcUrl, Number(fed.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 })
  const receipt = await (await new Wallet(fed.fundedKey, p).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait(1, 30_000)
  // Let the trailing empty blocks pass, then leave validator 1 alone: nothing it signs can become final.
  const after = receipt!.blockNumber + 2
  await pollUntil(`validator 1 at block ${after}`, async () => Number(await rpc(v1, 'eth_blockNumber')) >= after || undefined, { timeoutMs: 10_000, intervalMs: 100 }).catch(timeoutIsFine)
  p.destroy()
  await sleep(500)
  await fed.validators[0]!.stop()
  await fed.validators[2]!.stop()
  await fed.validators[3]!.stop()
}, 120_000)

afterAll(async () => {
  await fed?.close()
})

async function parentBlock(): Promise<Block> {
  const head = await rpc(v1, 'eth_getBlockByNumber', ['latest', false])
  return createBlockFromRPC(head, [], { common: createChainCommon({ chainId: fed.chainId, name: 'regtest' }), setHardfork: false })
}

/**
 * A valid empty child of `parent` (what re-execution would produce: the state root after Prague's system calls,
 * computed from the parent's proofs), optionally with a wrong state root.
 */
async function emptyChild(parent: Block, secondsLater: bigint, stateRoot?: Uint8Array): Promise<Block> {
  const common = createChainCommon({ chainId: fed.chainId, name: 'regtest' })
  const params: ChainParams = {
    name: 'regtest',
    chainId: fed.chainId,
    gasLimit: DEFAULT_GAS_LIMIT,
    minBaseFee: DEFAULT_MIN_BASE_FEE,
    feeAddress: hexToBytes(fed.feeAddress, 'fee', 20),
    genesisTime: 0n,
  }
  const base = childHeaderBase(common, params, parent, { timestamp: parent.header.timestamp + secondsLater })
  const root = stateRoot ?? (await emptyChildStateRoot((method, ps) => rpc(v1, method, ps), parent.header.number, base))
  return createBlock(
    {
      header: { ...base, stateRoot: root, gasUsed: 0n, transactionsTrie: KECCAK256_RLP, receiptTrie: KECCAK256_RLP, logsBloom: new Uint8Array(256) },
      transactions: [],
      withdrawals: [],
    },
    { common, setHardfork: false },
  )
}

/** Sends a proposal to validator 1, signed with `signer`'s key while claiming to come from `from`. */
function propose(block: Block, round: number, from: number, signer = from): Promise<{ status: number; code?: string }> {
  return send({ type: 'proposal', chainId: fed.chainId, height: block.header.number, round, from, payload: proposalPayload(block.serialize(), -1, []) }, signer)
}

/** A prevote for `block` in `round` from validator `from`. */
function prevote(block: Block, round: number, from: number): Promise<{ status: number; code?: string }> {
  return send({ type: 'prevote', chainId: fed.chainId, height: block.header.number, round, from, payload: [block.hash()] }, from)
}

async function send(m: Message, signer: number, authenticate = true): Promise<{ status: number; code?: string }> {
  const from = m.from
  const key = hexToBytes(fed.validatorKeys[signer]!, 'key', 32)
  const signed = signMessage(m, key)
  const text = JSON.stringify(toWire({ ...signed, from }))
  // The request itself is signed by `signer` too (peer-auth.ts), so it reaches the engine, which judges the message.
  const auth = authenticate ? signRequest(peerKeyOf(key), { method: 'POST', path: '/p2p/message', body: new TextEncoder().encode(text), timeMs: Date.now() }) : {}
  const r = await fetch(new URL('/p2p/message', fed.p2pUrls[1]), { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: text })
  const body = (await r.json()) as { error?: { code: string } }
  return body.error === undefined ? { status: r.status } : { status: r.status, code: body.error.code }
}

/** Waits (briefly) for a log line with `code` (not a refusal: the message itself was taken). */
async function expectLoggedLine(code: string): Promise<void> {
  await pollUntil(`a log line with ${code}`, () => v1.output().includes(`"code":"${code}"`) || undefined, { timeoutMs: 2_000, intervalMs: 50 }).catch(timeoutIsFine)
  expect(v1.output()).toContain(`"code":"${code}"`)
}

function refusalsLogged(): string[] {
  return v1
    .output()
    .split('\n')
    .filter((l) => l.includes('refused consensus message'))
    .map((l) => (JSON.parse(l) as { code: string }).code)
}

/** Waits (briefly) for the validator's log line refusing a message with `code`: logs arrive after the answer. */
async function expectLogged(code: string): Promise<void> {
  await pollUntil(`a refusal logged with ${code}`, () => refusalsLogged().includes(code) || undefined, { timeoutMs: 2_000, intervalMs: 50 }).catch(timeoutIsFine)
  expect(refusalsLogged()).toContain(code)
}

/** The first round ≥ `from` whose proposer is `who`. */
function roundOf(height: bigint, who: number, from = 0): number {
  for (let r = from; ; r++) if (proposerOf(height, r, fed.validators.length) === who) return r
}

describe('a validator refuses', () => {
  it('a valid proposal in a request not signed by a federation key, before looking at it', async () => {
    const block = await emptyChild(await parentBlock(), 1n)
    const r = roundOf(block.header.number, 0)
    const m = { type: 'proposal' as const, chainId: fed.chainId, height: block.header.number, round: r, from: 0, payload: [block.serialize()] }
    expect(await send(m, 0, false)).toEqual({ status: 401, code: 'P2P_UNAUTHENTICATED' })
    expect(refusalsLogged()).toEqual([]) // never reached the engine
  })

  it('a proposal from a validator that is not the proposer of that round', async () => {
    const parent = await parentBlock()
    const block = await emptyChild(parent, 1n)
    const h = block.header.number
    const r = roundOf(h, 0)
    expect(await propose(block, r, 2)).toEqual({ status: 400, code: 'CONSENSUS_WRONG_PROPOSER' })
    await expectLogged('CONSENSUS_WRONG_PROPOSER')
  })

  it('a proposal whose signature is not the claimed sender', async () => {
    const block = await emptyChild(await parentBlock(), 1n)
    const r = roundOf(block.header.number, 0)
    expect(await propose(block, r, 0, 2)).toEqual({ status: 400, code: 'CONSENSUS_BAD_SIGNATURE' })
    await expectLogged('CONSENSUS_BAD_SIGNATURE')
  })

  it('a block stamped 10 s ahead of its clock (issue 13 finding 6: +15 s was allowed and stalled the next proposer)', async () => {
    const parent = await parentBlock()
    const secondsAhead = BigInt(Math.floor(Date.now() / 1000)) + 10n - parent.header.timestamp
    const block = await emptyChild(parent, secondsAhead)
    // A round of its own: the validator looks at one proposal per round, valid or not.
    const r = roundOf(block.header.number, 0, 20)
    expect(await propose(block, r, 0)).toEqual({ status: 400, code: 'CONSENSUS_BAD_TIMESTAMP' })
    await expectLogged('CONSENSUS_BAD_TIMESTAMP')
  })

  it('a block with a bad state root', async () => {
    const block = await emptyChild(await parentBlock(), 1n, new Uint8Array(32).fill(7))
    // A round of its own: a validator looks at one proposal per round, and the test below proposes in the first.
    const r = roundOf(block.header.number, 0, 10)
    expect(await propose(block, r, 0)).toEqual({ status: 400, code: 'EXEC_INVALID_BLOCK' })
    await expectLogged('EXEC_INVALID_BLOCK')
    expect(v1.output()).toMatch(/bad state root/)
  })

  it('a second block for a height it already signed', async () => {
    const parent = await parentBlock()
    const first = await emptyChild(parent, 1n)
    const second = await emptyChild(parent, 2n)
    const h = first.header.number
    // Past the rounds the tests above proposed in (a validator follows f + 1 senders to a later round).
    const r0 = roundOf(h, 0, 30)
    expect(await propose(first, r0, 0)).toEqual({ status: 200 }) // valid: validator 1 prevotes it
    // With the proposer's and validator 3's prevotes that is a polka (3 of 4): validator 1 precommits — its one
    // signature at this height.
    expect(await prevote(first, r0, 0)).toEqual({ status: 200 })
    expect(await prevote(first, r0, 3)).toEqual({ status: 200 })
    const r2 = roundOf(h, 2, r0 + 1)
    expect(await propose(second, r2, 2)).toEqual({ status: 400, code: 'CONSENSUS_ALREADY_SIGNED' })
    await expectLogged('CONSENSUS_ALREADY_SIGNED')
    // The sign log survives a restart: still refused afterwards.
    await v1.stop()
    await v1.start()
    expect(await propose(second, roundOf(h, 2, r2 + 1), 2)).toEqual({ status: 400, code: 'CONSENSUS_ALREADY_SIGNED' })
    // Nothing became final: validator 1 alone cannot gather three signatures.
    expect(Number(await rpc(v1, 'eth_blockNumber'))).toBe(Number(parent.header.number))
  }, 60_000)
  it('a proposal a million rounds ahead, by that round\'s proposer (issue 13 finding 1), and a second proposal in one round', async () => {
    // After the test above: validator 1 is locked on `first` (the empty child one second after the parent).
    const parent = await parentBlock()
    const first = await emptyChild(parent, 1n)
    const h = first.header.number
    expect(await propose(first, roundOf(h, 0, 1_000_000 - 3), 0)).toEqual({ status: 400, code: 'CONSENSUS_ROUND_TOO_FAR' })
    await expectLogged('CONSENSUS_ROUND_TOO_FAR')
    const r = roundOf(h, 0, 40)
    expect(await propose(first, r, 0)).toEqual({ status: 200 })
    // Another block in the same round is not looked at again (nor re-executed).
    expect(await propose(await emptyChild(parent, 3n), r, 0)).toEqual({ status: 400, code: 'CONSENSUS_DUPLICATE_PROPOSAL' })
  })
  it('two prevotes of one validator for different blocks in one round are kept as evidence (RPC and /metrics)', async () => {
    const parent = await parentBlock()
    const a = await emptyChild(parent, 5n)
    const b = await emptyChild(parent, 6n)
    const r = roundOf(a.header.number, 0, 50)
    expect(await prevote(a, r, 0)).toEqual({ status: 200 })
    expect(await prevote(b, r, 0)).toEqual({ status: 200 })
    // A third block in the same slot is the same misbehaviour: one piece of evidence, not one per pair.
    expect(await prevote(await emptyChild(parent, 7n), r, 0)).toEqual({ status: 200 })
    await expectLoggedLine('CONSENSUS_EQUIVOCATION')
    const evidence = await rpc(v1, 'causeway_evidence', [])
    expect(evidence.items.filter((e: { round: number; validator: number }) => e.round === r && e.validator === 0)).toHaveLength(1)
    expect(evidence.total).toBeGreaterThanOrEqual(1)
    expect(evidence.items.at(-1)).toMatchObject({ type: 'prevote', round: r, validator: 0, first: toHex(a.hash()), second: toHex(b.hash()) })
    const metrics = await (await fetch(new URL('/metrics', v1.rpcUrl))).text()
    expect(metrics).toMatch(/causeway_consensus_evidence [1-9]/)
  })
})
