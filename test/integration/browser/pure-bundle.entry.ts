// The page side of pure-bundle.test.ts: bundled for the browser with spv/ and peg/, it fetches real mainnet data
// from the test's loopback server, checks it with the pure layer inside Chromium and posts what it found back.
// The typed bridge client (client/bridge.ts) runs here too, over a JSON-RPC transport that answers from the test's
// data: a view's result decoded by the ABI, a refusal read back as the bridge's BridgeError code.
import { createPublicClient, custom } from 'viem'
import * as spv from '../../../spv/index.js'
import * as peg from '../../../peg/bitcoin/index.js'
import { bridgeErrorOf, bridgeReader } from '../../../client/bridge.js'

/** What the test sends: hex strings of real data, and the first height of the headers. */
export interface PageInput {
  readonly headers: string
  readonly startHeight: number
  readonly proof: string
  readonly pubkeys: readonly string[]
  /** What eth_call answers for getReserves (ABI-encoded), and the revert data of every other call. */
  readonly reservesResult: string
  readonly revertData: string
  readonly reservesSelector: string
}

/** What the page answers; `error` when anything threw. */
export interface PageAnswer {
  readonly headers?: { valid: boolean; count: number; tip?: string; code?: string }
  readonly proof?: { blockHash: string; matches: number[] }
  readonly federationAddress?: string
  readonly badKeyCode?: string
  readonly reserves?: string[]
  readonly refusalCode?: string
  readonly error?: string
}

/** The bridge client over a transport that answers from `input` (no network). */
async function client(input: PageInput): Promise<{ reserves: string[]; refusalCode: string | undefined }> {
  const transport = custom({
    async request({ method, params }: { method: string; params?: unknown }) {
      if (method !== 'eth_call') throw new Error(`unexpected ${method}`)
      const data = (params as [{ data: string }])[0].data
      if (data.startsWith(input.reservesSelector)) return input.reservesResult
      throw Object.assign(new Error('execution reverted'), { code: 3, data: input.revertData })
    },
  })
  const read = bridgeReader(createPublicClient({ transport }))
  const reserves = (await read.getReserves()).map((x) => x.toString())
  let refusalCode: string | undefined
  try {
    await read.getPegOut([5n])
  } catch (e) {
    refusalCode = bridgeErrorOf(e)?.code
  }
  return { reserves, refusalCode }
}

function run(input: PageInput): PageAnswer {
  const seq = spv.bitcoin.verifyHeaderSequence(spv.bitcoin.mainnet, spv.hexToBytes(input.headers), { startHeight: input.startHeight })
  const proof = spv.bitcoin.verifyTxOutProof(spv.hexToBytes(input.proof))
  // peg/: the federation address (tiny-secp256k1's WebAssembly checks every key) and a key off the curve refused.
  const fed = peg.createFederation(input.pubkeys.map((k) => spv.hexToBytes(k, 'pubkey', 33)), 2)
  let badKeyCode: string | undefined
  try {
    peg.checkPublicKey(Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff)))
  } catch (e) {
    badKeyCode = spv.isCausewayError(e) ? e.code : String(e)
  }
  return {
    headers: seq.valid ? { valid: true, count: seq.count, tip: seq.tip } : { valid: false, count: seq.count, code: seq.code },
    proof: { blockHash: spv.hashToDisplayHex(proof.blockHash), matches: proof.matches.map((m) => m.index) },
    federationAddress: peg.federationAddress(fed, peg.addressNetworkFor(spv.bitcoin.mainnet)),
    ...(badKeyCode === undefined ? {} : { badKeyCode }),
  }
}

async function main(): Promise<void> {
  let answer: PageAnswer
  try {
    const input = (await (await fetch('/input')).json()) as PageInput
    answer = { ...run(input), ...(await client(input)) }
  } catch (e) {
    answer = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }
  }
  await fetch('/result', { method: 'POST', body: JSON.stringify(answer) })
}

await main()
