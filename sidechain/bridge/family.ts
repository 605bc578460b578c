// A main-chain family of the bridge (Bitcoin today, an EVM chain next): its methods, each with whether it writes and
// what extra gas its arguments cost, and the state its methods see — the core's, extended with the family's own
// accessors over its own storage namespace (layout.ts). The precompile (precompile.ts) dispatches a call by its
// ABI name to the one family that has it; a family only adds methods, state and keys, never changes the core's.
//
// Minting and burning (decided here, so that a family only adds): the native coin is minted and burned by the
// core's system path (exec/system-supply.ts, mintNative/burnNative), counted in the core's `minted`/`burned`
// counters. A wrapped ERC-20 (the EVM family's tokens) is a contract the bridge controls: WrappedToken.sol's
// runtime, placed by the bridge at an address derived from (main chain id, main token) the first time a token
// arrives, whose `mint`/`burn` accept only the bridge address as caller. The bridge does not make EVM calls from
// inside the precompile: it writes the token's ERC-20 storage itself (balance and total supply, at the slots of the
// OpenZeppelin layout the template is compiled with — checked by a test against solc's storage layout) and emits
// the token's `Transfer` log with the token as its address, exactly what the contract's own `mint` would leave,
// and keeps per-token minted/burned counters in the EVM family's namespace beside its vault reserves.
import type { CallContext } from './context.js'
import type { BridgeState } from './state.js'
import type { AccountStorage } from './storage.js'

export interface BridgeMethod<S extends BridgeState = BridgeState> {
  readonly handler: (ctx: CallContext<S>, args: readonly unknown[]) => Promise<unknown>
  /** A method that writes refuses value unless payable and runs only outside STATICCALL (it says so itself). */
  readonly writes: boolean
  /** Extra gas from the arguments (headers, signatures), on top of storage and bytes. */
  readonly extra?: (args: readonly unknown[]) => bigint
}

export interface BridgeFamily<S extends BridgeState = BridgeState> {
  readonly name: string
  readonly methods: Readonly<Record<string, BridgeMethod<S>>>
  state(store: AccountStorage, chainId: bigint): S
}
