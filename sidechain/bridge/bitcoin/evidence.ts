// Evidence that a Bitcoin transaction is final enough for the bridge: its inclusion proof checked against the
// bridge's best header chain, at the configured confirmation depth. Peg-ins, held payments and batch
// confirmations all start from it. The depth rule itself is peg/bitcoin/confirmations.ts.
import { verifyTxInProof } from '../../../spv/bitcoin/transaction.js'
import { checkConfirmations } from '../../../peg/bitcoin/index.js'
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
  checkConfirmations(confirmations, ctx.config.confirmations)
  return { txid: inclusion.txid, blockHash: inclusion.blockHash }
}

