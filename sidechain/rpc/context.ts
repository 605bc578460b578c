// What every JSON-RPC method receives: the node, the shared poll filters, optional extras the node may offer, and
// the WebSocket connection's subscriptions (absent over HTTP). Kept apart so methods and transports share it.
import type { NodeApi, SupplyReport } from '../node/api.js'
import type { FilterManager } from './filters.js'
import type { Evidence } from '../consensus/evidence.js'
import type { CausewayError } from '../../spv/base/errors.js'
import type { SubscriptionSet } from './subscriptions.js'

/** Optional facts beyond NodeApi the node may pass to the RPC server. */
export interface RpcExtras {
  /** Connected peers, for net_peerCount and /health; 0 when absent. */
  peerCount?(): number
  /** The supply audit (causeway_audit): supply as accounted against every balance in the head state. */
  audit?(): Promise<{ supply: SupplyReport; sumOfBalances: bigint; accounts: number; head: bigint }>
  /**
   * The native coin that exists at `block` (causeway_nativeSupply): every account balance in its state trie summed,
   * independently of any counter — the audit compares it with the bridge's Σ minted − Σ burned.
   */
  nativeSupply?(block: bigint): Promise<{ wei: bigint; accounts: number }>
  /**
   * Equivocation seen by this validator's engine (causeway_evidence), newest last, and why the node halted if it
   * did (CONSENSUS_CONFLICTING_CERTIFICATES, its details the two blocks and certificates).
   */
  evidence?(): { readonly total: number; readonly items: readonly Evidence[]; readonly halted?: CausewayError | undefined }
}

export interface RpcContext {
  readonly api: NodeApi
  readonly filters: FilterManager
  readonly extras: RpcExtras
  /** Who is asking, for per-client bounds (poll filters): the remote address of the connection. */
  readonly client: string
  /** The connection's subscriptions; undefined over HTTP, where eth_subscribe is refused. */
  readonly subscriptions: SubscriptionSet | undefined
}

/** A method takes the positional params and returns a JSON-ready result (undefined is sent as null). */
export type RpcMethod = (params: readonly unknown[], ctx: RpcContext) => unknown

export type MethodTable = ReadonlyMap<string, RpcMethod>

/** A socket whose peer address is gone (closed already) still counts against one shared bound. */
export const UNKNOWN_CLIENT = 'unknown'

/**
 * The key per-client bounds are counted under: the remote address (the port changes per connection). IPv4-mapped
 * IPv6 addresses are folded to IPv4 so one host has one key.
 */
export function clientOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return UNKNOWN_CLIENT
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress
}
