// Bitcoin network parameters as plain frozen data, in one place (after bcoin's networks.js and Bitcoin Core's
// chainparams.cpp). Every rule that differs between networks reads its switch from here, never from a name test.
import { fail } from '../base/errors.js'

export type BitcoinNetworkName = 'mainnet' | 'testnet3' | 'testnet4' | 'signet' | 'regtest'

export interface BitcoinNetwork {
  readonly name: BitcoinNetworkName
  /** Highest allowed target (easiest difficulty), 256-bit. */
  readonly powLimit: bigint
  /** Compact form of powLimit, the bits a minimum-difficulty block carries. */
  readonly powLimitBits: number
  /** Expected seconds per block (nPowTargetSpacing). */
  readonly targetSpacing: number
  /** Seconds a difficulty period should last (nPowTargetTimespan). */
  readonly targetTimespan: number
  /** testnet3/testnet4/regtest: a block more than 2 × spacing after its parent may use powLimit (the 20-minute rule). */
  readonly powAllowMinDifficultyBlocks: boolean
  /** regtest: the target never changes at a period boundary. */
  readonly powNoRetargeting: boolean
  /** testnet4 (BIP94): retarget from the period's first block's bits, and the timewarp fix at period starts. */
  readonly enforceBIP94: boolean
  /**
   * Heights from which headers with an obsolete version are refused (Core's ContextualCheckBlockHeader
   * "bad-version"): below 2 from BIP34, below 3 from BIP66, below 4 from BIP65.
   */
  readonly bip34Height: number
  readonly bip66Height: number
  readonly bip65Height: number
  /** Genesis block header, 80 raw bytes as hex, and its hash in display order. */
  readonly genesisHeader: string
  readonly genesisHash: string
  /** Address parameters in the shape bitcoinjs-lib's `Network` takes. */
  readonly addresses: {
    readonly messagePrefix: string
    readonly bech32: string
    readonly bip32: { readonly public: number; readonly private: number }
    readonly pubKeyHash: number
    readonly scriptHash: number
    readonly wif: number
  }
}

/** Blocks per difficulty period: targetTimespan / targetSpacing (2016 on every network here). */
export function difficultyInterval(net: BitcoinNetwork): number {
  return net.targetTimespan / net.targetSpacing
}

// Maximum seconds a testnet4 period's first block may be earlier than the previous block (BIP94 timewarp fix).
export const BIP94_MAX_TIMEWARP = 600
// A header may be at most this far ahead of the verifier's clock (Bitcoin Core's MAX_FUTURE_BLOCK_TIME).
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60
// How many previous timestamps the median-time-past rule takes.
export const MEDIAN_TIME_SPAN = 11

const TWO_WEEKS = 14 * 24 * 60 * 60
const MAIN_POW_LIMIT = 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn

// Header fields shared by the genesis blocks: version 1, no parent, the coinbase merkle root of Satoshi's
// genesis transaction (testnet4 has its own coinbase).
const GENESIS_PREFIX = '01000000' + '00'.repeat(32)
const SATOSHI_MERKLE = '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a'

const mainAddresses = {
  messagePrefix: '\x18Bitcoin Signed Message:\n',
  bech32: 'bc',
  bip32: { public: 0x0488b21e, private: 0x0488ade4 },
  pubKeyHash: 0x00,
  scriptHash: 0x05,
  wif: 0x80,
} as const

const testAddresses = {
  messagePrefix: '\x18Bitcoin Signed Message:\n',
  bech32: 'tb',
  bip32: { public: 0x043587cf, private: 0x04358394 },
  pubKeyHash: 0x6f,
  scriptHash: 0xc4,
  wif: 0xef,
} as const

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

export const mainnet: BitcoinNetwork = deepFreeze({
  name: 'mainnet',
  powLimit: MAIN_POW_LIMIT,
  powLimitBits: 0x1d00ffff,
  targetSpacing: 600,
  targetTimespan: TWO_WEEKS,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBIP94: false,
  bip34Height: 227931,
  bip66Height: 363725,
  bip65Height: 388381,
  genesisHeader: GENESIS_PREFIX + SATOSHI_MERKLE + '29ab5f49' + 'ffff001d' + '1dac2b7c',
  genesisHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  addresses: mainAddresses,
})

export const testnet3: BitcoinNetwork = deepFreeze({
  name: 'testnet3',
  powLimit: MAIN_POW_LIMIT,
  powLimitBits: 0x1d00ffff,
  targetSpacing: 600,
  targetTimespan: TWO_WEEKS,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBIP94: false,
  bip34Height: 21111,
  bip66Height: 330776,
  bip65Height: 581885,
  genesisHeader: GENESIS_PREFIX + SATOSHI_MERKLE + 'dae5494d' + 'ffff001d' + '1aa4ae18',
  genesisHash: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  addresses: testAddresses,
})

export const testnet4: BitcoinNetwork = deepFreeze({
  name: 'testnet4',
  powLimit: MAIN_POW_LIMIT,
  powLimitBits: 0x1d00ffff,
  targetSpacing: 600,
  targetTimespan: TWO_WEEKS,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBIP94: true,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  genesisHeader:
    GENESIS_PREFIX + '4e7b2b9128fe0291db0693af2ae418b767e657cd407e80cb1434221eaea7a07a' + '046f3566' + 'ffff001d' + 'bb0c7817',
  genesisHash: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  addresses: testAddresses,
})

// Signet (the default, global signet). Its difficulty retargets every 2016 blocks exactly as mainnet's does,
// only from a higher powLimit (chainparams: fPowAllowMinDifficultyBlocks = false, fPowNoRetargeting = false).
// ARCHITECTURE.md calls the target "fixed"; we follow Bitcoin Core, since a fixed-target check would refuse real
// signet headers after the first retarget. Block signatures (the signet challenge in the coinbase) are out of
// scope here: a header chain cannot check them without the coinbase transaction.
export const signet: BitcoinNetwork = deepFreeze({
  name: 'signet',
  powLimit: 0x00000377ae000000000000000000000000000000000000000000000000000000n,
  powLimitBits: 0x1e0377ae,
  targetSpacing: 600,
  targetTimespan: TWO_WEEKS,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBIP94: false,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  genesisHeader: GENESIS_PREFIX + SATOSHI_MERKLE + '008f4d5f' + 'ae77031e' + '8ad22203',
  genesisHash: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  addresses: testAddresses,
})

// Regtest as Bitcoin Core and bcoin run it. Address prefix: Core uses `bcrt`, bcoin 1.0.2 uses `rb`
// (ARCHITECTURE.md); the peg chooses per configured node, so this holds Core's.
export const regtest: BitcoinNetwork = deepFreeze({
  name: 'regtest',
  powLimit: 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  powLimitBits: 0x207fffff,
  targetSpacing: 600,
  targetTimespan: TWO_WEEKS,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: true,
  enforceBIP94: false,
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  genesisHeader: GENESIS_PREFIX + SATOSHI_MERKLE + 'dae5494d' + 'ffff7f20' + '02000000',
  genesisHash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  addresses: { ...testAddresses, bech32: 'bcrt' },
})

export const bitcoinNetworks: Readonly<Record<BitcoinNetworkName, BitcoinNetwork>> = Object.freeze({
  mainnet,
  testnet3,
  testnet4,
  signet,
  regtest,
})

/** Looks a network up by name; `testnet` is accepted for testnet3 as Bitcoin Core names it. */
export function getBitcoinNetwork(name: string): BitcoinNetwork {
  const key = name === 'testnet' ? 'testnet3' : name
  const net = (bitcoinNetworks as Record<string, BitcoinNetwork>)[key]
  if (net === undefined) {
    fail('SPV_UNKNOWN_NETWORK', `unknown Bitcoin network "${name}" (use ${Object.keys(bitcoinNetworks).join(', ')})`, { name })
  }
  return net
}
