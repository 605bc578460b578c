// The EVM peg's committed contract artifacts (peg/evm/contracts/*.artifact.ts) are what solc makes of the sources
// today (`npm run build:evm-contracts`): a contract edited without rebuilding fails here, not on a chain.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { evmContractFiles } from '../../../../regtest/solidity/evm-contracts.js'

const dir = fileURLToPath(new URL('../../../../peg/evm/contracts/', import.meta.url))

describe('EVM peg contract artifacts', () => {
  it('match a fresh compile of peg/evm/contracts/*.sol', () => {
    const files = evmContractFiles()
    expect([...files.keys()].sort()).toEqual(expect.arrayContaining(['Vault.artifact.ts', 'WrappedToken.artifact.ts']))
    for (const [file, text] of files) expect(readFileSync(path.join(dir, file), 'utf8'), file).toBe(text)
  }, 120_000)
})
