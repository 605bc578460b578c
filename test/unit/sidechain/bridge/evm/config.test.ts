// The bridge configuration's optional `evm` section: parsed and checked (≤ 8 chains, distinct ids, non-zero
// vaults); absent, the canonical bytes genesis stores are exactly those of before the section existed (the keccak
// below was computed with the configuration code of commit 615034e), so no existing chain's state root moves.
import { keccak_256 } from '@noble/hashes/sha3.js'
import * as ecc from 'tiny-secp256k1'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../../../spv/base/bytes.js'
import { regtest } from '../../../../../spv/bitcoin/networks.js'
import { canonicalBridgeConfig, decodeBridgeConfig, parseBridgeConfig } from '../../../../../sidechain/bridge/config.js'
import { isCausewayError } from '../../../../../spv/base/errors.js'

const base = {
  federation: { pubkeys: [1, 2, 3, 4].map((i) => bytesToHex(ecc.pointFromScalar(new Uint8Array(32).fill(0x20 + i), true)!)), threshold: 3 },
  bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 } },
}
const vault = '0x' + '5a'.repeat(20)

function refused(json: unknown): string | undefined {
  try {
    parseBridgeConfig(json, 7n)
    return undefined
  } catch (e) {
    return isCausewayError(e) ? e.code : 'not coded'
  }
}

describe('bridge configuration: evm section', () => {
  it('absent: the same canonical bytes as before the section existed', () => {
    const c = parseBridgeConfig(base, 7n)
    expect(c.evm).toBeUndefined()
    expect(bytesToHex(keccak_256(canonicalBridgeConfig(c)))).toBe('5f33dd5111a6a1e47565626768e51c8447dbd61bddf83df90fefb960a690d61b')
  })

  it('present: parsed, and round-trips through the stored form', () => {
    const c = parseBridgeConfig({ ...base, evm: { chains: [{ chainId: 31337, vault }, { chainId: '11155111', vault: '0x' + '01'.repeat(20) }] } }, 7n)
    expect(c.evm!.chains.map((x) => x.chainId)).toEqual([31337n, 11155111n])
    expect(bytesToHex(c.evm!.chains[0]!.vault)).toBe('5a'.repeat(20))
    const again = decodeBridgeConfig(canonicalBridgeConfig(c), 7n)
    expect(again.evm).toEqual(c.evm)
    expect(canonicalBridgeConfig(again)).toEqual(canonicalBridgeConfig(c))
  })

  it('refuses more than 8 chains, duplicate ids, zero or malformed vaults, ids out of range', () => {
    const chains = (n: number) => Array.from({ length: n }, (_, i) => ({ chainId: i + 1, vault }))
    expect(refused({ ...base, evm: { chains: chains(8) } })).toBeUndefined()
    expect(refused({ ...base, evm: { chains: chains(9) } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [] } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [{ chainId: 1, vault }, { chainId: 1, vault }] } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [{ chainId: 1, vault: '0x' + '00'.repeat(20) }] } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [{ chainId: 1, vault: '0x1234' }] } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [{ chainId: 0, vault }] } })).toBe('BRIDGE_BAD_CONFIG')
    expect(refused({ ...base, evm: { chains: [{ chainId: (1n << 64n).toString(), vault }] } })).toBe('BRIDGE_BAD_CONFIG')
  })
})
