// Property: no mutation of a real deposit's header, proof or indices is ever accepted by registerEvmDeposit, and
// every refusal is a coded revert of the EVM wing or the peg rules (BRIDGE_EVM_… / EVM_PEG_…), never
// BRIDGE_INTERNAL and never a bare EVM failure. The unmutated registration is checked to succeed afterwards, so
// the property cannot pass vacuously, and the reserves show nothing was minted meanwhile.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { wrappedTokenAddress } from '../../../../../peg/evm/index.js'
import { MAIN_CHAIN_ID, depositLog, filler, mainBlock, openEvmWorld, receipt } from '../../../../helpers/evm-bridge-world.js'

const alice = new Uint8Array(20).fill(0xa1)
// 1,000 here; the real anvil proofs get 2,000 more in real-proof.property.test.ts.
const RUNS = 1_000

type Case = { rlp: Uint8Array; tx: bigint; proof: Uint8Array[]; log: bigint }

const same = (a: Case, b: Case) =>
  Buffer.from(a.rlp).equals(Buffer.from(b.rlp)) && a.tx === b.tx && a.log === b.log &&
  a.proof.length === b.proof.length && a.proof.every((n, i) => Buffer.from(n).equals(Buffer.from(b.proof[i]!)))

describe('registerEvmDeposit under mutation (property)', () => {
  it(`accepts no mutated header, proof or index (${RUNS} runs), each refusal coded`, async () => {
    const w = await openEvmWorld()
    // A previous deposit creates the token, so a (wrongly) accepted mutation would show as supply.
    const receipts = filler(20)
    receipts[5] = receipt(2, [depositLog({ nonce: 1n, recipient: alice, amount: 1n })])
    receipts[13] = receipt(4, [{ address: new Uint8Array(20).fill(3), topics: [], data: new Uint8Array(0) }, depositLog({ nonce: 2n, recipient: alice, amount: 1_000n })])
    const b = await mainBlock(9n, receipts)
    await w.attest(b)
    expect((await w.vm.call(alice, 'registerEvmDeposit', [MAIN_CHAIN_ID, b.rlp, 5n, await b.proof(5), 0n])).code).toBeUndefined()
    const wEth = wrappedTokenAddress(MAIN_CHAIN_ID, new Uint8Array(20))
    const good: Case = { rlp: b.rlp, tx: 13n, proof: await b.proof(13), log: 1n }
    const other = await b.proof(12)

    const byteFlip = (bytes: Uint8Array, at: number, x: number) => {
      const c = new Uint8Array(bytes)
      c[at % c.length]! ^= x
      return c
    }
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('node-flip'), node: fc.nat(), at: fc.nat(), x: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('node-cut'), node: fc.nat(), keep: fc.nat() }),
      fc.record({ kind: fc.constant('node-extend'), node: fc.nat(), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
      fc.record({ kind: fc.constant('node-drop'), node: fc.nat() }),
      fc.record({ kind: fc.constant('node-insert'), node: fc.nat(), from: fc.nat() }),
      fc.record({ kind: fc.constant('node-swap'), i: fc.nat(), j: fc.nat() }),
      fc.record({ kind: fc.constant('node-random'), node: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
      fc.record({ kind: fc.constant('header-flip'), at: fc.nat(), x: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('header-trail'), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('header-cut'), keep: fc.nat() }),
      fc.record({ kind: fc.constant('tx-index'), tx: fc.oneof(fc.bigInt({ min: 0n, max: 25n }), fc.bigInt({ min: 0n, max: 1n << 70n })) }),
      fc.record({ kind: fc.constant('log-index'), log: fc.oneof(fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: 0n, max: 1n << 70n })) }),
    )
    let refusals = 0
    const codes = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        let c: Case = { ...good, proof: [...good.proof] }
        for (const m of ms) {
          const n = c.proof.length
          switch (m.kind) {
            case 'node-flip': if (n > 0) c.proof[m.node % n] = byteFlip(c.proof[m.node % n]!, m.at, m.x); break
            case 'node-cut': if (n > 0) c.proof[m.node % n] = c.proof[m.node % n]!.slice(0, m.keep % c.proof[m.node % n]!.length); break
            case 'node-extend': if (n > 0) c.proof[m.node % n] = new Uint8Array([...c.proof[m.node % n]!, ...m.extra]); break
            case 'node-drop': if (n > 0) c.proof.splice(m.node % n, 1); break
            case 'node-insert': c.proof.splice(m.node % (n + 1), 0, other[m.from % other.length]!); break
            case 'node-swap': if (n > 1) [c.proof[m.i % n], c.proof[m.j % n]] = [c.proof[m.j % n]!, c.proof[m.i % n]!]; break
            case 'node-random': if (n > 0) c.proof[m.node % n] = m.bytes; break
            case 'header-flip': c = { ...c, rlp: byteFlip(c.rlp, m.at, m.x) }; break
            case 'header-trail': c = { ...c, rlp: new Uint8Array([...c.rlp, ...m.extra]) }; break
            case 'header-cut': c = { ...c, rlp: c.rlp.slice(0, m.keep % c.rlp.length) }; break
            case 'tx-index': c = { ...c, tx: m.tx }; break
            case 'log-index': c = { ...c, log: m.log }; break
          }
        }
        fc.pre(!same(c, good))
        const r = await w.vm.call(alice, 'registerEvmDeposit', [MAIN_CHAIN_ID, c.rlp, c.tx, c.proof, c.log])
        expect(r.ok).toBe(false)
        expect(r.code).toMatch(/^(BRIDGE_EVM_|EVM_PEG_)/)
        refusals++
        codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1)
      }),
      { numRuns: RUNS, seed: 15 },
    )
    console.log(`mutations refused: ${refusals}`, Object.fromEntries(codes))
    expect(refusals).toBeGreaterThan(RUNS * 0.9)
    const reserves = await w.reserves(wEth)
    expect(reserves).toEqual({ locked: 1n, supply: 1n, pending: 0n })
    // The unmutated registration still goes through: the mutations were all that stopped it.
    const ok = await w.vm.call(alice, 'registerEvmDeposit', [MAIN_CHAIN_ID, good.rlp, good.tx, good.proof, good.log])
    expect(ok.code).toBeUndefined()
    expect((await w.reserves(wEth)).supply).toBe(1_001n)
  }, 240_000)
})
