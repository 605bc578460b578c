// When the peg-out queue is due for a batch (ARCHITECTURE.md decision 7): once its oldest request has waited the
// batch interval, counted in side-chain blocks, at most `maxBatchRequests` requests from the queue's start are due.
// The bridge reads the counters and the oldest request's block from its storage and passes them in.
import { pegEnsure } from './errors.js'

/** The queue as the bridge's counters hold it: its first waiting id (0 before any request) and the next id. */
export interface QueueCounters {
  readonly queueStart: bigint
  readonly nextRequestId: bigint
}

export interface BatchDueRules {
  /** Side-chain blocks the oldest request waits before a batch is due. */
  readonly batchIntervalBlocks: number
  /** Most requests one batch pays. */
  readonly maxBatchRequests: number
}

/** The ids [first, end) due for a batch. */
export interface DueRequests {
  readonly first: bigint
  readonly end: bigint
}

function checkQueue(q: QueueCounters): void {
  pegEnsure(typeof q.queueStart === 'bigint' && q.queueStart >= 0n, 'PEG_QUEUE_INVALID', 'queueStart: expected a non-negative bigint', {
    queueStart: String(q.queueStart),
  })
  pegEnsure(typeof q.nextRequestId === 'bigint' && q.nextRequestId >= 0n, 'PEG_QUEUE_INVALID', 'nextRequestId: expected a non-negative bigint', {
    nextRequestId: String(q.nextRequestId),
  })
}

/** The id of the oldest waiting request, or undefined when nothing waits (start 0: nothing was ever queued). */
export function queueHead(q: QueueCounters): bigint | undefined {
  checkQueue(q)
  return q.queueStart === 0n || q.queueStart >= q.nextRequestId ? undefined : q.queueStart
}

/**
 * The requests due at side-chain block `blockNumber`, given the block the oldest waiting one was made at; undefined
 * when the queue is empty or its oldest request has waited fewer than `batchIntervalBlocks` blocks.
 */
export function dueRequests(q: QueueCounters, oldestRequestedAt: bigint, blockNumber: bigint, rules: BatchDueRules): DueRequests | undefined {
  const first = queueHead(q)
  if (first === undefined) return undefined
  pegEnsure(typeof oldestRequestedAt === 'bigint' && oldestRequestedAt >= 0n, 'PEG_QUEUE_INVALID', 'oldestRequestedAt: expected a non-negative bigint')
  pegEnsure(typeof blockNumber === 'bigint' && blockNumber >= 0n, 'PEG_QUEUE_INVALID', 'blockNumber: expected a non-negative bigint')
  pegEnsure(Number.isSafeInteger(rules.batchIntervalBlocks) && rules.batchIntervalBlocks >= 0, 'PEG_QUEUE_INVALID', 'batchIntervalBlocks: expected a non-negative integer', {
    batchIntervalBlocks: rules.batchIntervalBlocks,
  })
  pegEnsure(Number.isSafeInteger(rules.maxBatchRequests) && rules.maxBatchRequests >= 1, 'PEG_QUEUE_INVALID', 'maxBatchRequests: expected a positive integer', {
    maxBatchRequests: rules.maxBatchRequests,
  })
  if (blockNumber < oldestRequestedAt + BigInt(rules.batchIntervalBlocks)) return undefined
  const cap = first + BigInt(rules.maxBatchRequests)
  return { first, end: q.nextRequestId < cap ? q.nextRequestId : cap }
}
