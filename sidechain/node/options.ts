// What a node is opened with (its data directory, chain parameters, genesis and bounds), shared by the parts of
// the node that read them: opening, the block pipeline, admission and the queries.
import type { GenesisAlloc } from '../chain/genesis.js'
import type { ChainParams } from '../chain/params.js'
import type { MempoolLimits } from '../mempool/mempool.js'

/** Most transactions in a block built here unless NodeOptions.maxBlockTxs says otherwise. */
export const DEFAULT_MAX_BLOCK_TXS = 1000

export interface NodeOptions {
  readonly datadir: string
  readonly params: ChainParams
  /** Genesis balances; on development chains they are the unpegged prefund. */
  readonly alloc: readonly GenesisAlloc[]
  readonly mempool?: MempoolLimits
  /** Most logs one eth_getLogs may return, and the widest block range it may scan. */
  readonly maxLogs?: number
  readonly maxLogRange?: bigint
  /** Most gas one eth_call / eth_estimateGas runs with (geth's --rpc.gascap; default 50,000,000): more is clamped. */
  readonly rpcGasCap?: bigint
  /** Wall-clock bound of one eth_call / eth_estimateGas in ms (geth's --rpc.evmtimeout; default 5,000; 0 for none). */
  readonly rpcEvmTimeoutMs?: number
  readonly clientVersion?: string
  /** Most transactions a block built here holds, so building (and every validator's re-execution) stays short. */
  readonly maxBlockTxs?: number
  /**
   * Hold admissions while block work runs once the pool holds a backlog of more than two full blocks (federation
   * members: consensus must not be starved by a flood of submissions). Below that, and always on a lone
   * development validator, admission runs concurrently with block work, which serves more transactions per second.
   */
  readonly admissionYields?: boolean
}
