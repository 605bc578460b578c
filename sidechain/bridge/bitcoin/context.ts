// What a Bitcoin bridge method sees of its call: the core's call context with the Bitcoin family's state.
import type { CallContext } from '../context.js'
import type { BtcBridgeState } from './state.js'

export type BtcContext = CallContext<BtcBridgeState>
