// The stored header chain: the real mainnet headers in order and shuffled, forks and reorgs on mined regtest
// headers, confirmations, orphans, all-or-nothing batches and checkpoint checks.
import { describe, expect, it } from 'vitest'
import { HeaderChain } from '../../../../spv/bitcoin/chain.js'
import { mainnet, regtest } from '../../../../spv/bitcoin/networks.js'
import { verifyHeaderSequence } from '../../../../spv/bitcoin/sequence.js'
import { workFromBits } from '../../../../spv/bitcoin/pow.js'
import { splitHeaders } from '../../../../spv/bitcoin/header.js'
import { hash256 } from '../../../../spv/bitcoin/hash.js'
import { MemoryStore } from '../../../../spv/base/kv.js'
import { hashToDisplayHex, hexToBytes } from '../../../../spv/base/bytes.js'
import { MAINNET_HEADERS_FILE, MAINNET_HEADERS_START, readTestdata } from '../../../helpers/testdata.js'
import { mineChain, mineHeader } from '../../../helpers/mine.js'

const hex = (h: Uint8Array) => hashToDisplayHex(h)

describe('real mainnet headers', () => {
  const headers = splitHeaders(readTestdata(MAINNET_HEADERS_FILE))
  const first = headers[0]!
  const checkpoint = { height: MAINNET_HEADERS_START, header: first, chainWork: workFromBits(new DataView(first.buffer, first.byteOffset).getUint32(72, true)) }
  const expected = verifyHeaderSequence(mainnet, readTestdata(MAINNET_HEADERS_FILE), { startHeight: MAINNET_HEADERS_START })

  it('in one batch: the same tip and chain work as the sequence verifier', async () => {
    const chain = await HeaderChain.open(new MemoryStore(), mainnet, checkpoint)
    const r = await chain.add(headers.slice(1))
    expect(r.connected).toHaveLength(8064)
    expect(expected.valid).toBe(true)
    if (!expected.valid) return
    expect(hex(r.tip.hash)).toBe(expected.tip)
    expect(r.tip.height).toBe(830_592)
    expect(r.tip.chainWork).toBe(expected.chainWork)
    expect(r.bestChange?.left).toEqual([])
    expect(r.bestChange?.joined).toHaveLength(8064)
    expect(await chain.confirmations(hash256(first))).toBe(8065)
    expect(await chain.confirmations(hash256(headers[8064]!))).toBe(1)
    // Cross-check with the separately collected block 830,000.
    expect(hex((await chain.getHashAt(830_000))!)).toBe(hex(hash256(readTestdata('mainnet-block-830000.bin').subarray(0, 80))))
  }, 60_000)

  it('in shuffled chunks (orphans waiting for parents): the same tip', async () => {
    const chain = await HeaderChain.open(new MemoryStore(), mainnet, checkpoint, { maxOrphans: 10_000 })
    const chunks: Uint8Array[][] = []
    for (let i = 1; i < headers.length; i += 500) chunks.push(headers.slice(i, i + 500))
    chunks.reverse() // every chunk but the last arrives before its parent
    let orphaned = 0
    for (const c of chunks) orphaned += (await chain.add(c)).orphaned
    expect(orphaned).toBe(8064 - 500 + 1 - 1) // all chunks but the one holding the checkpoint's child
    const tip = await chain.tip()
    expect(tip.height).toBe(830_592)
    if (expected.valid) expect(hex(tip.hash)).toBe(expected.tip)
  }, 60_000)

  it('a batch holding one bad header changes nothing', async () => {
    const store = new MemoryStore()
    const chain = await HeaderChain.open(store, mainnet, checkpoint)
    const bad = headers.slice(1, 20).map((h) => h.slice())
    bad[10]![76]! ^= 1
    await expect(chain.add(bad)).rejects.toMatchObject({ code: 'SPV_BAD_POW', details: { index: 10 } })
    expect((await chain.tip()).height).toBe(MAINNET_HEADERS_START)
    expect(store.size).toBe(4) // only what open() wrote
  })
})

const T0 = 1_700_000_000
const BITS = regtest.powLimitBits

async function regtestChain(maxOrphans?: number) {
  const { raw } = mineHeader({ prevHash: new Uint8Array(32), time: T0, bits: BITS })
  const chain = await HeaderChain.open(new MemoryStore(), regtest, { height: 100, header: raw, chainWork: 1000n }, maxOrphans === undefined ? {} : { maxOrphans })
  return { chain, base: hash256(raw) }
}

describe('forks and reorgs (mined regtest headers)', () => {
  it('a shorter competing branch does not become best; a longer one does, and the reorg lists the right blocks', async () => {
    const { chain, base } = await regtestChain()
    const a = mineChain(base, T0, 5, BITS, 600, 1) // heights 101..105
    await chain.add(a)
    const fork = hash256(a[1]!) // height 102
    const b = mineChain(fork, T0 + 1200, 3, BITS, 601, 2) // heights 103..105: equal work, arrives later
    const r1 = await chain.add(b)
    expect(r1.bestChange).toBeNull()
    expect(hex((await chain.tip()).hash)).toBe(hex(hash256(a[4]!)))
    expect(await chain.confirmations(hash256(b[2]!))).toBe(0) // known, on a side branch
    expect(await chain.confirmations(hash256(a[2]!))).toBe(3)

    const more = mineChain(hash256(b[2]!), T0 + 1200 + 3 * 601, 1, BITS, 601, 2) // height 106: more work
    const r2 = await chain.add(more)
    expect(r2.bestChange).not.toBeNull()
    const change = r2.bestChange!
    expect(change.fork).toEqual({ hash: fork, height: 102 })
    expect(change.left.map((x) => [x.height, hex(x.hash)])).toEqual([5, 4, 3].map((i) => [100 + i, hex(hash256(a[i - 1]!))]))
    expect(change.joined.map((x) => [x.height, hex(x.hash)])).toEqual([...b, ...more].map((h, i) => [103 + i, hex(hash256(h))]))
    expect(await chain.confirmations(hash256(a[2]!))).toBe(0)
    expect(await chain.confirmations(hash256(b[0]!))).toBe(4)
    expect(hex((await chain.getHashAt(103))!)).toBe(hex(hash256(b[0]!)))

    // And back: the old branch grows past the new one.
    const back = mineChain(hash256(a[4]!), T0 + 5 * 600, 2, BITS, 600, 1)
    const r3 = await chain.add(back)
    expect(r3.bestChange!.left.map((x) => x.height)).toEqual([106, 105, 104, 103])
    expect(r3.bestChange!.joined.map((x) => x.height)).toEqual([103, 104, 105, 106, 107])
    expect((await chain.tip()).height).toBe(107)
  })

  it('confirmations of an unknown block is -1', async () => {
    const { chain } = await regtestChain()
    expect(await chain.confirmations(new Uint8Array(32).fill(7))).toBe(-1)
  })

  it('duplicates are counted and change nothing', async () => {
    const { chain, base } = await regtestChain()
    const a = mineChain(base, T0, 3, BITS)
    await chain.add(a)
    const r = await chain.add([a[0]!, a[1]!, a[1]!])
    expect(r).toMatchObject({ duplicates: 3, connected: [], bestChange: null })
  })
})

describe('orphans', () => {
  it('headers in reverse order connect once the first arrives', async () => {
    const { chain, base } = await regtestChain()
    const a = mineChain(base, T0, 6, BITS)
    const r1 = await chain.add([a[5]!, a[4]!, a[3]!])
    expect(r1.orphaned).toBe(3)
    expect((await chain.tip()).height).toBe(100)
    await chain.add(a[1]!)
    const r3 = await chain.add([a[2]!, a[0]!])
    expect(r3.connected.map((x) => x.height)).toEqual([101, 102, 103, 104, 105, 106])
    expect((await chain.tip()).height).toBe(106)
  })

  it('a bad orphan is dropped when its parent arrives, and does not block the parent', async () => {
    const { chain, base } = await regtestChain()
    const [a1] = mineChain(base, T0, 1, BITS)
    const badChild = mineHeader({ prevHash: hash256(a1!), time: T0 + 1200, bits: BITS, version: 1 }).raw // obsolete version
    expect((await chain.add(badChild)).orphaned).toBe(1)
    const r = await chain.add(a1!)
    expect(r.connected.map((x) => x.height)).toEqual([101])
    expect(r.droppedOrphans).toEqual([{ hash: hash256(badChild), code: 'SPV_BAD_VERSION' }])
  })

  it('an orphan that fails its own proof of work is refused', async () => {
    const { chain } = await regtestChain()
    const fake = mineHeader({ prevHash: new Uint8Array(32).fill(9), time: T0, bits: BITS }).raw
    // Find a nonce whose hash misses the target: regtest's target passes about half of all hashes.
    for (let n = 0; ; n++) {
      new DataView(fake.buffer).setUint32(76, n, true)
      if (hash256(fake)[31]! >= 0x80) break
    }
    await expect(chain.add(fake)).rejects.toMatchObject({ code: 'SPV_BAD_POW', details: { index: 0 } })
  })

  it('too many orphans are refused with SPV_TOO_MANY_ORPHANS', async () => {
    const { chain } = await regtestChain(2)
    const orphans = mineChain(new Uint8Array(32).fill(5), T0, 3, BITS)
    await chain.add(orphans.slice(0, 2))
    await expect(chain.add(orphans[2]!)).rejects.toMatchObject({ code: 'SPV_TOO_MANY_ORPHANS' })
  })
})

describe('checkpoint and store', () => {
  it('refuses a store started from another checkpoint', async () => {
    const store = new MemoryStore()
    const genesis = hexToBytes(regtest.genesisHeader)
    await HeaderChain.open(store, regtest, { height: 0, header: genesis, chainWork: 2n })
    const other = mineHeader({ prevHash: new Uint8Array(32), time: T0, bits: BITS }).raw
    await expect(HeaderChain.open(store, regtest, { height: 0, header: other, chainWork: 2n })).rejects.toMatchObject({ code: 'SPV_CHECKPOINT_MISMATCH' })
    // Reopening with the same checkpoint resumes.
    const again = await HeaderChain.open(store, regtest, { height: 0, header: genesis, chainWork: 2n })
    expect((await again.tip()).height).toBe(0)
  })

  it('refuses a header of the wrong length with its index', async () => {
    const { chain } = await regtestChain()
    await expect(chain.add([new Uint8Array(81)])).rejects.toMatchObject({ code: 'SPV_BAD_HEADER_LENGTH', details: { index: 0 } })
  })

  it('serializes concurrent adds', async () => {
    const { chain, base } = await regtestChain()
    const a = mineChain(base, T0, 20, BITS)
    await Promise.all(a.map((h) => chain.add(h)))
    expect((await chain.tip()).height).toBe(120)
  })
})
