// The real `causeway spv …` commands, run as a user runs them (node cli/bin/causeway.mjs): JSON on stdout
// and exit codes 0 (valid), 1 (invalid, with the code), 2 (usage error).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Block } from 'bitcoinjs-lib'
import { bytesToHex, hexToBytes } from '../../../spv/base/bytes.js'
import { regtest } from '../../../spv/bitcoin/networks.js'
import { hash256 } from '../../../spv/bitcoin/hash.js'
import { mineChain } from '../../helpers/mine.js'
import { MAINNET_HEADERS_FILE, bitcoinTestdata, projectRoot, readPeriodEdges, readTestdata } from '../../helpers/testdata.js'

const bin = path.join(projectRoot, 'cli/bin/causeway.mjs')
const tmp = mkdtempSync(path.join(tmpdir(), 'causeway-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Run {
  code: number
  json: Record<string, unknown>
  stderr: string
}

function causeway(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: projectRoot, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      if (code === -1) return reject(error)
      try {
        resolve({ code, json: JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>, stderr })
      } catch {
        reject(new Error(`not JSON: ${stdout} ${stderr}`))
      }
    })
  })
}

const headersPath = path.join(bitcoinTestdata, MAINNET_HEADERS_FILE)
const proofPath = path.join(bitcoinTestdata, 'txoutproof-830000/0830000-100.bin')

describe.concurrent('causeway spv verify-headers', { timeout: 120_000 }, () => {
  it('the real mainnet headers are valid', async () => {
    const r = await causeway('spv', 'verify-headers', '--network', 'mainnet', '--start-height', '822528', headersPath)
    expect(r.code).toBe(0)
    const data = readTestdata(MAINNET_HEADERS_FILE)
    expect(r.json).toMatchObject({ valid: true, count: 8065, tip: Block.fromBuffer(data.subarray(8064 * 80)).getId(), tipHeight: 830_592 })
    expect(r.json.chainwork).toMatch(/^0x[0-9a-f]+$/)
  })

  it('one changed byte: exit 1 with the height and code of the bad header', async () => {
    const data = readTestdata(MAINNET_HEADERS_FILE).slice(0, 100 * 80)
    data[50 * 80 + 40]! ^= 1 // merkle root of header #50
    const file = path.join(tmp, 'bad.bin')
    writeFileSync(file, data)
    const r = await causeway('spv', 'verify-headers', '--network', 'mainnet', '--start-height', '822528', file)
    expect(r.code).toBe(1)
    expect(r.json).toMatchObject({ valid: false, height: 822_578, code: 'SPV_BAD_POW' })
  })

  it('a regtest chain from genesis needs no start height', async () => {
    const headers = [hexToBytes(regtest.genesisHeader), ...mineChain(hash256(hexToBytes(regtest.genesisHeader)), 1_296_688_602, 20, regtest.powLimitBits)]
    const file = path.join(tmp, 'regtest.bin')
    writeFileSync(file, Buffer.concat(headers))
    const r = await causeway('spv', 'verify-headers', '--network', 'regtest', file)
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ valid: true, count: 21, startHeight: 0, tipHeight: 20 })
  })

  it('usage errors exit 2: no start height, unknown network, missing file', async () => {
    const noHeight = await causeway('spv', 'verify-headers', '--network', 'mainnet', headersPath)
    expect(noHeight.code).toBe(2)
    expect(noHeight.json).toMatchObject({ error: { code: 'CLI_USAGE' } })
    const badNet = await causeway('spv', 'verify-headers', '--network', 'litecoin', '--start-height', '0', headersPath)
    expect(badNet).toMatchObject({ code: 2, json: { error: { code: 'CLI_BAD_NETWORK' } } })
    const missing = await causeway('spv', 'verify-headers', '--network', 'mainnet', '--start-height', '0', path.join(tmp, 'nope.bin'))
    expect(missing).toMatchObject({ code: 2, json: { error: { code: 'CLI_FILE_UNREADABLE' } } })
  })
})

describe.concurrent('causeway spv verify-proof', { timeout: 120_000 }, () => {
  const block = Block.fromBuffer(readTestdata('mainnet-block-830000.bin'))

  it('a real proof from a file: the block, the root and transaction 100', async () => {
    const r = await causeway('spv', 'verify-proof', '--proof', `@${proofPath}`)
    expect(r.code).toBe(0)
    expect(r.json).toEqual({
      valid: true,
      blockHash: block.getId(),
      merkleRoot: Buffer.from(block.merkleRoot!).reverse().toString('hex'),
      matches: [{ txid: block.transactions![100]!.getId(), index: 100 }],
    })
  })

  it('the same proof as hex, pinned to its header', async () => {
    const proof = readTestdata('txoutproof-830000/0830000-100.bin')
    const r = await causeway('spv', 'verify-proof', '--proof', bytesToHex(proof), '--header', bytesToHex(proof.subarray(0, 80)))
    expect(r.code).toBe(0)
  })

  it('a changed hash in the proof: exit 1 with its code', async () => {
    const proof = readTestdata('txoutproof-830000/0830000-100.bin').slice()
    proof[100]! ^= 1
    const r = await causeway('spv', 'verify-proof', '--proof', bytesToHex(proof))
    expect(r.code).toBe(1)
    expect(r.json).toMatchObject({ valid: false, code: 'SPV_PROOF_MERKLE_MISMATCH' })
  })

  it('a proof for another header: exit 1', async () => {
    const proof = readTestdata('txoutproof-830000/0830000-100.bin')
    const other = readTestdata(MAINNET_HEADERS_FILE).subarray(0, 80)
    const r = await causeway('spv', 'verify-proof', '--proof', bytesToHex(proof), '--header', bytesToHex(other))
    expect(r).toMatchObject({ code: 1, json: { valid: false, code: 'SPV_PROOF_HEADER_MISMATCH' } })
  })

  it('malformed hex or a missing --proof: exit 2', async () => {
    expect((await causeway('spv', 'verify-proof', '--proof', 'xyz')).code).toBe(2)
    expect((await causeway('spv', 'verify-proof')).code).toBe(2)
  })
})

describe.concurrent('causeway spv next-bits', { timeout: 120_000 }, () => {
  const edges = readPeriodEdges()
  const at = (h: number) => edges.find((e) => e.height === h)!.header

  it('gives the real bits of the next period', async () => {
    for (const p of [32, 150]) {
      const r = await causeway('spv', 'next-bits', '--network', 'mainnet', '--first', at(p * 2016), '--last', at(p * 2016 + 2015))
      expect(r.code).toBe(0)
      const nextBits = new DataView(hexToBytes(at((p + 1) * 2016)).buffer).getUint32(72, true)
      expect(r.json.bits).toBe(nextBits.toString(16).padStart(8, '0'))
    }
  })

  it('a header of the wrong length: exit 2', async () => {
    const r = await causeway('spv', 'next-bits', '--network', 'mainnet', '--first', 'abcd', '--last', at(2015))
    expect(r).toMatchObject({ code: 2, json: { error: { code: 'CLI_BAD_HEX' } } })
  })
})
