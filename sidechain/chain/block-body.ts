// What a block may carry besides its header, checked before a validator or a full node re-executes it (issue 13
// finding 4 and 6). Re-execution rebuilds the header from the transactions, so equal hashes prove the header and
// the transactions — but not the rest of the body: a block carried 20,000 junk withdrawals under the empty
// withdrawalsRoot, was stored and served as it came, and failed validateData everywhere after. And the rules the
// mempool applies to a transaction (size, replay protection, no blobs) and the block builder to a block (count)
// must hold for a proposer's block too, or one Byzantine proposer puts in what no honest one would.
import type { Block } from '@ethereumjs/block'
import { Capability, TransactionType } from '@ethereumjs/tx'
import { CausewayError } from '../../spv/base/errors.js'

export interface BlockBodyLimits {
  /** Most transactions in a block (the builder's maxBlockTxs). */
  readonly maxTxs: number
  /** Largest raw transaction, bytes (the mempool's maxTxBytes). */
  readonly maxTxBytes: number
}

function invalid(block: Block, reason: string, message: string): never {
  throw new CausewayError('EXEC_INVALID_BLOCK', `block ${block.header.number}: ${message}`, { details: { reason } })
}

/** Throws EXEC_INVALID_BLOCK (details.reason) unless the body holds only what the chain's blocks may hold. */
export function checkBlockBody(block: Block, limits: BlockBodyLimits): void {
  if (block.uncleHeaders.length > 0) invalid(block, 'uncles', `carries ${block.uncleHeaders.length} uncle headers; this chain has none`)
  const withdrawals = block.withdrawals?.length ?? 0
  if (withdrawals > 0) invalid(block, 'withdrawals', `carries ${withdrawals} withdrawals; this chain has none`)
  if (block.transactions.length > limits.maxTxs) invalid(block, 'tx-count', `holds ${block.transactions.length} transactions, at most ${limits.maxTxs}`)
  for (const [i, tx] of block.transactions.entries()) {
    if (tx.type === TransactionType.BlobEIP4844) invalid(block, 'blob-tx', `transaction ${i} is a blob transaction`)
    if (tx.type === TransactionType.Legacy && !tx.supports(Capability.EIP155ReplayProtection)) {
      invalid(block, 'unprotected-tx', `transaction ${i} is a legacy transaction without replay protection (EIP-155)`)
    }
    // Serializing every transaction again would cost ~11 ms per 1,000 on every replay: only one whose size could
    // be near the bound is measured exactly.
    if (sizeBound(tx) > limits.maxTxBytes) {
      const size = tx.serialize().length
      if (size > limits.maxTxBytes) invalid(block, 'tx-size', `transaction ${i} is ${size} bytes, at most ${limits.maxTxBytes}`)
    }
  }
}

/**
 * An upper bound on a transaction's encoded size without encoding it: its data, access list and authorization
 * list at their widest RLP framing, plus every fixed-width field at its widest (generous: 512 bytes).
 */
function sizeBound(tx: Block['transactions'][number]): number {
  let n = 512 + tx.data.length + 9
  const access = (tx as { accessList?: readonly (readonly [Uint8Array, readonly Uint8Array[]])[] }).accessList ?? []
  for (const [, slots] of access) n += 30 + 33 * slots.length
  const auths = (tx as { authorizationList?: readonly unknown[] }).authorizationList ?? []
  n += 200 * auths.length
  return n
}
