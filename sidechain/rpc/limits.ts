// The JSON-RPC server's bounds — request sizes, batches, filters, WebSocket connections and their queues — as one
// frozen table of defaults, which the server's options override field by field.

export interface RpcLimits {
  /** HTTP body and WebSocket message size, bytes. */
  readonly maxBodyBytes: number
  /** Requests in one batch. */
  readonly maxBatch: number
  /** Poll filters installed at once (all clients). */
  readonly maxFilters: number
  /** Poll filters one client (remote address) may have installed at once. */
  readonly maxFiltersPerClient: number
  /** A poll filter not polled for this long is removed (geth: 5 minutes). */
  readonly filterIdleMs: number
  /** Blocks one eth_getFilterChanges covers at most. */
  readonly maxFilterPollBlocks: number
  /** Pending transaction hashes a pending-transaction filter keeps between polls. */
  readonly maxPendingHashes: number
  /** Open WebSocket connections. */
  readonly maxConnections: number
  readonly maxSubscriptionsPerConnection: number
  /** Messages waiting for their answer on one WebSocket connection. */
  readonly maxQueuedPerConnection: number
  /** A WebSocket client this far behind in reading is disconnected. */
  readonly maxWsBufferedBytes: number
  /** Interval of WebSocket pings; a connection that missed the last pong is closed. 0 = no pings. */
  readonly wsHeartbeatMs: number
}

export const DEFAULT_RPC_LIMITS: RpcLimits = Object.freeze({
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 1000,
  maxFilters: 10_000,
  maxFiltersPerClient: 100,
  filterIdleMs: 5 * 60_000,
  maxFilterPollBlocks: 1000,
  maxPendingHashes: 10_000,
  maxConnections: 1000,
  maxSubscriptionsPerConnection: 1000,
  maxQueuedPerConnection: 1000,
  maxWsBufferedBytes: 16 * 1024 * 1024,
  wsHeartbeatMs: 30_000,
})
