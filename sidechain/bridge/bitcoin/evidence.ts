// Evidence that a Bitcoin transaction is final enough for the bridge: its inclusion proof checked against the
// bridge's best header chain, at the configured confirmation depth. Peg-ins, held payments and batch
// confirmations all start from it.
import { fail } from '../../../spv/base/errors.js'
import { verifyTxInProof } from '../../../spv/bitcoin/transaction.js'
import type { BtcContext } from './context.js'

export interface Evidence {
  readonly txid: Uint8Array
  readonly blockHash: Uint8Array
}

/** Checks a transaction's inclusion proof against the bridge's best chain and its confirmation depth. */
export async function verifyEvidence(ctx: BtcContext, rawTx: Uint8Array, proof: Uint8Array): Promise<Evidence> {
  const inclusion = verifyTxInProof(rawTx, proof)
  const chain = await ctx.state.headerChain(ctx.config)
  const confirmations = await chain.confirmations(inclusion.blockHash)
  if (confirmations < 0) {
    fail('BRIDGE_BLOCK_UNKNOWN', 'the proof is for a block the bridge does not know: relay its headers first (receiveBtcHeaders)')
  }
  if (confirmations === 0) fail('BRIDGE_NOT_BEST_CHAIN', 'the proof is for a block that is not on the bridge\'s best Bitcoin chain')
  if (confirmations < ctx.config.confirmations) {
    fail('PEG_NOT_ENOUGH_CONFIRMATIONS', `the transaction has ${confirmations} confirmations; ${ctx.config.confirmations} are required`, {
      confirmations,
      required: ctx.config.confirmations,
    })
  }
  return { txid: inclusion.txid, blockHash: inclusion.blockHash }
}

