// Contract code analysis done once per code instead of once per call. Before its first jump, every call of
// @ethereumjs/evm 10 scans the whole code for the valid JUMPDEST positions, the PUSH immediates and an opcode
// table (Interpreter._getValidJumpDestinations) — for a token contract of a few kilobytes ~0.5 ms, about a third of
// an ERC-20 transfer's execution, and the same result each time. The analysis depends only on the code bytes and
// the EVM's opcode table (its hardfork), so it is kept per opcode table and per code array, in weak maps: code
// arrays come from the state manager's code cache and are never written to, so one array always holds one code.
//
// The EVM does not export its Interpreter or take the analysis as an option, so the method is wrapped on the
// class's prototype, found next to the package's own entry point. `codeAnalysisCache.installed` says whether that
// worked (a test asserts it, so an upgrade that moves the class is noticed); if not, the EVM runs unchanged.
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

interface Analysis {
  readonly jumps: Uint8Array
  readonly pushes: Record<number, bigint>
  readonly opcodesCached: unknown[]
}

interface InterpreterLike {
  _evm: { _opcodeMap: object }
  _getValidJumpDestinations(code: Uint8Array): Analysis
}

const byTable = new WeakMap<object, WeakMap<Uint8Array, Analysis>>()

export const codeAnalysisCache = { installed: false, hits: 0, misses: 0 }

async function install(): Promise<void> {
  try {
    const entry = createRequire(import.meta.url).resolve('@ethereumjs/evm') // …/dist/cjs/index.js
    const file = path.join(path.dirname(entry), '..', 'esm', 'interpreter.js')
    const mod = (await import(pathToFileURL(file).href)) as { Interpreter?: { prototype: InterpreterLike } }
    const proto = mod.Interpreter?.prototype
    if (proto === undefined || typeof proto._getValidJumpDestinations !== 'function') return
    const analyse = proto._getValidJumpDestinations
    proto._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
      const table = this._evm._opcodeMap
      let cache = byTable.get(table)
      if (cache === undefined) byTable.set(table, (cache = new WeakMap()))
      const cached = cache.get(code)
      if (cached !== undefined && cached.jumps.length === code.length) {
        codeAnalysisCache.hits++
        return cached
      }
      codeAnalysisCache.misses++
      const fresh = analyse.call(this, code)
      cache.set(code, fresh)
      return fresh
    }
    codeAnalysisCache.installed = true
  } catch {
    // The EVM's layout changed: run without the cache.
  }
}

await install()
