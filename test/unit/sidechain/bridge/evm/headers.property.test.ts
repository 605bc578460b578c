// Property: the bridge's header attestations agree with a plain model of PROTOCOL.md "Headers" — each member one
// attestation per height (moving when it attests another hash); a header accepted iff ≥ k attest it and no other
// hash at its height is attested; the best block the accepted header of the greatest number — over random
// sequences of attestations to competing headers at a few heights, conflicts and their resolution included.
import fc from 'fast-check'
import { hexlify } from 'ethers'
import { describe, expect, it } from 'vitest'
import { MAIN_CHAIN_ID, evmConfig, filler, mainBlock, memberAddresses, openEvmWorld, type MainBlock } from '../../../../helpers/evm-bridge-world.js'

const K = 3
const HEIGHTS = [10n, 11n, 12n]

describe('header attestations (property, against a model)', () => {
  it('accepted headers and the best block match the model after every attestation', async () => {
    const blocks = new Map<string, MainBlock>()
    for (const h of HEIGHTS) for (const salt of [0, 1]) blocks.set(`${h}:${salt}`, await mainBlock(h, filler(2), salt))
    let checks = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ member: fc.integer({ min: 0, max: 3 }), height: fc.constantFrom(...HEIGHTS), salt: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 14 }),
        async (steps) => {
          const w = await openEvmWorld(evmConfig(true, K))
          const model = new Map<string, string>() // `${height}:${member}` -> block key
          for (const s of steps) {
            const block = blocks.get(`${s.height}:${s.salt}`)!
            const r = await w.vm.call(memberAddresses[s.member]!, 'attestEvmHeader', [MAIN_CHAIN_ID, block.rlp])
            expect(r.code).toBeUndefined()
            model.set(`${s.height}:${s.member}`, `${s.height}:${s.salt}`)
            let best: bigint | undefined
            for (const h of HEIGHTS) {
              const attested = [0, 1, 2, 3].map((m) => model.get(`${h}:${m}`)).filter((x) => x !== undefined)
              const distinct = new Set(attested)
              for (const salt of [0, 1]) {
                const key = `${h}:${salt}`
                const count = attested.filter((x) => x === key).length
                const accepted = distinct.size === 1 && count >= K
                if (accepted) best = h
                const view = await w.vm.call(memberAddresses[0]!, 'getEvmHeader', [MAIN_CHAIN_ID, blocks.get(key)!.hash])
                expect(view.result.accepted).toBe(accepted)
                expect(view.result.attestations).toBe(BigInt(count))
                checks++
              }
            }
            const got = await w.vm.call(memberAddresses[0]!, 'getEvmBestBlock', [MAIN_CHAIN_ID])
            expect(got.result[1]).toBe(best ?? 0n)
            if (best !== undefined) {
              // At an accepted height every attestation names the same header.
              const key = [0, 1, 2, 3].map((m) => model.get(`${best}:${m}`)).find((x) => x !== undefined)!
              const winner = blocks.get(key)!
              expect(got.result[0]).toBe(hexlify(winner.hash))
            }
          }
        },
      ),
      { numRuns: 120, seed: 7 },
    )
    console.log(`header model checks: ${checks}`)
    expect(checks).toBeGreaterThan(1_000)
  }, 240_000)
})
