// The per-code cache of the EVM's jump-destination analysis: installed on the EVM actually used, hit by the
// second call of the same code, and giving the same results as analysing afresh (a jump into PUSH data still fails).
import { createVM } from '@ethereumjs/vm'
import { Account, Address } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { codeAnalysisCache } from '../../../sidechain/exec/code-analysis.js'
import { openState } from '../../../sidechain/exec/state-trie.js'
import { DEV_CHAIN_ID, createChainCommon } from '../../../sidechain/chain/params.js'

const common = createChainCommon({ name: 'code-analysis-test', chainId: DEV_CHAIN_ID })
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'))

// PUSH1 4, JUMP, INVALID, JUMPDEST, PUSH1 42, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN → returns 42.
const GOOD = hex('600456fe5b602a60005260206000f3')
// PUSH1 3, JUMP, PUSH1 0x5b (a JUMPDEST byte inside PUSH data), STOP → must fail: not a valid destination.
const BAD = hex('600356605b00')

async function vmWith(codes: Record<string, Uint8Array>) {
  const state = await openState()
  for (const [address, code] of Object.entries(codes)) {
    const a = new Address(hex(address))
    await state.putAccount(a, new Account())
    await state.putCode(a, code)
  }
  return createVM({ common, stateManager: state })
}

describe('EVM code analysis cache', () => {
  it('is installed, reused for the same code, and keeps the jump rules', async () => {
    expect(codeAnalysisCache.installed).toBe(true)
    const good = '00000000000000000000000000000000000000aa'
    const bad = '00000000000000000000000000000000000000bb'
    const vm = await vmWith({ [good]: GOOD, [bad]: BAD })
    const call = (to: string) => vm.evm.runCall({ to: new Address(hex(to)), gasLimit: 100_000n })
    const before = { ...codeAnalysisCache }
    for (let i = 0; i < 3; i++) {
      const r = await call(good)
      expect(r.execResult.exceptionError).toBeUndefined()
      expect(BigInt('0x' + Buffer.from(r.execResult.returnValue).toString('hex'))).toBe(42n)
    }
    for (let i = 0; i < 2; i++) expect((await call(bad)).execResult.exceptionError?.error).toMatch(/^invalid JUMP/)
    expect(codeAnalysisCache.misses - before.misses).toBe(2)
    expect(codeAnalysisCache.hits - before.hits).toBe(3)
  })
})
