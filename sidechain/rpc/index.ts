// The public face of the side chain's Ethereum JSON-RPC edge: the server, its limits and metrics, the error
// mapping and the formatters (for the REST API and tools that want the same JSON as the RPC).
export { startRpcServer, DEFAULT_RPC_LIMITS } from './server.js'
export type { RpcServer, RpcServerOptions, RpcLimits } from './server.js'
export type { RpcExtras, RpcContext, RpcMethod, MethodTable } from './context.js'
export { createRpcMetrics } from './metrics.js'
export type { RpcMetrics } from './metrics.js'
export { RpcCode, rpcCodeFor, toRpcError, revertMessage, decodeRevertReason } from './errors.js'
export type { RpcErrorObject } from './errors.js'
export { formatBlock, formatHeader, formatTransaction, formatReceipt, formatLog, gasPriceOf } from './format.js'
export type { RpcBlock, RpcHeader, RpcTransaction, RpcReceipt, RpcLog, TxPlace } from './format.js'
export { createMethodTable } from './methods.js'
export { dispatch } from './dispatch.js'
export type { LogCriteria } from './log-query.js'
