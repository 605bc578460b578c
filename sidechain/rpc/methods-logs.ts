// JSON-RPC methods for logs and change notifications: eth_getLogs, the poll filters (eth_newFilter & co.) and
// eth_subscribe/eth_unsubscribe, which only a WebSocket connection can carry.
import { CausewayError } from '../../spv/base/errors.js'
import type { RpcContext, RpcMethod } from './context.js'
import { formatLog } from './format.js'
import { queryLogs } from './log-query.js'
import { invalidParam, logCriteria, positional } from './params.js'
import { parseSubscription, type SubscriptionSet } from './subscriptions.js'

/** A filter or subscription id as this server hands them out (0x-hex); anything else cannot name one. */
function idParam(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.length > 130) invalidParam(label, 'expected an id string as returned on creation')
  return value
}

function connection(ctx: RpcContext): SubscriptionSet {
  if (ctx.subscriptions === undefined) {
    throw new CausewayError(
      'RPC_NOTIFICATIONS_UNSUPPORTED',
      'notifications not supported: eth_subscribe needs a WebSocket connection; over HTTP use eth_newFilter and eth_getFilterChanges',
    )
  }
  return ctx.subscriptions
}

export const logMethods: Readonly<Record<string, RpcMethod>> = {
  eth_getLogs: async (params, ctx) => {
    const [filter] = positional(params, ['filter'], 1)
    const logs = await queryLogs(ctx.api, logCriteria(filter, 'filter'))
    return logs.map(formatLog)
  },

  eth_newFilter: (params, ctx) => {
    const [filter] = positional(params, ['filter'], 1)
    return ctx.filters.newLogFilter(logCriteria(filter, 'filter'), ctx.client)
  },

  eth_newBlockFilter: (params, ctx) => {
    positional(params, [], 0)
    return ctx.filters.newBlockFilter(ctx.client)
  },

  eth_newPendingTransactionFilter: (params, ctx) => {
    positional(params, ['full transactions'], 0)
    if (params[0] === true) invalidParam('full transactions', 'only transaction hashes are supported by poll filters')
    return ctx.filters.newPendingTransactionFilter(ctx.client)
  },

  eth_getFilterChanges: (params, ctx) => {
    const [id] = positional(params, ['filter id'], 1)
    return ctx.filters.changes(idParam(id, 'filter id'))
  },

  eth_getFilterLogs: (params, ctx) => {
    const [id] = positional(params, ['filter id'], 1)
    return ctx.filters.logs(idParam(id, 'filter id'))
  },

  eth_uninstallFilter: (params, ctx) => {
    const [id] = positional(params, ['filter id'], 1)
    return ctx.filters.uninstall(idParam(id, 'filter id'))
  },

  eth_subscribe: (params, ctx) => {
    const subscriptions = connection(ctx)
    return subscriptions.add(parseSubscription(params))
  },

  eth_unsubscribe: (params, ctx) => {
    const subscriptions = connection(ctx)
    const [id] = positional(params, ['subscription id'], 1)
    return subscriptions.remove(idParam(id, 'subscription id'))
  },
}
