// SPV benchmark: validates the 8,065 real mainnet headers (repeated for at least a second) with spv/ and, in the
// same run, with a bitcoinjs-lib baseline (Block.fromBuffer + checkProofOfWork + linkage); verifies the real
// gettxoutproof proofs. One core, one thread. Prints its figures, the last line one JSON object. Measured with the
// SHA-256 a causeway process uses (OpenSSL, io/node-sha256.ts), and the header figure also with spv/'s default
// (@noble/hashes, what a browser gets).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Block } from 'bitcoinjs-lib'
import { verifyHeaderSequence } from '../spv/bitcoin/sequence.js'
import { verifyTxOutProof } from '../spv/bitcoin/merkleblock.js'
import { HeaderChain } from '../spv/bitcoin/chain.js'
import { splitHeaders } from '../spv/bitcoin/header.js'
import { workFromBits } from '../spv/bitcoin/pow.js'
import { mainnet } from '../spv/bitcoin/networks.js'
import { MemoryStore } from '../spv/base/kv.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { useSha256 } from '../spv/bitcoin/hash.js'
import { installNodeSha256 } from '../io/node-sha256.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const testdata = path.resolve(root, '../shared/testdata/bitcoin')
const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5)

const headersFile = new Uint8Array(readFileSync(path.join(testdata, 'mainnet-headers-822528-830592.bin')))
const START = 822_528
const COUNT = headersFile.length / 80
const proofDir = path.join(testdata, 'txoutproof-830000')
const proofs = readdirSync(proofDir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => new Uint8Array(readFileSync(path.join(proofDir, f))))

/** Runs `round` until at least MIN_SECONDS have passed (after a warm-up) and returns items per second. */
function measure(itemsPerRound: number, round: () => void): number {
  const warmUntil = performance.now() + 300
  while (performance.now() < warmUntil) round()
  let rounds = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < MIN_SECONDS) {
    round()
    rounds++
    elapsed = Number(process.hrtime.bigint() - start) / 1e9
  }
  return (rounds * itemsPerRound) / elapsed
}

function ours(): void {
  const r = verifyHeaderSequence(mainnet, headersFile, { startHeight: START })
  if (!r.valid) throw new Error(`spv rejected the real headers: ${r.code}`)
}

function baseline(): void {
  let prevHash: Uint8Array | undefined
  for (let i = 0; i < COUNT; i++) {
    const block = Block.fromBuffer(headersFile.subarray(i * 80, i * 80 + 80))
    if (!block.checkProofOfWork()) throw new Error(`baseline: bad proof of work at ${i}`)
    if (prevHash !== undefined && Buffer.compare(Buffer.from(block.prevHash!), Buffer.from(prevHash)) !== 0) {
      throw new Error(`baseline: bad linkage at ${i}`)
    }
    prevHash = block.getHash()
  }
}

function verifyProofs(): void {
  for (const p of proofs) {
    if (verifyTxOutProof(p).matches.length !== 1) throw new Error('proof did not match one transaction')
  }
}

useSha256(nobleSha256)
const nobleHeadersPerSec = measure(COUNT, ours)
installNodeSha256()
const headersPerSec = measure(COUNT, ours)
const baselineHeadersPerSec = measure(COUNT, baseline)
const proofsPerSec = measure(proofs.length, verifyProofs)

// The stored chain (async key-value store in memory): one pass of all headers, for information.
const headers = splitHeaders(headersFile)
const first = headers[0]!
const chain = await HeaderChain.open(new MemoryStore(), mainnet, {
  height: START,
  header: first,
  chainWork: workFromBits(new DataView(first.buffer, first.byteOffset).getUint32(72, true)),
})
const t0 = performance.now()
await chain.add(headers.slice(1))
const chainHeadersPerSec = (COUNT - 1) / ((performance.now() - t0) / 1000)

const round = (n: number) => Math.round(n)
console.log(`node ${process.version}, one thread, at least ${MIN_SECONDS} s per figure`)
console.log(`headers (spv/, full rules):           ${round(headersPerSec).toLocaleString('en')} /s  (${COUNT} real mainnet headers, repeated)`)
console.log(`headers (spv/, noble SHA-256):        ${round(nobleHeadersPerSec).toLocaleString('en')} /s  (the default, as in a browser)`)
console.log(`headers (bitcoinjs-lib baseline):     ${round(baselineHeadersPerSec).toLocaleString('en')} /s  (fromBuffer + checkProofOfWork + linkage)`)
console.log(`speed-up over baseline:               ${(headersPerSec / baselineHeadersPerSec).toFixed(2)}×`)
console.log(`gettxoutproof proofs (decode+verify): ${round(proofsPerSec).toLocaleString('en')} /s  (${proofs.length} real proofs of block 830,000)`)
console.log(`stored header chain (MemoryStore):    ${round(chainHeadersPerSec).toLocaleString('en')} /s  (one pass, ${COUNT - 1} headers in one batch)`)
console.log(
  JSON.stringify({
    headersPerSec: round(headersPerSec),
    nobleHeadersPerSec: round(nobleHeadersPerSec),
    baselineHeadersPerSec: round(baselineHeadersPerSec),
    proofsPerSec: round(proofsPerSec),
    chainHeadersPerSec: round(chainHeadersPerSec),
  }),
)
