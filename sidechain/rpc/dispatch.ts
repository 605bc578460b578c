// The JSON-RPC 2.0 envelope, shared by HTTP and WebSocket: parse, single or batch, notifications, the method
// lookup, errors mapped to EIP-1474 numbers, latency metrics; nothing a caller sends can throw out of here.
import type { Logger } from 'pino'
import { CausewayError } from '../../spv/base/errors.js'
import type { MethodTable, RpcContext } from './context.js'
import { RpcCode, toRpcError, type RpcErrorObject } from './errors.js'
import type { RpcMetrics } from './metrics.js'
import { isObject } from './params.js'

export interface DispatchOptions {
  readonly methods: MethodTable
  /** Requests in one batch at most. */
  readonly maxBatch: number
  readonly metrics: RpcMetrics | undefined
  readonly logger: Logger
}

type Id = string | number | null

/**
 * Answers one HTTP body or WebSocket message. Returns the response text, or undefined when there is nothing to
 * send (only notifications). Batch items run in order, so transactions sent in one batch reach the pool in order.
 */
export async function dispatch(text: string, ctx: RpcContext, opts: DispatchOptions): Promise<string | undefined> {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e)
    return errorResponse(null, { code: RpcCode.PARSE_ERROR, message: `parse error: ${detail}` })
  }
  if (!Array.isArray(message)) return callOne(message, ctx, opts)
  if (message.length === 0) {
    return errorResponse(null, { code: RpcCode.INVALID_REQUEST, message: 'invalid request: empty batch' })
  }
  if (message.length > opts.maxBatch) {
    return errorResponse(null, {
      code: RpcCode.LIMIT_EXCEEDED,
      message: `batch too large: ${message.length} requests, limit ${opts.maxBatch}`,
    })
  }
  const answers: string[] = []
  for (const item of message) {
    const answer = await callOne(item, ctx, opts)
    if (answer !== undefined) answers.push(answer)
  }
  return answers.length === 0 ? undefined : `[${answers.join(',')}]`
}

async function callOne(request: unknown, ctx: RpcContext, opts: DispatchOptions): Promise<string | undefined> {
  if (!isObject(request)) return invalid(null, 'expected a request object')
  const hasId = 'id' in request
  const id = request['id']
  if (hasId && !(typeof id === 'string' || typeof id === 'number' || id === null)) {
    return invalid(null, 'id must be a string, a number or null')
  }
  const replyId: Id = hasId ? (id as Id) : null
  if (request['jsonrpc'] !== '2.0') return invalid(replyId, 'jsonrpc must be "2.0"')
  const method = request['method']
  if (typeof method !== 'string') return invalid(replyId, 'method must be a string')
  const params = request['params']
  if (params !== undefined && params !== null && !Array.isArray(params)) {
    if (!hasId) return undefined
    return errorResponse(replyId, {
      code: RpcCode.INVALID_PARAMS,
      message: 'invalid params: params must be an array (named params are not supported)',
    })
  }

  const started = performance.now()
  const fn = opts.methods.get(method)
  const label = fn === undefined ? 'unknown' : method
  let answer: string | undefined
  let outcome: 'ok' | 'error' = 'ok'
  try {
    if (fn === undefined) {
      throw new CausewayError('RPC_METHOD_NOT_FOUND', `the method ${method} does not exist/is not available`)
    }
    const result = await fn(Array.isArray(params) ? params : [], ctx)
    // Serialized here, so a result that cannot be written is this call's internal error, not the batch's.
    answer = `{"jsonrpc":"2.0","id":${JSON.stringify(replyId)},"result":${JSON.stringify(result ?? null)}}`
  } catch (e) {
    outcome = 'error'
    const { error, internal } = toRpcError(e)
    if (internal) opts.logger.error({ err: e, method }, 'internal error in JSON-RPC method')
    else opts.logger.debug({ method, code: error.code, message: error.message }, 'JSON-RPC call refused')
    answer = errorResponse(replyId, error)
  }
  opts.metrics?.observe(label, (performance.now() - started) / 1000, outcome)
  return hasId ? answer : undefined
}

function invalid(id: Id, why: string): string {
  return errorResponse(id, { code: RpcCode.INVALID_REQUEST, message: `invalid request: ${why}` })
}

export function errorResponse(id: Id, error: RpcErrorObject): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error })
}
