// Property: every EVM-family method, called by anyone (members included) with arbitrary well-typed arguments or
// with arbitrary bytes after its selector, either succeeds or reverts with a code — never BRIDGE_INTERNAL, never
// an uncoded failure — and the reserves of an existing wrapped token keep locked = supply + pending.
import fc from 'fast-check'
import { Address } from '@ethereumjs/util'
import { hexlify, type ParamType } from 'ethers'
import { describe, expect, it } from 'vitest'
import { wrappedTokenAddress } from '../../../../../peg/evm/index.js'
import { evmFamily } from '../../../../../sidechain/bridge/evm/methods.js'
import { BRIDGE_ADDRESS } from '../../../../../sidechain/chain/params.js'
import { bridge } from '../../../../helpers/bridge-vm.js'
import { MAIN_CHAIN_ID, depositLog, filler, mainBlock, memberAddresses, openEvmWorld, receipt } from '../../../../helpers/evm-bridge-world.js'

const alice = new Uint8Array(20).fill(0xa1)
const names = Object.keys(evmFamily.methods)

function arbitraryFor(t: ParamType, pool: Uint8Array[]): fc.Arbitrary<unknown> {
  if (t.baseType === 'array') return fc.array(arbitraryFor(t.arrayChildren!, pool), { maxLength: 4 })
  switch (t.type) {
    case 'uint256':
      return fc.oneof(fc.bigInt({ min: 0n, max: 5n }), fc.constant(MAIN_CHAIN_ID), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }))
    case 'address':
      return fc.oneof(fc.constantFrom(...pool), fc.uint8Array({ minLength: 20, maxLength: 20 }))
    case 'bytes32':
      return fc.uint8Array({ minLength: 32, maxLength: 32 })
    case 'bytes':
      return fc.uint8Array({ maxLength: 700 })
    default:
      throw new Error(`no arbitrary for ${t.type}`)
  }
}

describe('EVM-family methods under arbitrary calls (property)', () => {
  it('never BRIDGE_INTERNAL, always coded; reserves balance', async () => {
    const w = await openEvmWorld()
    const b = await mainBlock(9n, [...filler(3), receipt(2, [depositLog({ nonce: 1n, recipient: alice, amount: 10n })])])
    await w.attest(b)
    expect((await w.vm.call(alice, 'registerEvmDeposit', [MAIN_CHAIN_ID, b.rlp, 3n, await b.proof(3), 0n])).code).toBeUndefined()
    const wEth = wrappedTokenAddress(MAIN_CHAIN_ID, new Uint8Array(20))
    const pool = [alice, wEth, ...memberAddresses]
    const callers = fc.constantFrom(alice, ...memberAddresses)
    const typed = fc.constantFrom(...names).chain((name) => {
      const f = bridge.getFunction(name)!
      return fc.tuple(fc.constant(name), fc.tuple(...f.inputs.map((t) => arbitraryFor(t, pool))))
    })
    const codes = new Map<string, number>()
    let ok = 0
    await fc.assert(
      fc.asyncProperty(callers, typed, async (from, [name, args]) => {
        const r = await w.vm.call(from, name, args as unknown[])
        if (r.ok) ok++
        else {
          expect(r.code).toBeDefined()
          expect(r.code).not.toBe('BRIDGE_INTERNAL')
          codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1)
        }
      }),
      { numRuns: 1_500, seed: 42 },
    )
    const raw = fc.tuple(fc.constantFrom(...names), fc.uint8Array({ maxLength: 400 }))
    await fc.assert(
      fc.asyncProperty(raw, async ([name, tail]) => {
        const data = new Uint8Array([...Buffer.from(bridge.getFunction(name)!.selector.slice(2), 'hex'), ...tail])
        const r = await w.vm.vm.evm.runCall({ caller: new Address(alice), to: new Address(BRIDGE_ADDRESS), data, gasLimit: 5_000_000n })
        if (r.execResult.exceptionError === undefined) return
        const err = bridge.parseError(hexlify(r.execResult.returnValue))
        expect(err).not.toBeNull()
        expect(err!.args[0]).not.toBe('BRIDGE_INTERNAL')
      }),
      { numRuns: 1_000, seed: 43 },
    )
    console.log(`arbitrary calls: ${ok} succeeded; refusals`, Object.fromEntries(codes))
    const r = await w.reserves(wEth)
    expect(r.locked).toBe(r.supply + r.pending)
  }, 240_000)
})
