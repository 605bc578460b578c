// The pure decision behind the halt (sidechain/consensus/conflict.ts): two certificates that verify for different
// blocks at one height are a conflict; a different block whose certificate does not verify is only a bad peer.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { publicKeyOf, signCommit, type Certificate, type ValidatorSet } from '../../../../sidechain/consensus/certificate.js'
import { checkConflict, CONFLICTING_CERTIFICATES } from '../../../../sidechain/consensus/conflict.js'
import { toHex } from '../../../../spv/base/bytes.js'

const CHAIN_ID = 0xca05e1n
const keys = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(32)))
const set: ValidatorSet = { keys: keys.map(publicKeyOf), threshold: 3 }
const hashA = new Uint8Array(32).fill(0xaa)
const hashB = new Uint8Array(32).fill(0xbb)

function certify(blockHash: Uint8Array, height: bigint, signers: readonly number[], opts: { round?: number; chainId?: bigint; signedHash?: Uint8Array } = {}): Certificate {
  const round = opts.round ?? 0
  return {
    height,
    round,
    blockHash,
    signatures: signers.map((v) => ({ validator: v, signature: signCommit(keys[v]!, opts.chainId ?? CHAIN_ID, height, round, opts.signedHash ?? blockHash) })),
  }
}

const ours = { blockHash: hashA, certificate: certify(hashA, 5n, [0, 1, 2]) }

describe('checkConflict', () => {
  it('the same block is no conflict, whatever its certificate', () => {
    expect(checkConflict(set, CHAIN_ID, 5n, ours, { blockHash: hashA, certificate: certify(hashA, 5n, [1, 2, 3], { round: 2 }) }, 'peer').kind).toBe('same')
  })

  it('two valid certificates for different blocks at one height are a conflict naming the height and both hashes', () => {
    const theirs = { blockHash: hashB, certificate: certify(hashB, 5n, [1, 2, 3], { round: 1 }) }
    const r = checkConflict(set, CHAIN_ID, 5n, ours, theirs, 'http://peer/')
    expect(r.kind).toBe('conflict')
    if (r.kind !== 'conflict') return
    expect(r.error.code).toBe(CONFLICTING_CERTIFICATES)
    expect(r.error.message).toContain(toHex(hashA))
    expect(r.error.message).toContain(toHex(hashB))
    expect(r.conflict).toMatchObject({ height: 5n, ours: { blockHash: toHex(hashA) }, theirs: { blockHash: toHex(hashB) }, source: 'http://peer/' })
    expect(r.conflict.ours.certificate).toMatch(/^0x[0-9a-f]+$/)
    expect(r.conflict.theirs.certificate).not.toBe(r.conflict.ours.certificate)
    expect(r.error.details).toMatchObject({ height: 5 })
  })

  const bad: [string, Certificate][] = [
    ['too few signatures', certify(hashB, 5n, [1, 2])],
    ['signed by a key outside the set', { ...certify(hashB, 5n, [0, 1]), signatures: [...certify(hashB, 5n, [0, 1]).signatures, { validator: 2, signature: signCommit(new Uint8Array(randomBytes(32)), CHAIN_ID, 5n, 0, hashB) }] }],
    ['signatures over another block', certify(hashB, 5n, [0, 1, 2], { signedHash: hashA })],
    ['signatures for another chain', certify(hashB, 5n, [0, 1, 2], { chainId: CHAIN_ID + 1n })],
    ['a certificate for another height', certify(hashB, 6n, [0, 1, 2])],
    ['a certificate for another block than the one served', certify(new Uint8Array(32).fill(0xcc), 5n, [0, 1, 2])],
  ]
  for (const [name, certificate] of bad) {
    it(`a different block with ${name} is a bad peer, not a conflict`, () => {
      const r = checkConflict(set, CHAIN_ID, 5n, ours, { blockHash: hashB, certificate }, 'peer')
      expect(r.kind).toBe('bad-peer')
      if (r.kind === 'bad-peer') expect(r.error.code).toBe('CONSENSUS_BAD_CERTIFICATE')
    })
  }
})
