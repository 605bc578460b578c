// Runs a signed Bitcoin transaction through bcoin's script interpreter (a full, independent implementation of
// Bitcoin's consensus and standardness script rules) against the outputs it spends, so tests check that a
// transaction really validates, not only that its signatures verify in isolation. bcoin ships no types: the few
// calls used here are typed by hand.
import { createRequire } from 'node:module'

interface BcoinScript {
  isStandard(): boolean
}
interface BcoinTx {
  inputs: { prevout: unknown }[]
  check(view: unknown, flags?: number): void
  checkStandard(): [boolean, string, number]
  hasStandardWitness(view: unknown): boolean
  hasStandardInputs(view: unknown): boolean
  getVirtualSize(): number
  getWeight(): number
}
interface Bcoin {
  TX: { fromRaw(data: Buffer): BcoinTx }
  CoinView: new () => { addOutput(prevout: unknown, output: unknown): void }
  Output: new (options: { script: BcoinScript; value: number }) => unknown
  Script: { fromRaw(data: Buffer): BcoinScript; flags: Record<string, number> }
}

const bcoin = createRequire(import.meta.url)('bcoin') as Bcoin

export interface SpentOutput {
  readonly script: Uint8Array
  readonly value: bigint
}

export interface BcoinVerdict {
  /** Consensus and standard script flags pass (bcoin throws a ScriptError with a `code` otherwise). */
  readonly valid: true
  /** bcoin's IsStandardTx, AreInputsStandard and IsWitnessStandard. */
  readonly standard: boolean
  readonly standardReason: string
  readonly vsize: number
  readonly weight: number
}

/** Verifies every input of `rawTx` with bcoin's interpreter under STANDARD_VERIFY_FLAGS; throws on failure. */
export function verifyWithBcoin(rawTx: Uint8Array, spent: readonly SpentOutput[]): BcoinVerdict {
  const tx = bcoin.TX.fromRaw(Buffer.from(rawTx))
  if (tx.inputs.length !== spent.length) throw new Error(`expected ${tx.inputs.length} spent outputs, got ${spent.length}`)
  const view = new bcoin.CoinView()
  tx.inputs.forEach((input, i) => {
    const { script, value } = spent[i]!
    view.addOutput(input.prevout, new bcoin.Output({ script: bcoin.Script.fromRaw(Buffer.from(script)), value: Number(value) }))
  })
  tx.check(view, bcoin.Script.flags.STANDARD_VERIFY_FLAGS)
  const [ok, reason] = tx.checkStandard()
  return {
    valid: true,
    standard: ok && tx.hasStandardInputs(view) && tx.hasStandardWitness(view),
    standardReason: reason,
    vsize: tx.getVirtualSize(),
    weight: tx.getWeight(),
  }
}

/** bcoin's standardness of one output script (IsStandard of the scriptPubKey, including OP_RETURN size). */
export function isStandardOutputScript(script: Uint8Array): boolean {
  return bcoin.Script.fromRaw(Buffer.from(script)).isStandard()
}
