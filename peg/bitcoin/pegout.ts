// Peg-out request rules (ARCHITECTURE.md decision 7): the Bitcoin address a user names must be a supported address of
// the federation's network, and the value burned must be a whole number of satoshis at or above the minimum. The
// bridge runs these before it burns anything, so a bad request reverts with its reason and costs only gas.
import { address as btcAddress } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { pegEnsure, pegFail } from './errors.js'
import type { AddressNetwork } from './federation.js'
import { outputScript } from './outputs.js'
import { MAX_MONEY_SATS } from './values.js'

/** 1 satoshi = 10^10 wei (ARCHITECTURE.md decision 1). */
export const WEI_PER_SAT = 10n ** 10n

/** BIP173: a bech32 string is at most 90 characters; a base58 address is 25 bytes, at most 35 characters. */
const MAX_ADDRESS_LENGTH = 90

export interface PegOutAddressOptions {
  /**
   * Whether P2TR destinations are accepted (default true). Turn it off where the Bitcoin node that broadcasts the
   * batches predates taproot — bcoin 1.0.2 treats a P2TR output as non-standard and will not relay a batch holding
   * one, which would hold up every request in it.
   */
  readonly allowTaproot?: boolean
}

/**
 * The scriptPubKey a peg-out to `address` pays. Accepts P2PKH and P2SH (base58check), P2WPKH and P2WSH (bech32,
 * BIP173) and P2TR (bech32m, BIP350) of `addrNet`. A well-formed address whose version byte or bech32 prefix
 * belongs to another network is PEG_ADDRESS_WRONG_NETWORK (mainnet `bc1…`/`1…`/`3…` on a test network, `bcrt1…`
 * where bcoin's `rb1…` is expected, …); anything else is PEG_ADDRESS_INVALID, including witness versions 2–16,
 * which no wallet can spend today. Testnet, signet and regtest share base58 versions, so `m…`/`n…`/`2…` are
 * accepted on all three, as Bitcoin Core accepts them. With `allowTaproot: false`, a valid P2TR address of the
 * right network is PEG_ADDRESS_UNSUPPORTED.
 */
export function parsePegOutAddress(address: string, addrNet: AddressNetwork, opts: PegOutAddressOptions = {}): Uint8Array {
  pegEnsure(typeof address === 'string', 'PEG_ADDRESS_INVALID', 'address: expected a string')
  pegEnsure(address.length > 0 && address.length <= MAX_ADDRESS_LENGTH, 'PEG_ADDRESS_INVALID', 'address: wrong length', {
    length: address.length,
  })
  const base58 = tryBase58(address)
  if (base58 !== null) {
    const { version, hash } = base58
    if (version === addrNet.pubKeyHash) return outputScript('p2pkh', hash)
    if (version === addrNet.scriptHash) return outputScript('p2sh', hash)
    pegFail('PEG_ADDRESS_WRONG_NETWORK', `address ${address} is for another network (version byte ${version})`, { address, version })
  }
  const b32 = tryBech32(address)
  if (b32 === null) pegFail('PEG_ADDRESS_INVALID', `${JSON.stringify(address)} is not a Bitcoin address`, { address })
  const { version, prefix, data } = b32
  let script: Uint8Array
  if (version === 0 && data.length === 20) script = outputScript('p2wpkh', data)
  else if (version === 0 && data.length === 32) script = outputScript('p2wsh', data)
  else if (version === 1 && data.length === 32) {
    // BIP341 output key: it must be a valid x-only point, or nobody could ever spend the output.
    pegEnsure(ecc.isXOnlyPoint(data), 'PEG_ADDRESS_INVALID', 'taproot address: the output key is not a valid point', { address })
    script = outputScript('p2tr', data)
  } else {
    pegFail('PEG_ADDRESS_INVALID', `witness version ${version} with a ${data.length}-byte program is not supported`, {
      address,
      version,
      length: data.length,
    })
  }
  pegEnsure(prefix === addrNet.bech32, 'PEG_ADDRESS_WRONG_NETWORK', `address ${address} is for another network (prefix ${prefix})`, {
    address,
    prefix,
    expected: addrNet.bech32,
  })
  pegEnsure(version !== 1 || opts.allowTaproot !== false, 'PEG_ADDRESS_UNSUPPORTED', 'this bridge does not pay taproot addresses', { address })
  return script
}

function tryBase58(address: string): { version: number; hash: Uint8Array } | null {
  try {
    return btcAddress.fromBase58Check(address) // checksum and 21-byte payload checked there
  } catch {
    return null
  }
}

function tryBech32(address: string): { version: number; prefix: string; data: Uint8Array } | null {
  try {
    // Checks the checksum, the case rule, and BIP350's rule: version 0 in bech32, versions 1–16 in bech32m.
    const r = btcAddress.fromBech32(address)
    // BIP141: a witness version is 0–16 and a program 2–40 bytes; fromBech32 does not check either.
    if (r.version > 16 || r.data.length < 2 || r.data.length > 40) return null
    return r
  } catch {
    return null
  }
}

/**
 * The satoshis a peg-out of `wei` pays out before fees: PEG_NOT_WHOLE_SATOSHI unless `wei` is a multiple of 10^10,
 * PEG_BELOW_MINIMUM when fewer than `minSats` satoshis, PEG_AMOUNT_INVALID for a negative value or more than 21
 * million BTC.
 */
export function pegOutSats(wei: bigint, minSats: bigint): bigint {
  pegEnsure(typeof wei === 'bigint' && wei >= 0n, 'PEG_AMOUNT_INVALID', 'value: expected a non-negative bigint of wei', {
    wei: String(wei),
  })
  pegEnsure(typeof minSats === 'bigint' && minSats >= 0n, 'PEG_AMOUNT_INVALID', 'minSats: expected a non-negative bigint')
  pegEnsure(wei % WEI_PER_SAT === 0n, 'PEG_NOT_WHOLE_SATOSHI', 'value is not a whole number of satoshis (1 sat = 10^10 wei)', {
    wei: String(wei),
    remainderWei: String(wei % WEI_PER_SAT),
  })
  const sats = wei / WEI_PER_SAT
  pegEnsure(sats >= minSats, 'PEG_BELOW_MINIMUM', `value is below the peg-out minimum of ${minSats} sats`, {
    sats: String(sats),
    minSats: String(minSats),
  })
  pegEnsure(sats <= MAX_MONEY_SATS, 'PEG_AMOUNT_INVALID', 'value is more than 21 million BTC', { sats: String(sats) })
  return sats
}
