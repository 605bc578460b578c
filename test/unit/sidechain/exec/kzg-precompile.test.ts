// The EIP-4844 point-evaluation precompile at 0x0a as the chain's VM runs it (Common.customCrypto.kzg wired):
// a valid proof answers FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS at 50,000 gas; malformed or false inputs fail.
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../../spv/base/bytes.js'
import { REGTEST_CHAIN_ID, createChainCommon } from '../../../../sidechain/chain/params.js'
import { createChainVM, NO_BLOCK_HASHES } from '../../../../sidechain/exec/vm.js'
import { be32, validPointEvaluationInput as validInput } from '../../../helpers/kzg-input.js'

const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n
const POINT_EVALUATION = new Address(hexToBytes('0x000000000000000000000000000000000000000a'))

async function call(data: Uint8Array) {
  const common = createChainCommon({ chainId: REGTEST_CHAIN_ID, name: 'kzg-test' })
  const vm = await createChainVM(common, new MerkleStateManager({ common }), NO_BLOCK_HASHES)
  return vm.evm.runCall({ to: POINT_EVALUATION, data, gasLimit: 100_000n })
}

describe('0x0a KZG point evaluation', () => {
  const input = validInput()
  it('answers FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS for a valid proof, at 50,000 gas', async () => {
    expect(input.length).toBe(192)
    const r = await call(input)
    expect(r.execResult.exceptionError).toBeUndefined()
    expect(r.execResult.executionGasUsed).toBe(50_000n)
    expect(bytesToHex(r.execResult.returnValue).replace(/^0x/, '')).toBe(be32(4096n) + be32(BLS_MODULUS))
  }, 60_000)
  it('fails on a wrong length, a versioned-hash mismatch and a false proof', async () => {
    const short = input.subarray(0, 191)
    const badHash = input.slice()
    badHash[5] = badHash[5]! ^ 1
    const badProof = input.slice()
    badProof[64] = badProof[64]! ^ 1 // y changed: the proof no longer opens the commitment there
    for (const data of [new Uint8Array(0), short, badHash, badProof]) {
      const r = await call(data)
      expect(r.execResult.exceptionError).toBeDefined()
      expect(r.execResult.returnValue.length).toBe(0)
    }
  }, 60_000)
})
