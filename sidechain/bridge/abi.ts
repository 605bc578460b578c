// The bridge's Solidity ABI — every family's interface (peg/IBridge.sol, peg/bitcoin/IBtcBridge.sol, compiled by
// `npm run abi:bridge`) — as an ethers Interface: the precompile decodes calls, encodes results, events and errors
// with it, exactly as wallets do.
import { hexlify, Interface, type InterfaceAbi, type ParamType } from 'ethers'
import { btcBridgeAbi } from '../../peg/bitcoin/btc-bridge-abi.js'

/** All methods, events and errors the bridge serves (IBtcBridge includes IBridge's). */
export const bridgeAbiJson = btcBridgeAbi as unknown as InterfaceAbi
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
