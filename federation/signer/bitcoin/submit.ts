// Sending a batch's signatures to the bridge (`addSignatures`): the gas of the call that completes a batch, the
// duty share of a block as its ceiling, and the signing log marked once the bridge has them.
import type { Logger } from 'pino'
import { encodeSignatures, type Federation } from '../../../peg/bitcoin/index.js'
import { DUTY_GAS_DIVISOR } from '../../../sidechain/exec/duty.js'
import type { BridgeClient } from '../bridge-client.js'
import { signaturesGasLimit } from '../gas.js'
import type { SigningLog } from '../signing-log.js'

export interface SubmitDeps {
  readonly bridge: BridgeClient
  readonly signingLog: SigningLog
  readonly fed: Federation
  readonly member: number
  readonly log: Logger
}

export async function submitSignatures(d: SubmitDeps, batchId: bigint, sigs: readonly Uint8Array[]): Promise<void> {
  const args = [batchId, encodeSignatures(sigs)]
  const expected = ['BRIDGE_BATCH_NOT_SIGNABLE', 'BRIDGE_ALREADY_SIGNED']
  // The member whose signatures complete the batch also pays for its assembly (gas.ts). The signers are read
  // before the estimate: another member's signatures landing in between then only make the estimate larger,
  // never an estimate of the cheaper, non-completing call sent as if it completed (which ran out of gas).
  const view = await d.bridge.read.getBatch([batchId])
  const completes = popcount(Number(view.signers) | (1 << d.member)) >= d.fed.threshold
  // The estimate is also the dry run: a refusal is caught here and costs nothing.
  const est = await d.bridge.estimate('addSignatures', args, expected)
  let r: Awaited<ReturnType<BridgeClient['send']>>
  if ('refused' in est) r = est
  else {
    // A duty may take at most its share of a block (sidechain/exec/duty.ts): that is the ceiling here.
    const gas = signaturesGasLimit(est.gas, d.fed.threshold, completes, (await d.bridge.blockGasLimit()) / DUTY_GAS_DIVISOR)
    if (gas.exceedsBlock) {
      d.log.error({ batchId: batchId.toString(), estimate: est.gas.toString(), gasLimit: gas.gasLimit.toString() }, 'addSignatures needs more gas than a block holds for duties; not sent (retried later)')
      return
    }
    if (gas.capped) d.log.warn({ batchId: batchId.toString(), estimate: est.gas.toString(), gasLimit: gas.gasLimit.toString() }, 'addSignatures gas with margin exceeds the duty share of a block; capped to it')
    r = await d.bridge.send('addSignatures', args, expected, { skipDryRun: true, gasLimit: gas.gasLimit })
  }
  d.log.info({ batchId: batchId.toString(), outcome: 'hash' in r ? 'sent' : r.refused }, 'submitted batch signatures')
  if ('refused' in r) {
    await d.signingLog.markSubmitted(batchId)
    return
  }
  // Marked submitted once the bridge has them; if the transaction fails, the next round sends them again.
  void r.mined.then(async (ok) => {
    if (ok) await d.signingLog.markSubmitted(batchId).catch(() => undefined)
    else d.log.warn({ batchId: batchId.toString() }, 'signature transaction failed; will resubmit')
  })
}

function popcount(x: number): number {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}
