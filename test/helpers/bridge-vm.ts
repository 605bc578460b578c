// A chain's VM with the bridge precompile over an in-memory state, for unit tests of bridge methods: genesis with
// a bridge configuration, and calls made as a given sender (through the EVM's own call path, so the message hook,
// value transfer, gas and reverts behave as in a transaction).
import { createBlock } from '@ethereumjs/block'
import { Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { Interface, getBytes, hexlify } from 'ethers'
import { bridgeAbiJson, toAbiValues } from '../../sidechain/bridge/abi.js'
import type { BridgeConfig } from '../../sidechain/bridge/config.js'
import { buildGenesis } from '../../sidechain/chain/genesis.js'
import { BRIDGE_ADDRESS, createChainCommon, type ChainParams } from '../../sidechain/chain/params.js'
import { openState } from '../../sidechain/exec/state-trie.js'
import { createChainVM, NO_BLOCK_HASHES } from '../../sidechain/exec/vm.js'

export const bridge = new Interface(bridgeAbiJson)

export interface BridgeCallResult {
  readonly ok: boolean
  readonly result: any
  /** The BridgeError code when the call reverted with one. */
  readonly code: string | undefined
  readonly message: string | undefined
  readonly gasUsed: bigint
  readonly logs: { name: string; args: any }[]
}

export interface BridgeVm {
  readonly vm: VM
  blockNumber: bigint
  timestamp: bigint
  call(from: Uint8Array, method: string, args?: readonly unknown[], options?: { value?: bigint; gasLimit?: bigint; isStatic?: boolean }): Promise<BridgeCallResult>
  balance(address: Uint8Array): Promise<bigint>
  fund(address: Uint8Array, wei: bigint): Promise<void>
}

export async function openBridgeVm(config: BridgeConfig | undefined, genesisTime = 1_800_000_000n): Promise<BridgeVm> {
  const params: ChainParams = {
    name: 'bridge-test',
    chainId: config?.chainId ?? 0xca05e0n,
    gasLimit: 30_000_000n,
    minBaseFee: 0n,
    feeAddress: new Uint8Array(20).fill(0xfe),
    genesisTime,
    ...(config === undefined ? {} : { bridge: config }),
  }
  const common = createChainCommon(params)
  const state = await openState()
  await buildGenesis(common, state, params, [])
  const vm = await createChainVM(common, state, NO_BLOCK_HASHES)
  const self: BridgeVm = {
    vm,
    blockNumber: 1n,
    timestamp: genesisTime + 1n,
    async call(from, method, args = [], options = {}) {
      const block = createBlock({ header: { number: self.blockNumber, timestamp: self.timestamp, gasLimit: 30_000_000n } }, { common, setHardfork: false })
      const fragment = bridge.getFunction(method)!
      const data = getBytes(bridge.encodeFunctionData(fragment, toAbiValues(fragment.inputs, args)))
      const r = await vm.evm.runCall({
        caller: new Address(from),
        to: new Address(BRIDGE_ADDRESS),
        data,
        value: options.value ?? 0n,
        gasLimit: options.gasLimit ?? 29_000_000n,
        isStatic: options.isStatic ?? false,
        block,
      })
      const e = r.execResult
      const logs = (e.logs ?? []).map(([, topics, d]) => {
        const parsed = bridge.parseLog({ topics: topics.map((t) => hexlify(t)), data: hexlify(d) })
        return { name: parsed?.name ?? '?', args: parsed?.args }
      })
      if (e.exceptionError === undefined) {
        const decoded = bridge.decodeFunctionResult(method, e.returnValue)
        return { ok: true, result: decoded.length === 1 ? decoded[0] : decoded, code: undefined, message: undefined, gasUsed: e.executionGasUsed, logs }
      }
      let code: string | undefined
      let message: string | undefined = e.exceptionError.error
      if (e.returnValue.length >= 4) {
        const err = bridge.parseError(hexlify(e.returnValue))
        if (err !== null) [code, message] = [err.args[0] as string, err.args[1] as string]
      }
      return { ok: false, result: undefined, code, message, gasUsed: e.executionGasUsed, logs }
    },
    async balance(address) {
      return (await state.getAccount(new Address(address)))?.balance ?? 0n
    },
    async fund(address, wei) {
      const a = new Address(address)
      const acct = (await state.getAccount(a)) ?? (await import('@ethereumjs/util')).createAccount({})
      acct.balance += wei
      await state.putAccount(a, acct)
    },
  }
  return self
}
