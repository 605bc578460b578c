// The fee rate batches use (issue 11 item 7): the median of the members' fresh reports. One member alone, or
// reports older than feeReportMaxAgeSeconds of block time, never set it: fewer than `threshold` fresh reports
// mean the configured floor.
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../spv/base/bytes.js'
import { parseBridgeConfig } from '../../../../sidechain/bridge/config.js'
import { regtest } from '../../../../spv/bitcoin/networks.js'
import { openBridgeVm } from '../../../helpers/bridge-vm.js'

const memberKeys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x10 + i))
const config = parseBridgeConfig(
  {
    federation: { pubkeys: memberKeys.map((k) => bytesToHex(ecc.pointFromScalar(k, true)!)), threshold: 2 },
    bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 } },
    feeRateFloor: 2,
    feeRateCeiling: 500,
    feeReportMaxAgeSeconds: 600,
  },
  0xca05e1n,
)
const [m0, m1, m2] = config.members as [Uint8Array, Uint8Array, Uint8Array]
const outsider = new Uint8Array(20).fill(0x77)

describe('bridge fee rate from members\' reports', () => {
  it('one member alone cannot set the rate; k fresh reports give their median; stale reports expire to the floor', async () => {
    const vm = await openBridgeVm(config)
    const rate = async () => (await vm.call(outsider, 'getFeeRate')).result as bigint
    expect(await rate()).toBe(2n)
    // The attack: one member reports 400 sat/vB while the others' nodes have no estimate (bcoin answers −1).
    expect((await vm.call(m0, 'reportFeeRate', [400n])).code).toBeUndefined()
    expect(await rate()).toBe(2n)
    expect((await vm.call(outsider, 'reportFeeRate', [3n])).code).toBe('BRIDGE_NOT_FEDERATION')
    // A second member's report makes two fresh ones (= threshold): their median.
    vm.timestamp += 100n
    expect((await vm.call(m1, 'reportFeeRate', [10n])).code).toBeUndefined()
    expect(await rate()).toBe(205n)
    vm.timestamp += 50n
    expect((await vm.call(m2, 'reportFeeRate', [20n])).code).toBeUndefined()
    expect(await rate()).toBe(20n)
    // m0's report (t0) ages out first: median of m1 and m2.
    vm.timestamp += 451n // t0 + 601
    expect(await rate()).toBe(15n)
    // Then m1's: only m2's is fresh — below threshold, so the floor.
    vm.timestamp += 100n
    expect(await rate()).toBe(2n)
    // A fresh report from m0 brings it back to two.
    expect((await vm.call(m0, 'reportFeeRate', [30n])).code).toBeUndefined()
    expect(await rate()).toBe(25n)
  })
})
