// The EVM family's keys in the bridge's account storage: all under the byte 'e' (its namespace, see
// ../layout.ts and test/unit/sidechain/bridge/family-namespaces.test.ts), the second byte naming the structure.
// Encodings: records.ts beside this file.
//
//   e H + chain(8) + hash(32)             -> an attested header: parent, number, receiptsRoot, time, attesters
//   e A + chain(8) + number(8) + member(1)-> the hash that member attests at that height (one per member)
//   e N + chain(8) + number(8)            -> the hashes attested at that height, in first-attested order (≤ n)
//   e L + chain(8) + number(8)            -> an accepted height's neighbours in the list of accepted heights
//                                            (previous, next: u64 each, 0 = none; heights are never 0)
//   e B + chain(8)                        -> the greatest accepted height (u64), the list's head
//   e D + depositId(32)                   -> 1 once that deposit was minted
//   e V + chain(8) + nonce(32)            -> 1 once the vault's deposit of that nonce was minted
//   e T + wrapped(20)                     -> a wrapped token: main chain, main token, decimals, creation index
//   e R + wrapped(20)                     -> its reserves: locked, pending (32 bytes each)
//   e I + index(8)                        -> the wrapped token created index-th (from 0)
//   e W + id(8)                           -> a withdrawal request
//   e S + id(8) + member(1)               -> a member's 65-byte signature of that withdrawal
//   e c + name                            -> a counter of the family (32 bytes)
import { enc, key, u64 } from '../layout.js'
import { bigIntToBytesBE } from '../../../spv/base/bytes.js'

const E = 'e'
const sub = (c: string, ...parts: Uint8Array[]) => key(E, enc(c), ...parts)

export const EVM_COUNTERS = {
  /** Wrapped tokens created so far. */
  wrappedTokens: 'tokens',
  /** The last withdrawal id opened (ids count from 1). */
  lastWithdrawalId: 'wid',
} as const

export type EvmCounterName = (typeof EVM_COUNTERS)[keyof typeof EVM_COUNTERS]

export const evmLayout = {
  header: (chain: bigint, hash: Uint8Array) => sub('H', u64(chain), hash),
  attestation: (chain: bigint, number: bigint, member: number) => sub('A', u64(chain), u64(number), Uint8Array.of(member)),
  height: (chain: bigint, number: bigint) => sub('N', u64(chain), u64(number)),
  acceptedLink: (chain: bigint, number: bigint) => sub('L', u64(chain), u64(number)),
  best: (chain: bigint) => sub('B', u64(chain)),
  deposit: (id: Uint8Array) => sub('D', id),
  vaultNonce: (chain: bigint, nonce: bigint) => sub('V', u64(chain), bigIntToBytesBE(nonce, 32)),
  token: (wrapped: Uint8Array) => sub('T', wrapped),
  reserves: (wrapped: Uint8Array) => sub('R', wrapped),
  tokenAt: (index: bigint) => sub('I', u64(index)),
  withdrawal: (id: bigint) => sub('W', u64(id)),
  signature: (id: bigint, member: number) => sub('S', u64(id), Uint8Array.of(member)),
  counter: (name: EvmCounterName) => sub('c', enc(name)),
} as const

/** The first byte of every key in the EVM family's namespace. */
export const EVM_PREFIXES = [E] as const
