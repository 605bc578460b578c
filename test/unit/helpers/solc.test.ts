// The Solidity test helper: bundled solc-js compiles OpenZeppelin imports from node_modules, reports errors in one
// Error, ignores warnings and caches per process.
import { describe, expect, it } from 'vitest'
import { DEFAULT_EVM_VERSION, compileSolidity, compileTestContracts, solcVersion } from '../../helpers/solc.js'

describe('compileSolidity', () => {
  it('compiles TestToken (OpenZeppelin ERC-20) and Counter, then answers from the cache', () => {
    const t0 = performance.now()
    const { TestToken, Counter } = compileTestContracts()
    const first = performance.now() - t0
    console.log(`solc ${solcVersion()}: TestToken + OpenZeppelin + Counter compiled in ${first.toFixed(0)} ms (incl. loading solc-js)`)
    expect(TestToken.bytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/)
    expect(TestToken.deployedBytecode.length).toBeGreaterThan(2)
    const names = TestToken.abi.filter((f) => f.type === 'function').map((f) => f.name)
    expect(names).toEqual(expect.arrayContaining(['transfer', 'balanceOf', 'failWith', 'failCustom']))
    expect(TestToken.abi).toContainEqual(expect.objectContaining({ type: 'error', name: 'Nope' }))
    expect(Counter.abi).toContainEqual(expect.objectContaining({ type: 'event', name: 'Incremented' }))

    const t1 = performance.now()
    expect(compileTestContracts().TestToken).toBe(TestToken)
    expect(performance.now() - t1).toBeLessThan(50)
    expect(Object.isFrozen(TestToken.abi)).toBe(true)
  })

  it('defaults to prague, which solc 0.8.30 supports, and passes another evmVersion through', () => {
    expect(DEFAULT_EVM_VERSION).toBe('prague')
    // The non-payable check reverts with PUSH0 PUSH0 REVERT from shanghai on, PUSH1 0 DUP1 REVERT before.
    const src = { 'P.sol': 'pragma solidity ^0.8.20; contract P { function f() external pure returns (uint256) { return 0; } }' }
    expect(compileSolidity(src).contracts['P.sol:P']?.bytecode).toContain('5f5ffd')
    expect(compileSolidity(src, { evmVersion: 'paris' }).contracts['P.sol:P']?.bytecode).toContain('600080fd')
    expect(() => compileSolidity(src, { evmVersion: 'no-such-fork' })).toThrow(/Invalid EVM version/)
  })

  it('throws one Error listing every compiler error, and ignores warnings', () => {
    const bad = {
      'Bad.sol': 'pragma solidity ^0.8.20;\nimport "@nope/missing/X.sol";\ncontract Bad { function f() public { uint256 x = "s"; } }',
    }
    let err: (Error & { errors?: string[] }) | undefined
    try {
      compileSolidity(bad)
    } catch (e) {
      err = e as Error & { errors?: string[] }
    }
    expect(err).toBeInstanceOf(Error)
    expect(err?.message).toMatch(/@nope\/missing\/X\.sol/)
    expect(err?.errors?.length).toBeGreaterThanOrEqual(1)
    // Only a warning (no SPDX line, unused variable): compiles.
    const warned = compileSolidity({ 'W.sol': 'pragma solidity ^0.8.20; contract W { function f() public pure { uint256 x; } }' })
    expect(warned.contracts['W.sol:W']?.bytecode.length).toBeGreaterThan(2)
  })

  it('never reads outside node_modules or the import roots', () => {
    expect(() => compileSolidity({ 'E.sol': 'pragma solidity ^0.8.20; import "/etc/passwd"; contract E {}' })).toThrow(/passwd/)
  })
})
