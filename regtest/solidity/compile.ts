// Compiles Solidity with solc-js (the bundled 0.8.30 compiler, nothing downloaded): standard JSON, imports resolved
// from the project's node_modules (`@openzeppelin/...`), results cached per process. Used by the demo and the tests.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export type Hex = `0x${string}`

export interface CompiledContract {
  readonly abi: any[]
  /** Creation code (constructor + runtime), `0x` for interfaces and abstract contracts. */
  readonly bytecode: Hex
  /** Runtime code as it ends up on chain (before immutables are filled in). */
  readonly deployedBytecode: Hex
  /** solc's storage layout: each state variable's slot, offset and type. */
  readonly storageLayout?: { readonly storage: readonly { readonly label: string; readonly slot: string; readonly offset: number; readonly type: string }[] }
}

export interface CompileOutput {
  /** Keyed by `"<source name>:<contract name>"`, e.g. `"TestToken.sol:TestToken"`; imported files are included. */
  readonly contracts: Readonly<Record<string, CompiledContract>>
}

export interface CompileOptions {
  /** Target EVM version; default {@link DEFAULT_EVM_VERSION}. */
  readonly evmVersion?: string
  /** solc optimizer with 200 runs (Hardhat's and Foundry's usual setting); default off. */
  readonly optimize?: boolean
  /**
   * Folders searched, in order, for imports that are not among `sources` (e.g. a contract's sibling files), before
   * the project's node_modules.
   */
  readonly importRoots?: readonly string[]
}

/** solc 0.8.30 knows `prague` (and makes it its default); `osaka` arrived only in 0.8.31. */
export const DEFAULT_EVM_VERSION = 'prague'

const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const nodeModules = path.join(projectRoot, 'node_modules')

interface Solc {
  version(): string
  compile(input: string, callbacks: { import(importPath: string): { contents: string } | { error: string } }): string
}

let solc: Solc | undefined
/** Loading solc-js instantiates an 8 MB emscripten module (about a second): only do it when something compiles. */
function loadSolc(): Solc {
  solc ??= createRequire(import.meta.url)('solc') as Solc
  return solc
}

/** The version string of the bundled compiler, e.g. `0.8.30+commit.73712a01.Emscripten.clang`. */
export function solcVersion(): string {
  return loadSolc().version()
}

const cache = new Map<string, CompileOutput>()

/**
 * Compiles `sources` (source name → Solidity text). Compiler errors throw one Error listing every error (with the
 * messages also in its `errors` field); warnings are ignored. Identical calls in one process share one result,
 * which is deeply frozen.
 */
export function compileSolidity(sources: Record<string, string>, opts: CompileOptions = {}): CompileOutput {
  const evmVersion = opts.evmVersion ?? DEFAULT_EVM_VERSION
  const optimize = opts.optimize ?? false
  const importRoots = (opts.importRoots ?? []).map((r) => path.resolve(r))
  const names = Object.keys(sources).sort()
  if (names.length === 0) throw new Error('compileSolidity: no sources given')
  const key = createHash('sha256')
    .update(JSON.stringify({ sources: names.map((n) => [n, sources[n]]), evmVersion, optimize, importRoots }))
    .digest('hex')
  const cached = cache.get(key)
  if (cached !== undefined) return cached

  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(names.map((n) => [n, { content: sources[n] }])),
    settings: {
      evmVersion,
      optimizer: { enabled: optimize, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'storageLayout'] } },
    },
  }
  const output = JSON.parse(loadSolc().compile(JSON.stringify(input), { import: (p) => findImport(p, importRoots) })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => (e.formattedMessage ?? e.message).trim())
  if (errors.length > 0) {
    throw Object.assign(new Error(`solc ${loadSolc().version()}: ${errors.length} error(s)\n${errors.join('\n\n')}`), { errors })
  }

  const contracts: Record<string, CompiledContract> = {}
  for (const [file, byName] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      contracts[`${file}:${name}`] = {
        abi: c.abi ?? [],
        bytecode: `0x${c.evm?.bytecode?.object ?? ''}`,
        deployedBytecode: `0x${c.evm?.deployedBytecode?.object ?? ''}`,
        ...(c.storageLayout === undefined ? {} : { storageLayout: c.storageLayout }),
      }
    }
  }
  const result = deepFreeze({ contracts })
  cache.set(key, result)
  return result
}

interface SolcOutput {
  errors?: { severity: string; message: string; formattedMessage?: string }[]
  contracts?: Record<string, Record<string, { abi?: any[]; evm?: { bytecode?: { object?: string }; deployedBytecode?: { object?: string } }; storageLayout?: CompiledContract['storageLayout'] }>>
}

/**
 * solc asks for each import by its source unit name (relative imports already joined to the importing file's
 * name). Names are looked up under `importRoots`, then under node_modules; a name that climbs out (`../`) or is
 * absolute is refused, so a test never reads arbitrary files.
 */
function findImport(importPath: string, importRoots: readonly string[]): { contents: string } | { error: string } {
  const normalized = path.posix.normalize(importPath)
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    return { error: `import "${importPath}" must be a package path or a name under an import root` }
  }
  const tried: string[] = []
  for (const root of [...importRoots, nodeModules]) {
    const file = path.join(root, normalized)
    tried.push(file)
    try {
      return { contents: readFileSync(file, 'utf8') }
    } catch {
      // try the next root
    }
  }
  return { error: `not found (tried ${tried.join(', ')})` }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
