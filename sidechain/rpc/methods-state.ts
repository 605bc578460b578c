// JSON-RPC methods over account state and execution: balances, code, storage, nonces, eth_call and
// eth_estimateGas (reverts as geth's code 3 with the revert data), sending transactions, fees, proofs, supply.
import { CausewayError } from '../../spv/base/errors.js'
import { toHex, toQuantity } from '../../spv/base/bytes.js'
import type { RpcContext, RpcMethod } from './context.js'
import { revertedError } from './errors.js'
import {
  address,
  blockRef,
  callRequest,
  data,
  hexOrDecimal,
  invalidParam,
  isObject,
  percentiles,
  positional,
  storageKey,
  type BlockRef,
} from './params.js'

/** geth serves at most this many blocks of fee history per call and silently trims larger requests. */
const MAX_FEE_HISTORY_BLOCKS = 1024n

/** The block number state is read at; an unknown number or hash is RPC_UNKNOWN_BLOCK (-32001). */
export async function stateBlock(ctx: RpcContext, ref: BlockRef): Promise<bigint> {
  if (typeof ref !== 'object') return ctx.api.resolveBlockTag(ref)
  const block = await ctx.api.getBlockByHash(ref.hash)
  if (block === undefined) throw new CausewayError('RPC_UNKNOWN_BLOCK', `unknown block ${toHex(ref.hash)}`)
  return block.header.number
}

function refOrLatest(value: unknown, label = 'block'): BlockRef {
  return value === undefined || value === null ? 'latest' : blockRef(value, label)
}

/** State overrides (eth_call's third param) are not supported; an empty object is accepted as none. */
function noOverrides(value: unknown): void {
  if (value === undefined || value === null) return
  if (isObject(value) && Object.keys(value).length === 0) return
  invalidParam('state overrides', 'state overrides are not supported by this node')
}

const noKeys = (method: string): RpcMethod => () => {
  throw new CausewayError(
    'RPC_UNSUPPORTED',
    `${method} is not supported: the node holds no keys; sign the transaction yourself and use eth_sendRawTransaction`,
  )
}

export const stateMethods: Readonly<Record<string, RpcMethod>> = {
  eth_getBalance: async (params, ctx) => {
    const [a, ref] = positional(params, ['address', 'block'], 1)
    const who = address(a, 'address')
    return toQuantity(await ctx.api.getBalance(who, await stateBlock(ctx, refOrLatest(ref))))
  },

  eth_getCode: async (params, ctx) => {
    const [a, ref] = positional(params, ['address', 'block'], 1)
    const who = address(a, 'address')
    return toHex(await ctx.api.getCode(who, await stateBlock(ctx, refOrLatest(ref))))
  },

  eth_getStorageAt: async (params, ctx) => {
    const [a, slot, ref] = positional(params, ['address', 'slot', 'block'], 2)
    const who = address(a, 'address')
    const key = storageKey(slot, 'slot')
    return toHex(await ctx.api.getStorageAt(who, key, await stateBlock(ctx, refOrLatest(ref))))
  },

  eth_getTransactionCount: async (params, ctx) => {
    const [a, ref] = positional(params, ['address', 'block'], 1)
    const who = address(a, 'address')
    const at = refOrLatest(ref)
    // `pending` counts the sender's transactions waiting in the pool: the nonce a wallet should use next.
    const block = at === 'pending' ? 'pending' : await stateBlock(ctx, at)
    return toQuantity(await ctx.api.getTransactionCount(who, block))
  },

  eth_call: async (params, ctx) => {
    const [tx, ref, overrides] = positional(params, ['transaction', 'block', 'state overrides'], 1)
    const request = callRequest(tx, 'transaction')
    noOverrides(overrides)
    const result = await ctx.api.call(request, await stateBlock(ctx, refOrLatest(ref)))
    if (!result.reverted) return toHex(result.returnValue)
    // A REVERT (with or without data) is code 3 with the data; other failures (out of gas, invalid opcode)
    // are -32000 with the EVM's reason, as geth answers.
    if (result.error === undefined || /revert/i.test(result.error) || result.returnValue.length > 0) {
      throw revertedError(result.returnValue)
    }
    throw new CausewayError('EXEC_FAILED', result.error)
  },

  eth_estimateGas: async (params, ctx) => {
    const [tx, ref, overrides] = positional(params, ['transaction', 'block', 'state overrides'], 1)
    const request = callRequest(tx, 'transaction')
    noOverrides(overrides)
    const at = ref === undefined || ref === null ? 'pending' : blockRef(ref, 'block')
    return toQuantity(await ctx.api.estimateGas(request, await stateBlock(ctx, at)))
  },

  eth_sendRawTransaction: async (params, ctx) => {
    const [raw] = positional(params, ['transaction'], 1)
    const bytes = data(raw, 'transaction')
    if (bytes.length === 0) invalidParam('transaction', 'empty transaction')
    return toHex(await ctx.api.sendRawTransaction(bytes))
  },

  eth_sendTransaction: noKeys('eth_sendTransaction'),
  eth_signTransaction: noKeys('eth_signTransaction'),
  eth_sign: noKeys('eth_sign'),

  eth_gasPrice: async (params, ctx) => {
    positional(params, [], 0)
    return toQuantity(await ctx.api.gasPrice())
  },

  eth_maxPriorityFeePerGas: async (params, ctx) => {
    positional(params, [], 0)
    return toQuantity(await ctx.api.maxPriorityFeePerGas())
  },

  eth_feeHistory: async (params, ctx) => {
    const [count, newest, pct] = positional(params, ['block count', 'newest block', 'reward percentiles'], 2)
    let blocks = hexOrDecimal(count, 'block count')
    const ref = blockRef(newest, 'newest block')
    const rewards = percentiles(pct, 'reward percentiles')
    if (blocks === 0n) return { oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [] }
    if (blocks > MAX_FEE_HISTORY_BLOCKS) blocks = MAX_FEE_HISTORY_BLOCKS
    const history = await ctx.api.feeHistory(Number(blocks), await stateBlock(ctx, ref), rewards)
    return {
      oldestBlock: toQuantity(history.oldestBlock),
      baseFeePerGas: history.baseFeePerGas.map(toQuantity),
      gasUsedRatio: [...history.gasUsedRatio],
      ...(history.reward === undefined ? {} : { reward: history.reward.map((r) => r.map(toQuantity)) }),
    }
  },

  eth_getProof: async (params, ctx) => {
    const [a, keys, ref] = positional(params, ['address', 'storage keys', 'block'], 2)
    const who = address(a, 'address')
    if (!Array.isArray(keys)) invalidParam('storage keys', 'expected an array of storage keys')
    const slots = keys.map((k: unknown, i) => storageKey(k, `storage keys[${i}]`))
    const proof = await ctx.api.getProof(who, slots, await stateBlock(ctx, refOrLatest(ref)))
    return {
      address: toHex(proof.address),
      accountProof: proof.accountProof.map(toHex),
      balance: toQuantity(proof.balance),
      codeHash: toHex(proof.codeHash),
      nonce: toQuantity(proof.nonce),
      storageHash: toHex(proof.storageHash),
      storageProof: proof.storageProof.map((s) => ({
        key: toHex(s.key),
        value: toQuantity(s.value),
        proof: s.proof.map(toHex),
      })),
    }
  },

  eth_syncing: (params, ctx) => {
    positional(params, [], 0)
    const status = ctx.api.syncing()
    if (status === false) return false
    return {
      startingBlock: toQuantity(status.startingBlock),
      currentBlock: toQuantity(status.currentBlock),
      highestBlock: toQuantity(status.highestBlock),
    }
  },

  /** The native-coin supply (ARCHITECTURE.md decision 1), wei as hex quantities. */
  causeway_supply: async (params, ctx) => {
    positional(params, [], 0)
    const s = await ctx.api.supply()
    return { totalWei: toQuantity(s.totalWei), peggedWei: toQuantity(s.peggedWei), unpeggedWei: toQuantity(s.unpeggedWei) }
  },
  // The native coin that exists at a block, from its state trie alone (every balance summed): what `causeway audit`
  // holds against the bridge's Σ minted − Σ burned (ARCHITECTURE.md decision 1).
  causeway_nativeSupply: async (params, ctx) => {
    const [ref] = positional(params, ['block'], 0)
    if (ctx.extras.nativeSupply === undefined) throw new CausewayError('RPC_UNSUPPORTED', 'this node does not serve causeway_nativeSupply')
    const block = await stateBlock(ctx, refOrLatest(ref))
    const s = await ctx.extras.nativeSupply(block)
    return { block: toQuantity(block), wei: toQuantity(s.wei), accounts: s.accounts }
  },
  // Two signatures of one validator for different blocks where it may give one (sidechain/consensus/evidence.ts),
  // and two valid certificates for different blocks at one height, on which the node halted (consensus/conflict.ts).
  causeway_evidence: (params, ctx) => {
    positional(params, [], 0)
    const e = ctx.extras.evidence?.() ?? { total: 0, items: [] }
    // `halted`: null while the node follows the chain; else the code, message and proof (both certificates).
    return { total: e.total, items: e.items.map((x) => ({ ...x, height: toQuantity(x.height) })), halted: e.halted?.toJSON() ?? null }
  },
  // The supply invariant checked against the state itself: every balance in the head state summed.
  causeway_audit: async (params, ctx) => {
    positional(params, [], 0)
    if (ctx.extras.audit === undefined) throw new CausewayError('RPC_UNSUPPORTED', 'this node does not serve causeway_audit')
    const a = await ctx.extras.audit()
    return {
      head: toQuantity(a.head),
      accounts: a.accounts,
      sumOfBalances: toQuantity(a.sumOfBalances),
      supply: { totalWei: toQuantity(a.supply.totalWei), peggedWei: toQuantity(a.supply.peggedWei), unpeggedWei: toQuantity(a.supply.unpeggedWei) },
      balanced: a.sumOfBalances === a.supply.totalWei,
    }
  },
}
