// What a bridge method sees of the call that reached it: the caller and value (which ethereumjs does not pass to a
// precompile; the EVM hook in evm-hook.ts keeps them), the block, the bridge's state, the configuration, and a
// place to put the events it emits.
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { fail } from '../../spv/base/errors.js'
import { hexToBytes } from '../../spv/base/bytes.js'
import type { BridgeConfig } from './config.js'
import type { BridgeState } from './state.js'
import { bridgeAbi, toAbiValues } from './abi.js'

export type EventLog = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array]

/** `S`: the state a family's methods see (the core's, or a family's extension of it, e.g. bitcoin/state.ts). */
export interface CallContext<S extends BridgeState = BridgeState> {
  readonly caller: Uint8Array
  /** Wei sent with the call; it is already in the bridge's balance. */
  readonly value: bigint
  /** True inside STATICCALL (and for `view` entry points called that way): nothing may be written. */
  readonly isStatic: boolean
  readonly blockNumber: bigint
  readonly timestamp: bigint
  readonly state: S
  readonly config: BridgeConfig
  /**
   * The EVM's state manager: accounts for the system mint/burn path (sidechain/exec/system-supply.ts); code and raw
   * storage for the EVM family's wrapped tokens (evm/wrapped-token.ts), each slot charged through the call's meter.
   */
  readonly stateManager: Pick<MerkleStateManager, 'getAccount' | 'putAccount' | 'getCode' | 'putCode' | 'getStorage' | 'putStorage'>
  readonly bridgeAddress: Uint8Array
  readonly logs: EventLog[]
}

/** Appends an event of IBridge to the call's logs. */
export function emit(ctx: CallContext, name: string, args: readonly unknown[]): void {
  const event = bridgeAbi.getEvent(name)
  if (event === null) throw new Error(`IBridge has no event ${name}`)
  const { data, topics } = bridgeAbi.encodeEventLog(event, toAbiValues(event.inputs, args))
  ctx.logs.push([ctx.bridgeAddress, topics.map((t) => hexToBytes(t, 'topic')), hexToBytes(data, 'data')])
}

/** Refuses a state-changing method inside a static call. */
export function requireWritable(ctx: CallContext): void {
  if (ctx.isStatic) fail('BRIDGE_STATIC_CALL', 'this bridge method changes state and cannot be called with STATICCALL or eth_call as view')
}

/** Refuses a call that sends value to a method that is not payable (the value would be stuck in the bridge). */
export function requireNoValue(ctx: CallContext): void {
  if (ctx.value !== 0n) fail('BRIDGE_NOT_PAYABLE', 'this bridge method takes no value; only pegOut is payable')
}

/** The caller's index among the federation members, or a refusal. */
export function requireMember(ctx: CallContext): number {
  const i = ctx.config.members.findIndex((m) => m.every((b, j) => b === ctx.caller[j]))
  if (i < 0) fail('BRIDGE_NOT_FEDERATION', 'only a federation member may call this bridge method')
  return i
}
