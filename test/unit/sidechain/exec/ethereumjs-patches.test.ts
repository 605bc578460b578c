// The library internals the node reaches into — @ethereumjs/common's (exec/common-speedups.ts), @ethereumjs/evm's
// `_executeCall` (bridge/evm-hook.ts) and the keccak package's native sponge (exec/crypto.ts) — are pinned to exact
// versions, and this fails loudly when a bump breaks a patch: the versions installed are the pinned ones, the
// internals are there, and the patched objects answer exactly as the library's own do.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import { createEVM } from '@ethereumjs/evm'
import { createAddressFromString } from '@ethereumjs/util'
import { paramsTx } from '@ethereumjs/tx'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { createChainCommon } from '../../../../sidechain/chain/params.js'
import { requireInternals } from '../../../../sidechain/exec/common-speedups.js'
import { keccak256, nativeKeccakLoaded } from '../../../../sidechain/exec/crypto.js'
import { currentMessage, hookEvmMessages } from '../../../../sidechain/bridge/evm-hook.js'
import { projectRoot } from '../../../helpers/testdata.js'

const PATCHED = ['@ethereumjs/common', '@ethereumjs/evm', '@ethereumjs/block', '@ethereumjs/tx', '@ethereumjs/vm', '@ethereumjs/statemanager', '@ethereumjs/util', '@ethereumjs/mpt', '@ethereumjs/rlp', 'keccak']
const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }

function plainCommon() {
  const c = createCustomCommon({ name: 'plain', chainId: 917_001, defaultHardfork: Hardfork.Prague }, Mainnet, { hardfork: Hardfork.Prague })
  c.updateParams(paramsTx)
  return c
}

describe('patched library internals', () => {
  it('each patched package is pinned to an exact version, and that version is the one installed', () => {
    for (const name of PATCHED) {
      const wanted = pkg.dependencies[name]
      expect(wanted, `${name} in package.json`).toMatch(/^\d+\.\d+\.\d+$/)
      const installed = (JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
      expect(installed, `${name}: installed ${installed}, pinned ${wanted} — after a bump, re-check the patches`).toBe(wanted)
    }
  })

  it('@ethereumjs/common still has the internals the speed-ups use (else EXEC_ETHEREUMJS_CHANGED)', () => {
    expect(() => requireInternals(plainCommon())).not.toThrow()
    expect(() => requireInternals({ updateParams() {}, isActivatedEIP() {} } as never)).toThrow(expect.objectContaining({ code: 'EXEC_ETHEREUMJS_CHANGED' }))
  })

  it('the patched Common answers isActivatedEIP and param() exactly as the library does, across hardforks and copies', () => {
    const ours = createChainCommon({ chainId: 917_001n, name: 'regtest' })
    const theirs = plainCommon()
    const eips = Array.from({ length: 8000 }, (_, i) => i + 1)
    const params = ['txGas', 'txCreationGas', 'txDataZeroGas', 'txDataNonZeroGas', 'accessListStorageKeyGas', 'accessListAddressGas', 'initCodeWordGas', 'blobCommitmentVersionKzg', 'perAuthBaseGas', 'perEmptyAccountCost']
    /** A parameter's value, or 'missing' where the hardfork has none (both sides must agree on that too). */
    const value = (c: { param(name: string): bigint }, name: string) => {
      try {
        return c.param(name)
      } catch {
        return 'missing'
      }
    }
    const same = (label: string) => {
      for (const e of eips) expect(ours.isActivatedEIP(e), `${label}: EIP-${e}`).toBe(theirs.isActivatedEIP(e))
      for (const p of params) expect(value(ours, p), `${label}: ${p}`).toBe(value(theirs, p))
    }
    same('prague')
    for (const hf of [Hardfork.Shanghai, Hardfork.Cancun, Hardfork.Prague]) {
      ours.setHardfork(hf)
      theirs.setHardfork(hf)
      same(hf)
    }
    // A transaction's own copy, with the redundant update the speed-up skips, and one that changes a value.
    const copy = ours.copy()
    copy.updateParams({})
    copy.updateParams(paramsTx)
    for (const p of params) expect(value(copy, p)).toBe(value(theirs, p))
    copy.updateParams({ 1: { txGas: 22_000 } } as never)
    expect(copy.param('txGas')).toBe(22_000n)
  })

  it('@ethereumjs/evm still runs calls through _executeCall: the hook sees the message while it runs', async () => {
    const evm = await createEVM({ common: createChainCommon({ chainId: 917_001n, name: 'regtest' }) })
    const before = (evm as unknown as { _executeCall: unknown })._executeCall
    expect(typeof before).toBe('function')
    hookEvmMessages(evm)
    expect((evm as unknown as { _executeCall: unknown })._executeCall).not.toBe(before)
    // A call to code that only stops: one step, during which the hook's stack holds the call's message.
    const to = createAddressFromString('0x00000000000000000000000000000000000c0de1')
    await evm.stateManager.putCode(to, Uint8Array.of(0x00))
    const seen: unknown[] = []
    evm.events!.on('step', (_data: unknown, resolve?: () => void) => {
      seen.push(currentMessage(evm))
      resolve?.()
    })
    const r = await evm.runCall({ to, data: new Uint8Array(0), gasLimit: 100_000n })
    expect(r.execResult.exceptionError).toBeUndefined()
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((m) => m !== undefined)).toBe(true)
    expect(currentMessage(evm)).toBeUndefined() // popped on exit
  })

  it('the keccak package\'s native sponge loads and hashes exactly as @noble/hashes does', () => {
    expect(nativeKeccakLoaded).toBe(true)
    for (const size of [0, 1, 31, 32, 33, 135, 136, 137, 1000, 100_000]) {
      const data = new Uint8Array(randomBytes(size))
      expect(Buffer.from(keccak256(data)).toString('hex'), `${size} bytes`).toBe(Buffer.from(keccak_256(data)).toString('hex'))
    }
  })
})
