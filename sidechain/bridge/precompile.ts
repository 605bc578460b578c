// The bridge precompile (ARCHITECTURE.md decision 4): an ethereumjs custom precompile at BRIDGE_ADDRESS that
// decodes IBridge calls with the Solidity ABI, runs the method over the bridge's account storage, charges gas for
// what it read and wrote, returns ABI-encoded results and events, and turns every refusal into a revert with
// `BridgeError(code, message)`. A refusal changes nothing: the EVM reverts the call's state writes, its logs and
// any value sent.
import { Address } from '@ethereumjs/util'
import { EVMError, type ExecResult, type PrecompileInput } from '@ethereumjs/evm'
import { getBytes } from 'ethers'
import { CausewayError, isCausewayError } from '../../spv/base/errors.js'
import { bridgeAbi, toAbiValues } from './abi.js'
import type { CallContext, EventLog } from './context.js'
import { currentMessage } from './evm-hook.js'
import { BridgeState } from './state.js'
import { AccountStorage } from './storage.js'
import { GasMeter } from './gas-meter.js'
import * as headers from './headers.js'
import * as pegin from './pegin.js'
import * as pegout from './pegout.js'
import * as batches from './batches.js'
import * as views from './federation-view.js'
import * as unclaimed from './unclaimed.js'

/** Gas schedule of the bridge (our chain's own prices, in the spirit of SLOAD/SSTORE and ECRECOVER). */
export const BRIDGE_GAS = Object.freeze({
  view: 2_000n,
  write: 20_000n,
  slotRead: 200n,
  slotWrite: 5_000n,
  argByte: 8n,
  header: 3_000n,
  signature: 3_000n,
})

type Handler = (ctx: CallContext, args: readonly unknown[]) => Promise<unknown>

const b = (v: unknown): Uint8Array => getBytes(v as string)
const a = (v: unknown): Uint8Array => getBytes(v as string)

interface Method {
  readonly handler: Handler
  readonly writes: boolean
  /** Extra gas from the arguments (headers, signatures), on top of storage and bytes. */
  readonly extra?: (args: readonly unknown[]) => bigint
}

const methods: Record<string, Method> = {
  receiveBtcHeaders: {
    writes: true,
    handler: async (ctx, [raw]) => [await headers.receiveBtcHeaders(ctx, b(raw))],
    extra: ([raw]) => BigInt(Math.floor(b(raw).length / 80)) * BRIDGE_GAS.header,
  },
  getBtcBestBlock: { writes: false, handler: async (ctx) => headers.getBtcBestBlock(ctx) },
  getBtcConfirmations: { writes: false, handler: async (ctx, [h]) => [await headers.getBtcConfirmations(ctx, b(h))] },
  getBtcBlockHash: { writes: false, handler: async (ctx, [h]) => [await headers.getBtcBlockHash(ctx, h as bigint)] },
  getDepositAddress: { writes: false, handler: async (ctx, [r]) => [await pegin.getDepositAddress(ctx, a(r))] },
  registerDepositAddress: { writes: true, handler: async (ctx, [r]) => (await pegin.registerDepositAddress(ctx, a(r)), []) },
  registerBtcTransaction: {
    writes: true,
    handler: async (ctx, [tx, proof]) => (await pegin.registerBtcTransaction(ctx, b(tx), b(proof)), []),
  },
  registerBtcDeposit: {
    writes: true,
    handler: async (ctx, [tx, proof, r]) => (await pegin.registerBtcDeposit(ctx, b(tx), b(proof), a(r)), []),
  },
  isBtcOutpointRegistered: { writes: false, handler: async (ctx, [t, v]) => [await pegin.isBtcOutpointRegistered(ctx, b(t), v as bigint)] },
  getHeldDeposits: { writes: false, handler: async (ctx, [r]) => [await pegin.getHeldDeposits(ctx, a(r))] },
  refundHeldPayment: {
    writes: true,
    handler: async (ctx, [t, v, tx]) => [await unclaimed.refundHeldPayment(ctx, b(t), v as bigint, b(tx))],
  },
  getHeldPayment: { writes: false, handler: async (ctx, [t, v]) => unclaimed.getHeldPayment(ctx, b(t), v as bigint) },
  pegOut: { writes: true, handler: async (ctx, [addr]) => [await pegout.pegOut(ctx, addr as string)] },
  getPegOut: { writes: false, handler: async (ctx, [id]) => [await pegout.getPegOut(ctx, id as bigint)] },
  estimatePegOutFee: { writes: false, handler: async (ctx) => [await pegout.estimatePegOutFee(ctx)] },
  estimatePegOutFeeFor: { writes: false, handler: async (ctx, [sats, addr]) => [await pegout.estimatePegOutFeeFor(ctx, sats as bigint, addr as string)] },
  flushPegOuts: { writes: true, handler: async (ctx) => [await batches.flushPegOuts(ctx)] },
  getBatch: { writes: false, handler: async (ctx, [id]) => [await batches.getBatch(ctx, id as bigint)] },
  getPendingBatches: { writes: false, handler: async (ctx) => [await batches.getPendingBatches(ctx)] },
  getFederation: { writes: false, handler: async (ctx) => views.getFederation(ctx) },
  getReserves: { writes: false, handler: async (ctx) => views.getReserves(ctx) },
  addSignatures: {
    writes: true,
    handler: async (ctx, [id, sigs]) => (await batches.addSignatures(ctx, id as bigint, b(sigs)), []),
    extra: ([, sigs]) => BigInt(Math.ceil(b(sigs).length / 72)) * BRIDGE_GAS.signature,
  },
  reportFeeRate: { writes: true, handler: async (ctx, [rate]) => (await batches.reportFeeRate(ctx, rate as bigint), []) },
  getFeeRate: { writes: false, handler: async (ctx) => [await views.getFeeRate(ctx)] },
  getBridgeParams: { writes: false, handler: async (ctx) => views.getBridgeParams(ctx) },
}

function revert(code: string, message: string, gasUsed: bigint): ExecResult {
  return {
    returnValue: getBytes(bridgeAbi.encodeErrorResult('BridgeError', [code, message])),
    executionGasUsed: gasUsed,
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  }
}

function outOfGas(gasLimit: bigint): ExecResult {
  return { returnValue: new Uint8Array(0), executionGasUsed: gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) }
}

/** Creates the precompile function for a chain (its id binds deposit addresses and memos). */
export function createBridgePrecompile(bridgeAddress: Uint8Array, chainId: bigint) {
  return async function bridgePrecompile(input: PrecompileInput): Promise<ExecResult> {
    const evm = input._EVM as unknown as {
      stateManager: CallContext['stateManager'] & ConstructorParameters<typeof AccountStorage>[0]
      _block?: { header: { number: bigint; timestamp: bigint } }
    }
    const message = currentMessage(input._EVM)
    const gasLimit = input.gasLimit
    const data = input.data
    if (data.length < 4) return revert('BRIDGE_UNKNOWN_METHOD', 'call data has no method selector', gasLimit < BRIDGE_GAS.view ? gasLimit : BRIDGE_GAS.view)
    const fragment = bridgeAbi.getFunction(`0x${Buffer.from(data.subarray(0, 4)).toString('hex')}`)
    const method = fragment === null ? undefined : methods[fragment.name]
    if (fragment === null || method === undefined) {
      return revert('BRIDGE_UNKNOWN_METHOD', 'the bridge has no method with this selector (see peg/bitcoin/IBridge.sol)', BRIDGE_GAS.view > gasLimit ? gasLimit : BRIDGE_GAS.view)
    }
    // Paid before any work (issue 12 item 2): the base price and the argument bytes first, then each slot as it is
    // read or written (storage.ts), so a call stops at the first unit of work its gas does not cover.
    const meter = new GasMeter(gasLimit)
    const upfront = (method.writes ? BRIDGE_GAS.write : BRIDGE_GAS.view) + BigInt(data.length) * BRIDGE_GAS.argByte
    if (upfront > gasLimit) return outOfGas(gasLimit)
    meter.charge(upfront)
    if (message === undefined) return revert('BRIDGE_INTERNAL', 'the bridge was reached outside a tracked call', meter.used)
    if (message.delegatecall || (message.to !== undefined && !message.to.equals(new Address(bridgeAddress)))) {
      return revert('BRIDGE_DELEGATECALL', 'the bridge cannot be called with DELEGATECALL or CALLCODE', meter.used)
    }
    // A view keeps no value: coin sent with it would sit in the bridge's balance, counted nowhere (issue 11 item 6).
    if (!method.writes && message.value !== 0n) {
      return revert('BRIDGE_NOT_PAYABLE', `${fragment.name} is a view and takes no value; only pegOut is payable`, meter.used)
    }
    const store = new AccountStorage(evm.stateManager, bridgeAddress, meter, { read: BRIDGE_GAS.slotRead, write: BRIDGE_GAS.slotWrite })
    const logs: EventLog[] = []
    try {
      const args = bridgeAbi.decodeFunctionData(fragment, data)
      if (method.extra) meter.charge(method.extra(args))
      const state = new BridgeState(store, chainId)
      const ctx: CallContext = {
        caller: message.caller.bytes,
        value: message.value,
        isStatic: message.isStatic,
        blockNumber: evm._block?.header.number ?? 0n,
        timestamp: evm._block?.header.timestamp ?? 0n,
        state,
        config: await state.config(),
        stateManager: evm.stateManager,
        bridgeAddress,
        logs,
      }
      const result = await method.handler(ctx, [...args])
      const returnValue = getBytes(bridgeAbi.encodeFunctionResult(fragment, toAbiValues(fragment.outputs, result as unknown[])))
      return { returnValue, executionGasUsed: meter.used, logs }
    } catch (e) {
      // Out of gas consumes all of it, like the EVM's own OOG; the EVM reverts whatever the call wrote.
      if (isCausewayError(e, 'BRIDGE_OUT_OF_GAS')) return outOfGas(gasLimit)
      const gas = meter.used
      if (isCausewayError(e)) return revert(e.code, e.message, gas)
      const err = e as Error & { code?: string }
      if (err.code === 'INVALID_ARGUMENT' || err.code === 'BUFFER_OVERRUN') {
        return revert('BRIDGE_BAD_ARGUMENTS', `the call's arguments do not decode as ${fragment.format()}`, gas)
      }
      // A bug must not take the node down or let the transaction half-apply: the call reverts.
      return revert('BRIDGE_INTERNAL', new CausewayError('BRIDGE_INTERNAL', err.message ?? String(e)).message, gas)
    }
  }
}
