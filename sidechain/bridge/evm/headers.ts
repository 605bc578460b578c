// Main-chain headers (PROTOCOL.md "Headers", ARCHITECTURE.md decision 9): members attest headers; each member has
// one attestation per (chain, height), which moves when it attests another hash. A header is accepted while at
// least k members attest it and no other header at its height has any attestation. Accepted heights are kept in a
// doubly linked list, greatest first, so the best block stays right when a conflict un-accepts it (it falls back to
// the previous accepted height in O(1); inserting walks down from the top, normally zero steps, each paid for).
import { keccak_256 } from '@noble/hashes/sha3.js'
import { equalBytes } from '../../../spv/base/bytes.js'
import { fail, isCausewayError } from '../../../spv/base/errors.js'
import { decodeEvmHeader, type EvmHeader } from '../../../spv/evm/header.js'
import { emit, requireMember, requireNoValue, requireWritable } from '../context.js'
import { evmChain, type EvmContext } from './context.js'
import type { StoredEvmHeader } from './records.js'
import { NO_MEMBERS, memberCount, withMember, withoutMember } from './member-set.js'

/** Longest header RLP the bridge decodes (Prague's is ~600 bytes; PoA chains put signatures in extraData). */
export const MAX_HEADER_BYTES = 2048

const ZERO32 = new Uint8Array(32)

/** Decodes a header strictly (canonical RLP, no trailing bytes, a known layout, number ≠ 0) and hashes it. */
export function parseHeader(rlp: Uint8Array): { header: EvmHeader; hash: Uint8Array } {
  if (rlp.length > MAX_HEADER_BYTES) fail('BRIDGE_EVM_BAD_HEADER', `a header's RLP may hold at most ${MAX_HEADER_BYTES} bytes, got ${rlp.length}`)
  let header: EvmHeader
  try {
    header = decodeEvmHeader(rlp)
  } catch (e) {
    if (!isCausewayError(e)) throw e
    fail('BRIDGE_EVM_BAD_HEADER', `the header does not decode: ${e.message} (${e.code})`, undefined, e)
  }
  if (header.number === 0n) fail('BRIDGE_EVM_GENESIS_HEADER', 'a main chain\'s genesis header (number 0) cannot be attested or proven against')
  // decodeEvmHeader accepts canonical encodings only, so hashing the given bytes is hashing the header.
  return { header, hash: keccak_256(rlp) }
}

/** The header accepted at `number`, if one is: the single attested hash there, with at least k attesters. */
async function acceptedAt(ctx: EvmContext, chain: bigint, number: bigint): Promise<Uint8Array | undefined> {
  const hashes = await ctx.state.hashesAt(chain, number)
  if (hashes.length !== 1) return undefined
  const h = await ctx.state.header(chain, hashes[0]!)
  return h !== undefined && memberCount(h.attesters) >= ctx.config.federation.threshold ? hashes[0] : undefined
}

async function insertAccepted(ctx: EvmContext, chain: bigint, number: bigint): Promise<void> {
  const s = ctx.state
  // Walk down from the greatest accepted height to the first one below `number`.
  let next = 0n
  let prev = await s.bestNumber(chain)
  while (prev !== 0n && prev > number) {
    next = prev
    prev = (await s.link(chain, prev))!.prev
  }
  await s.setLink(chain, number, { prev, next })
  if (prev !== 0n) await s.setLink(chain, prev, { ...(await s.link(chain, prev))!, next: number })
  if (next !== 0n) await s.setLink(chain, next, { ...(await s.link(chain, next))!, prev: number })
  else await s.setBestNumber(chain, number)
}

async function removeAccepted(ctx: EvmContext, chain: bigint, number: bigint): Promise<void> {
  const s = ctx.state
  const link = await s.link(chain, number)
  if (link === undefined) fail('BRIDGE_INVARIANT', `accepted height ${number} is not in the list of accepted heights`)
  if (link.prev !== 0n) await s.setLink(chain, link.prev, { ...(await s.link(chain, link.prev))!, next: link.next })
  if (link.next !== 0n) await s.setLink(chain, link.next, { ...(await s.link(chain, link.next))!, prev: link.prev })
  else await s.setBestNumber(chain, link.prev)
  await s.setLink(chain, number, undefined)
}

export async function attestEvmHeader(ctx: EvmContext, chainId: bigint, rlp: Uint8Array): Promise<void> {
  requireWritable(ctx)
  requireNoValue(ctx)
  evmChain(ctx, chainId)
  const member = requireMember(ctx)
  const { header, hash } = parseHeader(rlp)
  const s = ctx.state
  const number = header.number
  const previous = await s.attestation(chainId, number, member)
  if (previous !== undefined && equalBytes(previous, hash)) return // already attested: nothing changes
  const before = await acceptedAt(ctx, chainId, number)
  let hashes = await s.hashesAt(chainId, number)
  if (previous !== undefined) {
    // The member's attestation moves: it no longer counts for the header it attested before.
    const old = (await s.header(chainId, previous))!
    const remaining = withoutMember(old.attesters, member)
    await s.setHeader(chainId, previous, { ...old, attesters: remaining })
    if (remaining === NO_MEMBERS) hashes = hashes.filter((h) => !equalBytes(h, previous))
  }
  const stored: StoredEvmHeader = (await s.header(chainId, hash)) ?? {
    parentHash: header.parentHash,
    number,
    receiptsRoot: header.receiptsRoot,
    timestamp: header.timestamp,
    attesters: NO_MEMBERS,
  }
  const attesters = withMember(stored.attesters, member)
  await s.setAttestation(chainId, number, member, hash)
  await s.setHeader(chainId, hash, { ...stored, attesters })
  if (!hashes.some((h) => equalBytes(h, hash))) {
    if (hashes.length > 0) emit(ctx, 'EvmHeaderConflict', [chainId, number, hashes[0]!, hash])
    hashes = [...hashes, hash]
  }
  await s.setHashesAt(chainId, number, hashes)
  emit(ctx, 'EvmHeaderAttested', [chainId, hash, ctx.caller, number, BigInt(memberCount(attesters))])
  const after = await acceptedAt(ctx, chainId, number)
  if (before !== undefined && (after === undefined || !equalBytes(before, after))) await removeAccepted(ctx, chainId, number)
  if (after !== undefined && (before === undefined || !equalBytes(before, after))) {
    await insertAccepted(ctx, chainId, number)
    emit(ctx, 'EvmHeaderAccepted', [chainId, hash, number])
  }
}

/**
 * The accepted header a proof names by its RLP, or a refusal that says why not: BRIDGE_EVM_HEADER_UNKNOWN (never
 * attested), BRIDGE_EVM_HEADER_CONFLICT (another header at its height is attested), BRIDGE_EVM_HEADER_NOT_ACCEPTED
 * (fewer than k attest it).
 */
export async function requireAcceptedHeader(ctx: EvmContext, chainId: bigint, rlp: Uint8Array): Promise<{ header: EvmHeader; hash: Uint8Array }> {
  const parsed = parseHeader(rlp)
  const stored = await ctx.state.header(chainId, parsed.hash)
  if (stored === undefined) fail('BRIDGE_EVM_HEADER_UNKNOWN', 'no member attests this header')
  const hashes = await ctx.state.hashesAt(chainId, parsed.header.number)
  if (hashes.length > 1) fail('BRIDGE_EVM_HEADER_CONFLICT', `another header at height ${parsed.header.number} is attested: neither counts until the members agree`)
  const count = memberCount(stored.attesters)
  if (count < ctx.config.federation.threshold) {
    fail('BRIDGE_EVM_HEADER_NOT_ACCEPTED', `${count} members attest this header; it needs ${ctx.config.federation.threshold}`)
  }
  return parsed
}

export async function getEvmHeader(ctx: EvmContext, chainId: bigint, hash: Uint8Array) {
  evmChain(ctx, chainId)
  const h = await ctx.state.header(chainId, hash)
  if (h === undefined) return [{ parentHash: ZERO32, number: 0n, receiptsRoot: ZERO32, timestamp: 0n, attesters: 0n, attestations: 0n, accepted: false }]
  const accepted = await acceptedAt(ctx, chainId, h.number)
  return [
    {
      parentHash: h.parentHash,
      number: h.number,
      receiptsRoot: h.receiptsRoot,
      timestamp: h.timestamp,
      attesters: BigInt(h.attesters),
      attestations: BigInt(memberCount(h.attesters)),
      accepted: accepted !== undefined && equalBytes(accepted, hash),
    },
  ]
}

export async function getEvmBestBlock(ctx: EvmContext, chainId: bigint): Promise<[Uint8Array, bigint]> {
  evmChain(ctx, chainId)
  const number = await ctx.state.bestNumber(chainId)
  if (number === 0n) return [ZERO32, 0n]
  const hash = await acceptedAt(ctx, chainId, number)
  if (hash === undefined) fail('BRIDGE_INVARIANT', `the best EVM height ${number} is not accepted`)
  return [hash, number]
}
