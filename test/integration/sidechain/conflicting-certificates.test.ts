// Issue 13: "a full node that is shown two conflicting certificates stops with a coded error". A real full node
// (startFederationNode, on loopback ports in a temporary directory) syncs from one peer: a small HTTP server
// standing in for a malicious (or split) federation, serving the p2p endpoints the PeerClient calls. The test
// holds the four validator keys (threshold 3), so it can certify two different blocks at one height itself.
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { createBlock, type Block } from '@ethereumjs/block'
import { KECCAK256_RLP } from '@ethereumjs/util'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childHeaderBase } from '../../../sidechain/exec/execute.js'
import { encodeCertificate, publicKeyOf, signCommit, type Certificate } from '../../../sidechain/consensus/certificate.js'
import { parseNodeConfig } from '../../../sidechain/node/config.js'
import { startFederationNode, type FederationNode } from '../../../sidechain/node/federation.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import { toHex } from '../../../spv/base/bytes.js'
import { emptyChildStateRoot } from '../../helpers/empty-child-root.js'
import { freePort } from '../../helpers/ports.js'
import { pollUntil, sleep, timeoutIsFine } from '../../../io/poll.js'

const CHAIN_ID = 0xca05e1n
const keys = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(32)))
const SYNC_ROUNDS_MS = 1_500 // the full node syncs every 300 ms: several rounds

/** What the fake peer serves: its chain (index = height) with certificates; undefined: it answers 503. */
let served: { block: Block; cert: Certificate | undefined }[] | undefined
let peer: Server
let peerUrl: string
let fn: FederationNode
let dir: string
const logLines: string[] = []

function certify(block: Block, signers: readonly number[], round = 0): Certificate {
  const height = block.header.number
  return { height, round, blockHash: block.hash(), signatures: signers.map((v) => ({ validator: v, signature: signCommit(keys[v]!, CHAIN_ID, height, round, block.hash()) })) }
}

/** Two validators' signatures and one from a key outside the set: does not verify. */
function forged(block: Block): Certificate {
  const c = certify(block, [1, 2])
  const outsider = signCommit(new Uint8Array(randomBytes(32)), CHAIN_ID, block.header.number, 0, block.hash())
  return { ...c, signatures: [...c.signatures, { validator: 3, signature: outsider }] }
}

async function rpc(method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(fn.rpc.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const answer = (await r.json()) as { result?: unknown; error?: unknown }
  if (answer.error !== undefined) throw new Error(`${method}: ${JSON.stringify(answer.error)}`)
  return answer.result
}

async function haltedGauge(): Promise<string | undefined> {
  const text = await (await fetch(new URL('/metrics', fn.rpc.url))).text()
  return /^causeway_consensus_halted (\d+)$/m.exec(text)?.[1]
}

/** An empty child of `parent`; its state root computed from the node's proofs unless the parent is not the node's. */
async function emptyChild(parent: Block, secondsLater: bigint, computeRoot = true): Promise<Block> {
  const common = fn.node.common
  const base = childHeaderBase(common, fn.node.params, parent, { timestamp: parent.header.timestamp + secondsLater })
  const root = computeRoot ? await emptyChildStateRoot((m, ps) => rpc(m, ps), parent.header.number, base) : parent.header.stateRoot
  return createBlock(
    { header: { ...base, stateRoot: root, gasUsed: 0n, transactionsTrie: KECCAK256_RLP, receiptTrie: KECCAK256_RLP, logsBloom: new Uint8Array(256) }, transactions: [], withdrawals: [] },
    { common, setHardfork: false },
  )
}

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  await pollUntil('the condition', () => what() || undefined, { timeoutMs: ms, intervalMs: 50 }).catch(timeoutIsFine)
  expect(what()).toBe(true)
}

beforeAll(async () => {
  peer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const chain = served
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (chain === undefined) {
      res.writeHead(503)
      res.end()
    } else if (url.pathname === '/p2p/status') {
      const head = chain.at(-1)!.block
      json({ chainId: `0x${CHAIN_ID.toString(16)}`, height: `0x${head.header.number.toString(16)}`, hash: toHex(head.hash()) })
    } else if (url.pathname === '/p2p/blocks') {
      const from = Number(url.searchParams.get('from'))
      const limit = Number(url.searchParams.get('limit'))
      const blocks = chain.slice(from, from + limit).map((b) => ({ block: toHex(b.block.serialize()), certificate: toHex(encodeCertificate(b.cert!)) }))
      json({ blocks })
    } else json({ accepted: 0, rejected: 0 })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => peer.listen(port, '127.0.0.1', resolve))
  peerUrl = `http://127.0.0.1:${port}/`

  dir = mkdtempSync(path.join(tmpdir(), 'causeway-conflict-'))
  const config = await parseNodeConfig(
    {
      chain: { name: 'regtest', chainId: `0x${CHAIN_ID.toString(16)}`, genesisTime: Math.floor(Date.now() / 1000) - 100, feeAddress: toHex(new Uint8Array(20).fill(0xfe)) },
      // Four validators, threshold 3: two final blocks at one height need two validators to sign both.
      validators: keys.map((k, i) => ({ publicKey: toHex(publicKeyOf(k)), p2p: `http://127.0.0.1:${9 + i}/` })),
      threshold: 3,
      datadir: path.join(dir, 'full'),
      rpc: { host: '127.0.0.1', port: await freePort() },
      p2p: { host: '127.0.0.1', port: await freePort() },
      peers: [peerUrl],
    },
    dir,
  )
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) })
  fn = await startFederationNode(config, logger)
}, 60_000)

afterAll(async () => {
  await fn?.close()
  await new Promise((r) => peer?.close(r))
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('a full node shown two valid certificates for different blocks at one height', () => {
  it('refuses a bad peer, then halts on the conflict with the proof, and follows no more', async () => {
    const genesis = (await fn.node.getBlock(0n))!
    const g = { block: genesis, cert: undefined }
    const a1 = await emptyChild(genesis, 1n)
    const b1 = await emptyChild(genesis, 2n)
    expect(toHex(a1.hash())).not.toBe(toHex(b1.hash()))

    // Chain A: the node follows it.
    served = [g, { block: a1, cert: certify(a1, [0, 1, 2]) }]
    await until(() => fn.node.blockNumber() === 1n)

    // A peer on a fork whose certificates do not verify is a bad peer: logged, no halt, still following.
    const b2 = await emptyChild(b1, 1n, false)
    served = [g, { block: b1, cert: forged(b1) }, { block: b2, cert: certify(b2, [1, 2, 3]) }]
    await sleep(SYNC_ROUNDS_MS)
    expect(fn.node.halted).toBeUndefined()
    expect(await haltedGauge()).toBe('0')
    expect((await rpc('causeway_evidence')).halted).toBeNull()
    expect(logLines.some((l) => l.includes('peer served another block without a valid certificate') && l.includes('CONSENSUS_BAD_CERTIFICATE'))).toBe(true)
    const a2 = await emptyChild(a1, 1n)
    const certA1 = certify(a1, [0, 1, 2])
    const certA2 = certify(a2, [0, 1, 2])
    served = [g, { block: a1, cert: certA1 }, { block: a2, cert: certA2 }]
    await until(() => fn.node.blockNumber() === 2n)

    // Chain B, ahead of us, certified by validators 1, 2 and 3 (1 and 2 signed both chains): a conflict at 2.
    const b1c = certify(b1, [1, 2, 3], 1)
    const b2x = await emptyChild(b1, 3n, false) // not the b2 above, so nothing was cached about it
    const certB2 = certify(b2x, [1, 2, 3], 1)
    const b3 = await emptyChild(b2x, 1n, false)
    served = [g, { block: b1, cert: b1c }, { block: b2x, cert: certB2 }, { block: b3, cert: certify(b3, [1, 2, 3]) }]
    await until(() => fn.node.halted !== undefined)
    expect(fn.node.halted!.code).toBe('CONSENSUS_CONFLICTING_CERTIFICATES')
    expect(fn.node.blockNumber()).toBe(2n)
    expect(toHex((await fn.node.getBlock(2n))!.hash())).toBe(toHex(a2.hash()))

    // Said over RPC (with both certificates), metrics and the log.
    const evidence = await rpc('causeway_evidence')
    expect(evidence.halted).toMatchObject({
      code: 'CONSENSUS_CONFLICTING_CERTIFICATES',
      details: {
        height: 2,
        ours: { blockHash: toHex(a2.hash()), certificate: toHex(encodeCertificate(certA2)) },
        theirs: { blockHash: toHex(b2x.hash()), certificate: toHex(encodeCertificate(certB2)) },
        source: peerUrl,
      },
    })
    expect(await haltedGauge()).toBe('1')
    const fatal = logLines.map((l) => JSON.parse(l) as { level: number; code?: string; msg: string }).filter((l) => l.code === 'CONSENSUS_CONFLICTING_CERTIFICATES')
    expect(fatal).toHaveLength(1)
    expect(fatal[0]!.level).toBe(60)
    expect(fatal[0]!.msg).toContain(toHex(a2.hash()))
    expect(fatal[0]!.msg).toContain(toHex(b2x.hash()))

    // It follows no more: chain A grows, the node stays where it halted, and a commit is refused with the code.
    const a3 = await emptyChild(a2, 1n)
    const certA3 = certify(a3, [0, 1, 2])
    served = [g, { block: a1, cert: certA1 }, { block: a2, cert: certA2 }, { block: a3, cert: certA3 }]
    await sleep(SYNC_ROUNDS_MS)
    expect(fn.node.blockNumber()).toBe(2n)
    const refused = await fn.node
      .exclusive(async () => {
        const candidate = await fn.node.replay(a3)
        try {
          await fn.node.commit(candidate, certA3)
        } finally {
          await fn.node.abandon()
        }
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(isCausewayError(refused, 'CONSENSUS_CONFLICTING_CERTIFICATES')).toBe(true)
    expect(fn.node.blockNumber()).toBe(2n)
  }, 60_000)
})
