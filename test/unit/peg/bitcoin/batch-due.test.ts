// When the peg-out queue is due (peg/bitcoin/batch-due.ts): its oldest request has waited batchIntervalBlocks
// side-chain blocks; at most maxBatchRequests ids from the queue's start.
import { describe, expect, it } from 'vitest'
import { dueRequests, queueHead, type BatchDueRules } from '../../../../peg/bitcoin/index.js'
import { expectCode } from '../../../helpers/expect.js'

const rules: BatchDueRules = { batchIntervalBlocks: 5, maxBatchRequests: 3 }

describe('queueHead', () => {
  it('is the queue start while requests wait', () => {
    expect(queueHead({ queueStart: 1n, nextRequestId: 2n })).toBe(1n)
    expect(queueHead({ queueStart: 7n, nextRequestId: 20n })).toBe(7n)
  })
  it('is undefined before any request (start 0) and once the queue is drained (start = next)', () => {
    expect(queueHead({ queueStart: 0n, nextRequestId: 0n })).toBeUndefined()
    expect(queueHead({ queueStart: 0n, nextRequestId: 5n })).toBeUndefined()
    expect(queueHead({ queueStart: 5n, nextRequestId: 5n })).toBeUndefined()
    expect(queueHead({ queueStart: 6n, nextRequestId: 5n })).toBeUndefined()
  })
  it('refuses counters that are not non-negative bigints', () => {
    expectCode(() => queueHead({ queueStart: -1n, nextRequestId: 5n }), 'PEG_QUEUE_INVALID')
    expectCode(() => queueHead({ queueStart: 1n, nextRequestId: 5 as unknown as bigint }), 'PEG_QUEUE_INVALID')
  })
})

describe('dueRequests', () => {
  const q = { queueStart: 4n, nextRequestId: 6n }
  it('is undefined one block before the interval has passed, and due at it', () => {
    expect(dueRequests(q, 100n, 104n, rules)).toBeUndefined()
    expect(dueRequests(q, 100n, 105n, rules)).toEqual({ first: 4n, end: 6n })
    expect(dueRequests(q, 100n, 1000n, rules)).toEqual({ first: 4n, end: 6n })
  })
  it('caps the range at maxBatchRequests', () => {
    expect(dueRequests({ queueStart: 4n, nextRequestId: 20n }, 0n, 5n, rules)).toEqual({ first: 4n, end: 7n })
    expect(dueRequests({ queueStart: 4n, nextRequestId: 7n }, 0n, 5n, rules)).toEqual({ first: 4n, end: 7n })
  })
  it('is undefined for an empty queue whatever the blocks', () => {
    expect(dueRequests({ queueStart: 0n, nextRequestId: 0n }, 0n, 1000n, rules)).toBeUndefined()
    expect(dueRequests({ queueStart: 6n, nextRequestId: 6n }, 0n, 1000n, rules)).toBeUndefined()
  })
  it('an interval of 1 is due the block after the request', () => {
    expect(dueRequests(q, 9n, 9n, { ...rules, batchIntervalBlocks: 1 })).toBeUndefined()
    expect(dueRequests(q, 9n, 10n, { ...rules, batchIntervalBlocks: 1 })).toEqual({ first: 4n, end: 6n })
  })
  const invalid: [string, () => unknown][] = [
    ['a negative requestedAt', () => dueRequests(q, -1n, 10n, rules)],
    ['a number block', () => dueRequests(q, 1n, 10 as unknown as bigint, rules)],
    ['maxBatchRequests 0', () => dueRequests(q, 1n, 10n, { ...rules, maxBatchRequests: 0 })],
    ['a fractional interval', () => dueRequests(q, 1n, 10n, { ...rules, batchIntervalBlocks: 0.5 })],
  ]
  for (const [name, f] of invalid) it(`refuses ${name}: PEG_QUEUE_INVALID`, () => expectCode(f, 'PEG_QUEUE_INVALID'))
})
