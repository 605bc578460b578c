// The gas limit a signer gives its addSignatures transaction (GitHub issue 11, item 1: "gas that grows with what a call does"): the call's cost grows with
// the batch (its signatures, and for the member that completes the batch the assembly and storage of the signed
// transaction), so it comes from an estimate, not a fixed number — but never above what one block can hold.

export interface SignaturesGas {
  /** The limit to send with. */
  readonly gasLimit: bigint
  /** The estimate with its margins was above the block's gas limit and was lowered to it. */
  readonly capped: boolean
  /** The estimate alone exceeds the block's gas limit: the transaction cannot be mined. */
  readonly exceedsBlock: boolean
}

/**
 * `estimate` is eth_estimateGas against the bridge as it stands now. If at that moment this call does not complete
 * the batch (`completes` false) another member's signatures may land first, and then this call pays the assembly:
 * roughly one more copy of every member's signatures and the transaction, so the estimate is scaled by the
 * threshold + 1. Then 20 % (plus a little) for state that moves between estimate and mining. Unused gas is not
 * charged, so erring high costs only block room.
 */
export function signaturesGasLimit(estimate: bigint, threshold: number, completes: boolean, blockGasLimit: bigint): SignaturesGas {
  const scaled = completes ? estimate : estimate * BigInt(threshold + 1)
  const wanted = scaled + scaled / 5n + 10_000n
  const capped = wanted > blockGasLimit
  return { gasLimit: capped ? blockGasLimit : wanted, capped, exceedsBlock: estimate > blockGasLimit }
}
