// Side-chain parameters as frozen data (STYLE.md "Parameters as data"): chain ids of the development and regtest
// networks, gas and fee rules, fixed addresses, and the ethereumjs Common every part executes with.
import { Hardfork, Mainnet, createCustomCommon, type Common, type ParamsDict } from '@ethereumjs/common'
import { paramsTx } from '@ethereumjs/tx'
import { hexToBytes } from '../../spv/base/bytes.js'
import { customCrypto } from '../exec/crypto.js'
import type { BridgeConfig } from '../bridge/config.js'

/**
 * Fixed chain ids (EIP-155). Wallets key networks by chain id, so these never change:
 * - 0xCA05E0 (13239776) for `causeway node --dev` development chains,
 * - 0xCA05E1 (13239777) for the local regtest federation (`npm start`).
 */
export const DEV_CHAIN_ID = 0xca05e0n
export const REGTEST_CHAIN_ID = 0xca05e1n

/** 1 satoshi = 10^10 wei: the native coin is pegged BTC with 18 decimals (ARCHITECTURE.md decision 1). */
export const WEI_PER_SAT = 10n ** 10n

/**
 * The bridge precompile's address (decision 4). The Bitcoin peg fills it in; until then the account exists
 * (nonce 1, so EIP-161 never deletes it) and holds no code.
 */
export const BRIDGE_ADDRESS = hexToBytes('0x00000000000000000000000000000000000ca5e0', 'BRIDGE_ADDRESS', 20)

export interface ChainParams {
  readonly name: string
  readonly chainId: bigint
  /** Gas limit of every block (fixed; validators do not vote it up or down). */
  readonly gasLimit: bigint
  /**
   * Floor of the EIP-1559 base fee, and of any transaction's fee cap. The base fee otherwise follows EIP-1559 from
   * the parent; the floor keeps an idle chain from decaying to a few wei and inviting spam.
   */
  readonly minBaseFee: bigint
  /** Where every fee goes, base fee and tip alike: fees are never burned (decision 1). */
  readonly feeAddress: Uint8Array
  /** Genesis timestamp, seconds. */
  readonly genesisTime: bigint
  /**
   * The Bitcoin bridge's parameters (federation, network, checkpoint…), written into the bridge's storage at
   * genesis. Absent: the chain has no bridge and its methods revert with BRIDGE_NOT_CONFIGURED.
   */
  readonly bridge?: BridgeConfig
}

export const DEFAULT_GAS_LIMIT = 30_000_000n
/** 0.01 gwei: a 21,000-gas transfer then costs 2.1·10^11 wei = 21 satoshis at the floor. */
export const DEFAULT_MIN_BASE_FEE = 10_000_000n

/** The ethereumjs Common for a side chain: Prague rules, our chain id, no proof of work. */
export function createChainCommon(params: Pick<ChainParams, 'chainId' | 'name'>): Common {
  const common = createCustomCommon(
    { name: `causeway-${params.name}`, chainId: Number(params.chainId), defaultHardfork: Hardfork.Prague },
    Mainnet,
    { hardfork: Hardfork.Prague, customCrypto },
  )
  // Transaction parameters merged once here; decoding then passes `params: {}` (TX_DECODE_PARAMS) instead of
  // having every transaction deep-copy them again (measured ~4% of a busy node's time).
  common.updateParams(paramsTx)
  skipRedundantParamUpdates(common)
  setLookupOfActiveEips(common)
  return common
}

/** Sets of active EIPs, per list of active EIPs (Common replaces the list whenever the hardfork or EIPs change). */
const eipSets = new WeakMap<readonly number[], ReadonlySet<number>>()

/**
 * `common.isActivatedEIP` searches an array of ~100 EIPs, and the EVM asks it twice for every opcode it runs
 * (EIP-6800 and 7864, both inactive, so every search goes to the end): ~12 % of an ERC-20 transfer's execution.
 * The same answer from a set built once per list. An own property, so `common.copy()` keeps it (it uses `this`).
 */
function setLookupOfActiveEips(common: Common): void {
  common.isActivatedEIP = function (this: Common, eip: number): boolean {
    const list = (this as unknown as { _activatedEIPsCache: readonly number[] })._activatedEIPsCache
    let set = eipSets.get(list)
    if (set === undefined) eipSets.set(list, (set = new Set(list)))
    return set.has(eip)
  }
}

/** How often each parameter set (Common._params, shared between a Common and its copies) has changed. */
const paramsVersions = new WeakMap<object, number>()
/** For each parameter cache object (Common._paramsCache, also shared by copies): what it was built from. */
const cacheBuiltFrom = new WeakMap<object, { readonly params: object; readonly version: number }>()

/**
 * Every transaction and block ethereumjs constructs calls `updateParams(…)` with its package's parameter set (or
 * `{}`) on its own copy of the Common, which deep-copies the set and rebuilds the whole parameter cache — for a
 * block of 1000 decoded transactions a thousand times, and ~17 % of admitting one. The call is skipped when it
 * would change nothing: every value is already in the parameters, and the cache this Common holds was built from
 * them since they last changed. Copies share both the parameters and the cache object with the Common they came
 * from (until they rebuild their own: a new object), so the check holds for them too. Changing the hardfork or
 * the EIPs builds a new cache object, which is then rebuilt once more on its next update. Installed as an own
 * property, so copies keep it (it uses `this`).
 */
function skipRedundantParamUpdates(common: Common): void {
  const own = common as unknown as { _params: object; _paramsCache: object }
  // The cache was built by the updateParams just before: record it, or every copy would rebuild its own.
  cacheBuiltFrom.set(own._paramsCache, { params: own._params, version: paramsVersions.get(own._params) ?? 0 })
  const update = common.updateParams
  common.updateParams = function (this: Common, params: ParamsDict): void {
    const self = this as unknown as { _params: object; _paramsCache: object }
    const shared = self._params
    const version = paramsVersions.get(shared) ?? 0
    const built = cacheBuiltFrom.get(self._paramsCache)
    const merged = alreadyMerged(this, params)
    if (merged && built !== undefined && built.params === shared && built.version === version) return
    update.call(this, params)
    const now = merged ? version : version + 1
    paramsVersions.set(shared, now)
    cacheBuiltFrom.set(self._paramsCache, { params: shared, version: now })
  }
}

function alreadyMerged(common: Common, params: ParamsDict): boolean {
  const current = (common as unknown as { _params: ParamsDict })._params
  for (const [eip, config] of Object.entries(params)) {
    const have = current[eip] as Record<string, unknown> | undefined
    if (have === undefined || have === null) return false
    for (const [key, value] of Object.entries(config ?? {})) {
      if (typeof value === 'object' && value !== null) return false
      if (have[key] !== value) return false
    }
  }
  return true
}

/** Options for decoding a transaction with a chain Common (its parameters are already merged). */
export const TX_DECODE_PARAMS = Object.freeze({})

/** EIP-1559's next base fee from the parent, held at or above the chain's floor. */
export function nextBaseFee(parent: { calcNextBaseFee(): bigint }, params: Pick<ChainParams, 'minBaseFee'>): bigint {
  const next = parent.calcNextBaseFee()
  return next < params.minBaseFee ? params.minBaseFee : next
}
