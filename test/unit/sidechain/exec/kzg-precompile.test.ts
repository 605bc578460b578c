// The EIP-4844 point-evaluation precompile at 0x0a as the chain's VM runs it (Common.customCrypto.kzg wired):
// a valid proof answers FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS at 50,000 gas; malformed or false inputs fail.
import { createHash } from 'node:crypto'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../../spv/base/bytes.js'
import { REGTEST_CHAIN_ID, createChainCommon } from '../../../../sidechain/chain/params.js'
import { lazyKzg, computeKzgProof } from '../../../../sidechain/exec/kzg.js'
import { createChainVM, NO_BLOCK_HASHES } from '../../../../sidechain/exec/vm.js'

const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n
const POINT_EVALUATION = new Address(hexToBytes('0x000000000000000000000000000000000000000a'))

function be32(n: bigint): string {
  return n.toString(16).padStart(64, '0')
}

/** A blob of small field elements, its commitment, and a proof at z: the 192-byte precompile input. */
function validInput(): Uint8Array {
  let blob = '0x'
  for (let i = 0; i < 4096; i++) blob += be32(BigInt(i * 7 + 1))
  const commitment = lazyKzg.blobToKzgCommitment(blob)
  const z = '0x' + be32(12345n)
  const [proof, y] = computeKzgProof(blob, z)
  const versioned = createHash('sha256').update(hexToBytes(commitment as `0x${string}`)).digest()
  versioned[0] = 0x01 // VERSIONED_HASH_VERSION_KZG
  return hexToBytes(
    ('0x' + bytesToHex(versioned).replace(/^0x/, '') + z.slice(2) + y.replace(/^0x/, '').padStart(64, '0') + commitment.slice(2) + proof.slice(2)) as `0x${string}`,
  )
}

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
