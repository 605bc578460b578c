// The addSignatures gas limit (federation/signer/gas.ts): an estimate with margins, never above the block gas limit.
import { describe, expect, it } from 'vitest'
import { signaturesGasLimit } from '../../../../federation/signer/gas.js'

describe('signaturesGasLimit', () => {
  it('adds 20 % (and 10 000) to the estimate of a call that completes the batch', () => {
    expect(signaturesGasLimit(100_000n, 2, true, 30_000_000n)).toEqual({ gasLimit: 130_000n, capped: false, exceedsBlock: false })
  })
  it('leaves room for the assembly when another member may complete the batch first', () => {
    expect(signaturesGasLimit(100_000n, 2, false, 30_000_000n)).toEqual({ gasLimit: 370_000n, capped: false, exceedsBlock: false })
  })
  it('grows with the estimate', () => {
    expect(signaturesGasLimit(2_000_000n, 2, true, 30_000_000n).gasLimit).toBeGreaterThan(signaturesGasLimit(1_000_000n, 2, true, 30_000_000n).gasLimit)
  })
  it('caps at the block gas limit, and says when even the estimate does not fit', () => {
    expect(signaturesGasLimit(9_000_000n, 2, false, 10_000_000n)).toEqual({ gasLimit: 10_000_000n, capped: true, exceedsBlock: false })
    expect(signaturesGasLimit(11_000_000n, 2, true, 10_000_000n)).toEqual({ gasLimit: 10_000_000n, capped: true, exceedsBlock: true })
  })
})
