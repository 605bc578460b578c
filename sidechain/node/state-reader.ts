// Reading state at a past or present block without touching the block producer's state: balances, code,
// storage, nonces, EIP-1186 proofs, and eth_call / eth_estimateGas, each over its own state manager opened at
// that block's state root (trie nodes are never pruned, so every final block's state stays readable).
import { createBlock, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { getMerkleStateProof, type MerkleStateManager } from '@ethereumjs/statemanager'
import { openState, openStateTrie } from '../exec/state-trie.js'
import { createTx, type TypedTransaction } from '@ethereumjs/tx'
import { Address, createAccountFromRLP, hexToBytes as ejsHexToBytes, setLengthLeft, type PrefixedHexString } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import { createChainVM } from '../exec/vm.js'
import type { DB } from '@ethereumjs/util'
import { CausewayError, isCausewayError } from '../../spv/base/errors.js'
import { toHex } from '../../spv/base/bytes.js'
import type { AccountProof, CallRequest, CallResult } from './api.js'

const ZERO_ADDRESS = new Uint8Array(20)

/** geth's defaults: --rpc.gascap 50,000,000 and --rpc.evmtimeout 5s (issue 12 item 2). */
export const DEFAULT_RPC_GAS_CAP = 50_000_000n
export const DEFAULT_RPC_EVM_TIMEOUT_MS = 5_000
/** Opcodes between two looks at the clock: keeps the deadline's cost per step to a counter. */
const STEPS_PER_CLOCK_CHECK = 1024

export class StateReader {
  constructor(
    private readonly common: Common,
    private readonly db: DB<string, string | Uint8Array>,
    private readonly blockchain: { getBlock(n: number): Promise<{ hash(): Uint8Array }> },
    /** Cap of gas for calls and estimates (geth's --rpc.gascap): a request asking for more runs with the cap. */
    private readonly gasCap: bigint,
    /** Wall-clock bound of one call's execution (geth's --rpc.evmtimeout); 0 for none. */
    private readonly timeoutMs: number = DEFAULT_RPC_EVM_TIMEOUT_MS,
  ) {}

  /** A fresh state manager at `stateRoot`. */
  async at(stateRoot: Uint8Array): Promise<MerkleStateManager> {
    return openState(this.db, stateRoot)
  }

  async account(stateRoot: Uint8Array, address: Uint8Array): Promise<{ nonce: bigint; balance: bigint }> {
    const sm = await this.at(stateRoot)
    const acc = await sm.getAccount(new Address(address))
    return { nonce: acc?.nonce ?? 0n, balance: acc?.balance ?? 0n }
  }

  async code(stateRoot: Uint8Array, address: Uint8Array): Promise<Uint8Array> {
    return (await this.at(stateRoot)).getCode(new Address(address))
  }

  async storage(stateRoot: Uint8Array, address: Uint8Array, slot: Uint8Array): Promise<Uint8Array> {
    const sm = await this.at(stateRoot)
    const value = await sm.getStorage(new Address(address), setLengthLeft(slot, 32))
    return setLengthLeft(value, 32)
  }

  async proof(stateRoot: Uint8Array, address: Uint8Array, slots: readonly Uint8Array[]): Promise<AccountProof> {
    const sm = await this.at(stateRoot)
    const p = await getMerkleStateProof(sm, new Address(address), slots.map((s) => setLengthLeft(s, 32)))
    const b = (h: PrefixedHexString) => ejsHexToBytes(h)
    return {
      address,
      balance: BigInt(p.balance),
      nonce: BigInt(p.nonce),
      codeHash: b(p.codeHash),
      storageHash: b(p.storageHash),
      accountProof: p.accountProof.map(b),
      storageProof: p.storageProof.map((s) => ({ key: b(s.key), value: BigInt(s.value), proof: s.proof.map(b) })),
    }
  }

  /** Sum of every account balance in the state: the audit's side of the supply invariant. */
  async sumOfBalances(stateRoot: Uint8Array): Promise<{ sum: bigint; accounts: number }> {
    let sum = 0n
    let accounts = 0
    const trie = await openStateTrie(this.db, stateRoot)
    await trie.walkAllValueNodes(async (node) => {
      const value = node.value()
      if (value === null) return
      sum += createAccountFromRLP(value).balance
      accounts++
    })
    return { sum, accounts }
  }

  /**
   * Runs a call as a transaction from `from` without a signature or fee payment, on a copy of the state at
   * `block`, and reports the gas it used (intrinsic gas, refunds and the EIP-7623 floor included).
   */
  async call(block: Block, request: CallRequest, gasLimit?: bigint): Promise<CallResult> {
    return this.callBefore(block, request, gasLimit, this.deadline())
  }

  private deadline(): number {
    return this.timeoutMs > 0 ? Date.now() + this.timeoutMs : Infinity
  }

  private async callBefore(block: Block, request: CallRequest, gasLimit: bigint | undefined, deadline: number): Promise<CallResult> {
    const sm = await this.at(block.header.stateRoot)
    const vm = await createChainVM(this.common, sm, this.blockchain)
    const hasFees = request.gasPrice !== undefined || request.maxFeePerGas !== undefined
    // Like geth: a call that names no fee runs with a zero base fee so a zero gas price is accepted.
    const context = createBlock(
      { header: { ...block.header.toJSON(), number: block.header.number + 1n, timestamp: block.header.timestamp + 1n, baseFeePerGas: hasFees ? block.header.baseFeePerGas : 0n, gasLimit: this.gasCap } },
      { common: this.common, setHardfork: false },
    )
    // Like geth, gas above the cap is clamped to it rather than refused.
    const asked = gasLimit ?? request.gas ?? this.gasCap
    const tx = this.callTx(request, asked > this.gasCap ? this.gasCap : asked)
    if (deadline !== Infinity) watchDeadline(vm.evm, deadline, this.timeoutMs)
    let result
    try {
      result = await runTx(vm, { tx, block: context, skipNonce: true, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
    } catch (e) {
      if (isCausewayError(e, 'EXEC_TIMEOUT')) throw e
      return { returnValue: new Uint8Array(0), gasUsed: 0n, reverted: true, error: (e as Error).message }
    }
    const err = result.execResult.exceptionError
    return {
      returnValue: result.execResult.returnValue,
      gasUsed: result.totalGasSpent,
      reverted: err !== undefined,
      ...(err === undefined ? {} : { error: err.error }),
    }
  }

  /** The least gas limit with which the call succeeds; EXEC_REVERTED (with the revert data) if it never does. */
  async estimateGas(block: Block, request: CallRequest): Promise<bigint> {
    // Never searched above the cap; one deadline bounds the whole search.
    const cap = request.gas !== undefined && request.gas < this.gasCap ? request.gas : this.gasCap
    const deadline = this.deadline()
    const full = await this.callBefore(block, request, cap, deadline)
    if (full.reverted) throw revertError(full)
    // Binary search between what the call used (it may need more when given less, 63/64 rule) and the cap.
    let lo = full.gasUsed - 1n
    let hi = cap
    const firstTry = full.gasUsed + full.gasUsed / 64n + 2_300n
    if (firstTry < hi && !(await this.callBefore(block, request, firstTry, deadline)).reverted) hi = firstTry
    while (hi - lo > 1n && (hi - lo) * 100n > lo) {
      const mid = (lo + hi) / 2n
      if ((await this.callBefore(block, request, mid, deadline)).reverted) lo = mid
      else hi = mid
    }
    return hi
  }

  private callTx(request: CallRequest, gasLimit: bigint): TypedTransaction {
    const base = {
      nonce: request.nonce ?? 0n,
      gasLimit,
      to: request.to,
      value: request.value ?? 0n,
      data: request.data ?? new Uint8Array(0),
    }
    const accessList = request.accessList?.map((a) => ({ address: toHex(a.address), storageKeys: a.storageKeys.map((k) => toHex(k)) }))
    const txData =
      request.maxFeePerGas !== undefined || request.maxPriorityFeePerGas !== undefined
        ? { ...base, type: 2, maxFeePerGas: request.maxFeePerGas ?? 0n, maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? 0n, accessList: accessList ?? [] }
        : accessList !== undefined
          ? { ...base, type: 1, gasPrice: request.gasPrice ?? 0n, accessList }
          : { ...base, type: 0, gasPrice: request.gasPrice ?? 0n }
    const tx = createTx(txData as never, { common: this.common, freeze: false })
    const from = new Address(request.from ?? ZERO_ADDRESS)
    // Calls are unsigned: impersonate the requested sender.
    ;(tx as { getSenderAddress: () => Address }).getSenderAddress = () => from
    return tx
  }
}

type OpEntry = { opHandler: (...args: unknown[]) => unknown }

/**
 * Makes this call's EVM throw EXEC_TIMEOUT past `deadline`. The EVM yields nowhere a timer could fire, so the
 * clock is read from inside the run: every loop runs through JUMP or JUMPI, so this EVM's own copy of those two
 * opcode handlers looks at the clock every STEPS_PER_CLOCK_CHECK jumps (straight-line code is bounded by the code
 * size, precompiles by gas). A non-EVM error ends the run and runTx rethrows it. Measured: a 5M-gas loop took
 * 543 ms unbounded and 1,290 ms with the generic `step` event (it copies the stack on every opcode), so the step
 * event is only the fallback should the opcode table not have the expected shape.
 */
function watchDeadline(evm: unknown, deadline: number, timeoutMs: number): void {
  let jumps = 0
  const check = () => {
    if (++jumps % STEPS_PER_CLOCK_CHECK === 0 && Date.now() > deadline) throw timeoutError(timeoutMs)
  }
  const e = evm as { _opcodeMap?: OpEntry[]; events?: { on(topic: 'step', f: () => void): void } }
  const map = e._opcodeMap
  const JUMP = 0x56
  const JUMPI = 0x57
  if (Array.isArray(map) && typeof map[JUMP]?.opHandler === 'function' && typeof map[JUMPI]?.opHandler === 'function') {
    // A copy for this EVM only (each call opens its own), so blocks and other calls are untouched.
    const copy = [...map]
    for (const op of [JUMP, JUMPI]) {
      const entry = map[op]!
      copy[op] = { ...entry, opHandler: (...args: unknown[]) => (check(), entry.opHandler(...args)) }
    }
    e._opcodeMap = copy
    return
  }
  e.events!.on('step', check)
}

/** geth's answer for a call past --rpc.evmtimeout (EIP-1474 -32000 at the edge). */
function timeoutError(ms: number): CausewayError {
  return new CausewayError('EXEC_TIMEOUT', `execution aborted (timeout = ${ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`})`)
}

/** The coded error for a reverted call; details.data carries the revert data as hex (EIP-1474 code 3 at the edge). */
export function revertError(result: CallResult): CausewayError {
  const data = toHex(result.returnValue)
  if (result.error !== undefined && result.error !== 'revert') {
    return new CausewayError('EXEC_FAILED', `execution failed: ${result.error}`, { details: { data } })
  }
  return new CausewayError('EXEC_REVERTED', 'execution reverted', { details: { data } })
}
