// The node configuration refuses a validator set whose quorum does not tolerate a Byzantine validator (3k ≤ 2n),
// unless it says in words that it trusts every validator (consensus.toleratesNoByzantineValidator), and refuses
// 2k ≤ n always.
import { randomBytes } from 'node:crypto'
import { pointFromScalar } from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { CausewayError, isCausewayError } from '../../../../spv/base/errors.js'
import { parseNodeConfig, TOLERATES_NO_BYZANTINE_OPTION } from '../../../../sidechain/node/config.js'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

function config(n: number, k: number, consensus?: Record<string, unknown>): Record<string, unknown> {
  const validators = Array.from({ length: n }, (_, i) => ({ publicKey: hex(pointFromScalar(randomBytes(32), true)!), p2p: `http://127.0.0.1:${20000 + i}/` }))
  return {
    chain: { name: 'regtest', chainId: '0xca05e1', genesisTime: 1_700_000_000, feeAddress: hex(new Uint8Array(20).fill(1)) },
    validators,
    threshold: k,
    datadir: 'data',
    rpc: { port: 0 },
    p2p: { port: 0 },
    ...(consensus === undefined ? {} : { consensus }),
  }
}

async function refusal(json: unknown): Promise<CausewayError> {
  try {
    await parseNodeConfig(json, '/tmp')
  } catch (e) {
    if (e instanceof CausewayError) return e
    throw e
  }
  return expect.unreachable('accepted')
}

describe('node configuration: the validators\' threshold', () => {
  it('refuses 2 of 3 with CONSENSUS_BAD_THRESHOLD, naming the option and what it risks', async () => {
    const e = await refusal(config(3, 2))
    expect(isCausewayError(e, 'CONSENSUS_BAD_THRESHOLD')).toBe(true)
    expect(e.details).toMatchObject({ n: 3, k: 2, option: TOLERATES_NO_BYZANTINE_OPTION })
    expect(e.message).toContain('consensus.toleratesNoByzantineValidator')
    expect(e.message).toContain('one faulty validator can finalize two blocks at one height')
  })

  it('accepts 2 of 3 when the configuration says no validator is Byzantine', async () => {
    const c = await parseNodeConfig(config(3, 2, { toleratesNoByzantineValidator: true }), '/tmp')
    expect(c.set.threshold).toBe(2)
    expect(c.consensus.toleratesNoByzantineValidator).toBe(true)
  })

  it('accepts 3 of 4 and 5 of 7', async () => {
    expect((await parseNodeConfig(config(4, 3), '/tmp')).set.threshold).toBe(3)
    expect((await parseNodeConfig(config(7, 5), '/tmp')).set.threshold).toBe(5)
  })

  it('refuses 2 of 4, even with the option: two disjoint halves could each finalize a block', async () => {
    expect((await refusal(config(4, 2))).code).toBe('CONSENSUS_BAD_THRESHOLD')
    expect((await refusal(config(4, 2, { toleratesNoByzantineValidator: true }))).code).toBe('CONSENSUS_BAD_THRESHOLD')
  })

  it('refuses 4 of 7 (one faulty validator in both quorums) and a threshold above n', async () => {
    expect((await refusal(config(7, 4))).code).toBe('CONSENSUS_BAD_THRESHOLD')
    expect((await refusal(config(3, 4))).code).toBe('CONSENSUS_BAD_THRESHOLD')
  })

  it('refuses an option that is not a boolean, naming the field', async () => {
    const e = await refusal(config(3, 2, { toleratesNoByzantineValidator: 'yes' }))
    expect(e.code).toBe('NODE_BAD_CONFIG')
    expect(e.details).toMatchObject({ path: 'consensus.toleratesNoByzantineValidator' })
  })
})
