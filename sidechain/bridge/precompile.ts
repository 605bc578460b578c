// The bridge precompile (ARCHITECTURE.md decision 4): an ethereumjs custom precompile at BRIDGE_ADDRESS that
// decodes IBridge calls with the Solidity ABI, runs the method over the bridge's account storage, charges gas for
// what it read and wrote, returns ABI-encoded results and events, and turns every refusal into a revert with
// `BridgeError(code, message)`. A refusal changes nothing: the EVM reverts the call's state writes, its logs and
// any value sent.
import { Address } from '@ethereumjs/util'
import { EVMError, type ExecResult, type PrecompileInput } from '@ethereumjs/evm'
import { getBytes, type FunctionFragment } from 'ethers'
import { CausewayError, fail, isCausewayError } from '../../spv/base/errors.js'
import { bridgeAbi, toAbiValues } from './abi.js'
import type { CallContext, EventLog } from './context.js'
import { currentMessage } from './evm-hook.js'
import { BridgeState } from './state.js'
import { AccountStorage } from './storage.js'
import { GasMeter } from './gas-meter.js'
import * as views from './federation-view.js'
import { BRIDGE_GAS } from './gas-meter.js'
import type { BridgeFamily, BridgeMethod } from './family.js'
import { bitcoinFamily } from './bitcoin/methods.js'
import { evmFamily } from './evm/methods.js'

export { BRIDGE_GAS } from './gas-meter.js'

/** Methods of every bridge, whatever families it has (IBridge, peg/IBridge.sol). */
const coreFamily: BridgeFamily = {
  name: 'core',
  state: (store, chainId) => new BridgeState(store, chainId),
  methods: {
    getFederation: { writes: false, handler: async (ctx) => views.getFederation(ctx) },
    getReserves: { writes: false, handler: async (ctx) => views.getReserves(ctx) },
  },
}

/** Each ABI method name to the family that serves it. */
const FAMILIES: readonly BridgeFamily<BridgeState>[] = [
  coreFamily,
  bitcoinFamily as unknown as BridgeFamily<BridgeState>,
  evmFamily as unknown as BridgeFamily<BridgeState>,
]
const byName = new Map<string, { family: BridgeFamily<BridgeState>; method: BridgeMethod<BridgeState> }>()
for (const family of FAMILIES) {
  for (const [name, method] of Object.entries(family.methods)) {
    if (byName.has(name)) throw new Error(`bridge method ${name} is served by two families`)
    byName.set(name, { family, method })
  }
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

/**
 * The call's arguments as plain values. ethers defers some decoding errors (an `address` word with high bits set)
 * until a value is read, so every value is read here: any failure is the caller's BRIDGE_BAD_ARGUMENTS, never a
 * bridge bug surfacing later as BRIDGE_INTERNAL.
 */
function decodeArguments(fragment: FunctionFragment, data: Uint8Array): unknown[] {
  try {
    return bridgeAbi.decodeFunctionData(fragment, data).toArray(true)
  } catch (e) {
    fail('BRIDGE_BAD_ARGUMENTS', `the call's arguments do not decode as ${fragment.format()}`, undefined, e)
  }
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
    const served = fragment === null ? undefined : byName.get(fragment.name)
    if (fragment === null || served === undefined) {
      return revert('BRIDGE_UNKNOWN_METHOD', 'the bridge has no method with this selector (see peg/IBridge.sol and the interface of each family, e.g. peg/bitcoin/IBtcBridge.sol)', BRIDGE_GAS.view > gasLimit ? gasLimit : BRIDGE_GAS.view)
    }
    // Paid before any work (issue 12 item 2): the base price and the argument bytes first, then each slot as it is
    // read or written (storage.ts), so a call stops at the first unit of work its gas does not cover.
    const { family, method } = served
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
      const args = decodeArguments(fragment, data)
      if (method.extra) meter.charge(method.extra(args))
      const state = family.state(store, chainId)
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
      const result = await method.handler(ctx, args)
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
