// The bridge's Solidity ABI — every family's interface (peg/IBridge.sol, peg/bitcoin/IBtcBridge.sol,
// peg/evm/IEvmBridge.sol, compiled by `npm run abi:bridge`) — as an ethers Interface: the precompile decodes calls,
// encodes results, events and errors with it, exactly as wallets do.
import { hexlify, Interface, type InterfaceAbi, type ParamType } from 'ethers'
import { btcBridgeAbi } from '../../peg/bitcoin/btc-bridge-abi.js'
import { evmBridgeAbi } from '../../peg/evm/evm-bridge-abi.js'

type AbiEntry = { readonly type: string; readonly name?: string; readonly inputs?: readonly { readonly type: string }[] }

/** The families' interfaces joined; each includes IBridge, whose entries appear once. */
function joinAbis(...abis: readonly (readonly AbiEntry[])[]): AbiEntry[] {
  const seen = new Set<string>()
  const out: AbiEntry[] = []
  for (const abi of abis) {
    for (const e of abi) {
      const id = `${e.type}:${e.name ?? ''}(${(e.inputs ?? []).map((i) => i.type).join(',')})`
      if (seen.has(id)) continue
      seen.add(id)
      out.push(e)
    }
  }
  return out
}

/** All methods, events and errors the bridge serves. */
export const bridgeAbiJson = joinAbis(btcBridgeAbi, evmBridgeAbi) as unknown as InterfaceAbi
export const bridgeAbi = new Interface(bridgeAbiJson)

/** Converts the bridge's internal values to what ethers' coder takes: addresses as hex, recursively. */
export function toAbiValue(type: ParamType, v: unknown): unknown {
  if (type.baseType === 'address') return v instanceof Uint8Array ? hexlify(v) : v
  if (type.baseType === 'array' && Array.isArray(v)) return v.map((x) => toAbiValue(type.arrayChildren!, x))
  if (type.baseType === 'tuple' && type.components !== null) {
    if (Array.isArray(v)) return type.components.map((c, i) => toAbiValue(c, v[i]))
    const o = v as Record<string, unknown>
    return type.components.map((c) => toAbiValue(c, o[c.name]))
  }
  return v
}

export function toAbiValues(types: readonly ParamType[], values: readonly unknown[]): unknown[] {
  return types.map((t, i) => toAbiValue(t, values[i]))
}
