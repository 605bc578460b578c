// The chain Common's two shortcuts answer as ethereumjs's own Common does: active EIPs (also after a hardfork
// change and in copies), and parameter updates — a redundant one changes nothing, a real one still applies.
import { Common, Hardfork } from '@ethereumjs/common'
import { paramsTx } from '@ethereumjs/tx'
import { paramsBlock } from '@ethereumjs/block'
import { describe, expect, it } from 'vitest'
import { DEV_CHAIN_ID, createChainCommon } from '../../../sidechain/chain/params.js'

const EIPS = Array.from({ length: 8000 }, (_, i) => i)
const plain = (common: Common, eip: number) => Common.prototype.isActivatedEIP.call(common, eip)

describe('chain Common', () => {
  it('knows the active EIPs as Common does, after a hardfork change and in copies', () => {
    const common = createChainCommon({ name: 'params-test', chainId: DEV_CHAIN_ID })
    for (const eip of EIPS) expect(common.isActivatedEIP(eip), `EIP-${eip}`).toBe(plain(common, eip))
    expect(common.isActivatedEIP(7702)).toBe(true)
    const copy = common.copy()
    copy.setHardfork(Hardfork.London)
    expect(copy.isActivatedEIP(7702)).toBe(false)
    expect(copy.isActivatedEIP(1559)).toBe(true)
    for (const eip of EIPS) expect(copy.isActivatedEIP(eip), `EIP-${eip}`).toBe(plain(copy, eip))
    expect(common.isActivatedEIP(7702)).toBe(true)
  })

  it('skips only parameter updates that change nothing', () => {
    const common = createChainCommon({ name: 'params-test', chainId: DEV_CHAIN_ID })
    const before = common.param('txGas')
    common.updateParams(paramsTx)
    common.updateParams({})
    common.updateParams(paramsBlock)
    expect(common.param('txGas')).toBe(before)
    expect(common.param('elasticityMultiplier')).toBe(BigInt(paramsBlock[1559]!['elasticityMultiplier'] as number))
    common.updateParams({ 1: { txGas: 22_000 } })
    expect(common.param('txGas')).toBe(22_000n)
    common.updateParams(paramsTx)
    expect(common.param('txGas')).toBe(before)
  })
})

describe('chain Common copies', () => {
  it('see parameters merged through another copy of the same Common', () => {
    const common = createChainCommon({ name: 'params-test', chainId: DEV_CHAIN_ID })
    const copy = common.copy()
    common.updateParams(paramsBlock) // changes the parameters both share, rebuilds only `common`'s cache
    copy.updateParams(paramsBlock) // must rebuild the copy's cache, though the values are already there
    expect(copy.param('elasticityMultiplier')).toBe(BigInt(paramsBlock[1559]!['elasticityMultiplier'] as number))
  })
})

describe('decoding transactions with the chain Common', () => {
  it('does not rebuild the parameter cache for each transaction', async () => {
    const { createFeeMarket1559Tx, createTxFromRLP } = await import('@ethereumjs/tx')
    const common = createChainCommon({ name: 'params-test', chainId: DEV_CHAIN_ID })
    const raw = createFeeMarket1559Tx({ chainId: DEV_CHAIN_ID, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, to: `0x${'11'.repeat(20)}` as const }, { common })
      .sign(new Uint8Array(32).fill(3))
      .serialize()
    const proto = Common.prototype as unknown as { _buildParamsCache: () => void }
    const build = proto._buildParamsCache
    let builds = 0
    proto._buildParamsCache = function (this: unknown) {
      builds++
      build.call(this)
    }
    try {
      for (let i = 0; i < 20; i++) expect(createTxFromRLP(raw, { common }).common.param('txGas')).toBe(21_000n)
    } finally {
      proto._buildParamsCache = build
    }
    expect(builds).toBe(0)
  })
})
