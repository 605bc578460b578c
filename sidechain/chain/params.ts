// Side-chain parameters as frozen data (STYLE.md "Parameters as data"): chain ids of the development and regtest
// networks, gas and fee rules, fixed addresses, and the ethereumjs Common every part executes with.
import { Hardfork, Mainnet, createCustomCommon, type Common, type ParamsDict } from '@ethereumjs/common'
import { paramsTx } from '@ethereumjs/tx'
import { hexToBytes } from '../../spv/base/bytes.js'
import { BRIDGE_ADDRESS_HEX } from '../../peg/bridge-address.js'
import { customCrypto } from '../exec/crypto.js'
import { speedUpCommon } from '../exec/common-speedups.js'
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
export const BRIDGE_ADDRESS = hexToBytes(BRIDGE_ADDRESS_HEX, 'BRIDGE_ADDRESS', 20)

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
  speedUpCommon(common)
  return common
}


/** Options for decoding a transaction with a chain Common (its parameters are already merged). */
export const TX_DECODE_PARAMS = Object.freeze({})

/** EIP-1559's next base fee from the parent, held at or above the chain's floor. */
export function nextBaseFee(parent: { calcNextBaseFee(): bigint }, params: Pick<ChainParams, 'minBaseFee'>): bigint {
  const next = parent.calcNextBaseFee()
  return next < params.minBaseFee ? params.minBaseFee : next
}
