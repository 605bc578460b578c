// The bridge's ABI after it split by family (issue 14): the committed ABI files are what solc makes of the
// interfaces, and every selector, event topic and error the bridge had before the split is still there, the same
// (test/vectors/bridge-selectors.json, taken from the ABI before the split) — nothing more, nothing less.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Interface, type InterfaceAbi } from 'ethers'
import { describe, expect, it } from 'vitest'
import { bridgeAbiFiles } from '../../../regtest/solidity/bridge-abi.js'
import { bridgeAbi } from '../../../peg/bridge-abi.js'
import { btcBridgeAbi } from '../../../peg/bitcoin/btc-bridge-abi.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const before = JSON.parse(readFileSync(path.join(root, 'test/vectors/bridge-selectors.json'), 'utf8')) as Record<'functions' | 'events' | 'errors', Record<string, string>>

function selectors(abi: InterfaceAbi) {
  const i = new Interface(abi)
  const out = { functions: {} as Record<string, string>, events: {} as Record<string, string>, errors: {} as Record<string, string> }
  i.forEachFunction((f) => (out.functions[f.format('sighash')] = f.selector))
  i.forEachEvent((e) => (out.events[e.format('sighash')] = e.topicHash))
  i.forEachError((e) => (out.errors[e.format('sighash')] = e.selector))
  return out
}

describe('bridge ABI by family', () => {
  it('the committed ABI files are what solc compiles from the interfaces (npm run abi:bridge)', () => {
    for (const [file, text] of bridgeAbiFiles()) expect(readFileSync(path.join(root, 'peg', file), 'utf8'), `peg/${file}`).toBe(text)
  }, 60_000)

  it('every selector, event and error of the bridge before the split is served, unchanged', () => {
    const now = selectors(btcBridgeAbi as unknown as InterfaceAbi)
    expect(now.functions).toEqual(before.functions)
    expect(now.events).toEqual(before.events)
    expect(now.errors).toEqual(before.errors)
  })

  it('IBridge holds what is common: the error, the federation and the reserves', () => {
    const common = selectors(bridgeAbi as unknown as InterfaceAbi)
    expect(Object.keys(common.functions).sort()).toEqual(['getFederation()', 'getReserves()'])
    expect(Object.keys(common.errors)).toEqual(['BridgeError(string,string)'])
    for (const [sig, sel] of Object.entries(common.functions)) expect(before.functions[sig]).toBe(sel)
  })
})
