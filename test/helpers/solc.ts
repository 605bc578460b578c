// The test contracts (test/helpers/contracts/), compiled with the project's solc wrapper (regtest/solidity).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileSolidity, type CompileOptions, type CompiledContract } from '../../regtest/solidity/compile.js'

export * from '../../regtest/solidity/compile.js'

const contractsDir = fileURLToPath(new URL('./contracts/', import.meta.url))

export interface TestContracts {
  /** `constructor(uint256 initialSupply)` mints to the deployer; `failWith(string)`, `failCustom(uint256)` revert. */
  readonly TestToken: CompiledContract
  /** `increment()` emits `Incremented(uint256 value)`; `value()` reads it. */
  readonly Counter: CompiledContract
}

/** Compiles test/helpers/contracts/ (TestToken on OpenZeppelin's ERC-20, and Counter) in one solc run, cached. */
export function compileTestContracts(opts: CompileOptions = {}): TestContracts {
  const sources = {
    'TestToken.sol': readFileSync(path.join(contractsDir, 'TestToken.sol'), 'utf8'),
    'Counter.sol': readFileSync(path.join(contractsDir, 'Counter.sol'), 'utf8'),
  }
  const { contracts } = compileSolidity(sources, opts)
  return { TestToken: pick(contracts, 'TestToken.sol:TestToken'), Counter: pick(contracts, 'Counter.sol:Counter') }
}

/** The TestToken artifact (see {@link TestContracts}). */
export function compileTestToken(opts: CompileOptions = {}): CompiledContract {
  return compileTestContracts(opts).TestToken
}

/** The Counter artifact (see {@link TestContracts}). */
export function compileCounter(opts: CompileOptions = {}): CompiledContract {
  return compileTestContracts(opts).Counter
}

function pick(contracts: Readonly<Record<string, CompiledContract>>, key: string): CompiledContract {
  const c = contracts[key]
  if (c === undefined) throw new Error(`compiled output has no ${key}`)
  return c
}
