// The EVM peg's test contracts (test/helpers/contracts/evm/: odd tokens, a look-alike vault, a gas-hungry
// recipient), compiled in one solc run with the project's wrapper, cached per process.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileSolidity, type CompiledContract } from '../../regtest/solidity/compile.js'

const contractsDir = fileURLToPath(new URL('./contracts/evm/', import.meta.url))

export interface EvmTestContracts {
  /** `constructor(string name, string symbol, uint8 decimals, uint256 supply)`: OpenZeppelin ERC-20, any decimals. */
  readonly TestERC20: CompiledContract
  /** `constructor(uint256 supply)`: burns 1% of every transfer. */
  readonly FeeOnTransferToken: CompiledContract
  /** `constructor(uint256 supply)`: USDT-like, transfer/transferFrom/approve return nothing. */
  readonly NoReturnToken: CompiledContract
  /** `constructor(uint256 supply)`; `arm(vault, call)`: its next transfer out of the vault calls the vault back. */
  readonly ReentrantToken: CompiledContract
  /** Emits the Vault's Deposit event without locking anything. */
  readonly LookAlikeVault: CompiledContract
  /** `constructor(bytes32 name, bytes32 symbol, uint256 supply)`. */
  readonly Bytes32MetadataToken: CompiledContract
  /** `constructor(uint256 supply)`: no name, symbol or decimals. */
  readonly NoMetadataToken: CompiledContract
  /** `constructor(uint256 supply)`: a 100-byte name, a 64 KiB symbol answer, decimals 256. */
  readonly HugeMetadataToken: CompiledContract
  /** `constructor(uint256 slots)`: receive() writes that many fresh slots. */
  readonly GasHungryRecipient: CompiledContract
}

let cached: EvmTestContracts | undefined

/** Compiles every test/helpers/contracts/evm/*.sol (optimizer on, as the Vault is) once per process. */
export function compileEvmTestContracts(): EvmTestContracts {
  if (cached !== undefined) return cached
  const units = readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort()
  const sources = Object.fromEntries(units.map((u) => [u, readFileSync(path.join(contractsDir, u), 'utf8')]))
  const { contracts } = compileSolidity(sources, { importRoots: [contractsDir], optimize: true })
  const pick = (name: string): CompiledContract => {
    const c = contracts[`${name}.sol:${name}`]
    if (c === undefined) throw new Error(`compiled output has no ${name}`)
    return c
  }
  cached = {
    TestERC20: pick('TestERC20'),
    FeeOnTransferToken: pick('FeeOnTransferToken'),
    NoReturnToken: pick('NoReturnToken'),
    ReentrantToken: pick('ReentrantToken'),
    LookAlikeVault: pick('LookAlikeVault'),
    Bytes32MetadataToken: pick('Bytes32MetadataToken'),
    NoMetadataToken: pick('NoMetadataToken'),
    HugeMetadataToken: pick('HugeMetadataToken'),
    GasHungryRecipient: pick('GasHungryRecipient'),
  }
  return cached
}
