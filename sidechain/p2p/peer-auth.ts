// Authenticating p2p requests by federation keys (ARCHITECTURE decision 8: "signers and nodes authenticate each
// other by their federation keys"). A validator signs each POST it sends with its validator key; the receiving
// node checks that the key is one of the configured validators, that the signature covers this method, path, time
// and body, and that the time is within ±30 s of its own clock.
//
// Why per request and not per connection: the p2p port is plain HTTP on kept-alive connections, and a signed
// request needs no handshake state on either side. Why a time and not a nonce: a receiver would have to remember
// every nonce it saw; with a time window a captured request can be replayed only for 30 s, and all it carries is
// what its validator really sent then (a consensus message is signed by its validator as well). The window
// bounds replays from a captured log or a stolen request, not a live eavesdropper: TLS or a private network is
// still what keeps the port's traffic private.
//
// Signed:  sha256( utf8("causeway-p2p-v1\n" + method + "\n" + path + "\n" + time + "\n") || sha256(body) )
// Headers: x-causeway-peer (33-byte compressed key, hex), x-causeway-time (ms since the epoch, decimal),
//          x-causeway-signature (64-byte compact secp256k1 signature, low-s, hex).
import { sign, verify } from 'tiny-secp256k1'
import { CausewayError, fail } from '../../spv/base/errors.js'
import { hexToBytes, toHex, concatBytes, equalBytes } from '../../spv/base/bytes.js'
import { sha256 } from '../../spv/bitcoin/hash.js'
import { publicKeyOf } from '../consensus/certificate.js'

export const PEER_HEADER = 'x-causeway-peer'
export const TIME_HEADER = 'x-causeway-time'
export const SIGNATURE_HEADER = 'x-causeway-signature'

/** How far a request's time may be from the receiver's clock, either way. */
export const DEFAULT_SKEW_MS = 30_000

const DOMAIN = 'causeway-p2p-v1'

/** A validator key with its public key computed once (a scalar multiplication per request would be waste). */
export interface PeerKey {
  readonly privateKey: Uint8Array
  readonly publicKey: Uint8Array
}

export function peerKeyOf(privateKey: Uint8Array): PeerKey {
  return Object.freeze({ privateKey, publicKey: publicKeyOf(privateKey) })
}

export interface PeerRequest {
  /** Upper-case HTTP method, e.g. POST. */
  readonly method: string
  /** The URL's path, without query (as the server sees it). */
  readonly path: string
  readonly body: Uint8Array
}

/** Headers as a fetch `Headers` (case-insensitive get) or a plain object with lower-case names. */
export type HeaderSource = { get(name: string): string | null } | Readonly<Record<string, string | undefined>>

function digest(req: PeerRequest, time: string): Uint8Array {
  const head = new TextEncoder().encode(`${DOMAIN}\n${req.method.toUpperCase()}\n${req.path}\n${time}\n`)
  return sha256(concatBytes(head, sha256(req.body)))
}

/** The three authentication headers for `req`, signed by `key` at `timeMs`. */
export function signRequest(key: PeerKey, req: PeerRequest & { readonly timeMs: number }): Record<string, string> {
  if (!Number.isSafeInteger(req.timeMs) || req.timeMs < 0) fail('P2P_BAD_TIME', `timeMs must be a non-negative integer, got ${req.timeMs}`)
  const time = String(req.timeMs)
  // tiny-secp256k1 signs deterministically (RFC 6979) and always with a low s.
  return { [PEER_HEADER]: toHex(key.publicKey), [TIME_HEADER]: time, [SIGNATURE_HEADER]: toHex(sign(digest(req, time), key.privateKey)) }
}

function header(headers: HeaderSource, name: string): string | undefined {
  const v = typeof headers.get === 'function' ? (headers as { get(n: string): string | null }).get(name) : (headers as Record<string, string | undefined>)[name]
  return v === null || v === undefined || v === '' ? undefined : v
}

/** True when a request carries any of the authentication headers (it then has to verify). */
export function hasAuthHeaders(headers: HeaderSource): boolean {
  return [PEER_HEADER, TIME_HEADER, SIGNATURE_HEADER].some((n) => header(headers, n) !== undefined)
}

function unauthenticated(message: string, cause?: unknown): never {
  throw new CausewayError('P2P_UNAUTHENTICATED', message, cause === undefined ? {} : { cause })
}

/**
 * Checks a request's authentication and returns the index of the member that signed it; throws
 * P2P_UNAUTHENTICATED naming what is wrong (a missing or malformed header, a key outside `members`, a time outside
 * ±skewMs of `nowMs`, a signature that does not verify over this request).
 */
export function verifyRequest(
  headers: HeaderSource,
  req: PeerRequest & { readonly nowMs: number; readonly members: readonly Uint8Array[]; readonly skewMs?: number },
): number {
  const peerHex = header(headers, PEER_HEADER)
  const time = header(headers, TIME_HEADER)
  const sigHex = header(headers, SIGNATURE_HEADER)
  if (peerHex === undefined) unauthenticated(`missing ${PEER_HEADER} header`)
  if (time === undefined) unauthenticated(`missing ${TIME_HEADER} header`)
  if (sigHex === undefined) unauthenticated(`missing ${SIGNATURE_HEADER} header`)
  let peer: Uint8Array
  let signature: Uint8Array
  try {
    peer = hexToBytes(peerHex, PEER_HEADER, 33)
    signature = hexToBytes(sigHex, SIGNATURE_HEADER, 64)
  } catch (e) {
    unauthenticated(`malformed authentication header: ${(e as Error).message}`, e)
  }
  if (!/^\d{1,16}$/.test(time)) unauthenticated(`${TIME_HEADER} must be milliseconds since the epoch in decimal`)
  const skew = req.skewMs ?? DEFAULT_SKEW_MS
  const offset = Number(time) - req.nowMs
  if (Math.abs(offset) > skew) unauthenticated(`request time is ${Math.round(offset / 1000)} s from ours, outside ±${skew / 1000} s (a replay, or a clock to fix)`)
  const index = req.members.findIndex((k) => equalBytes(k, peer))
  if (index < 0) unauthenticated(`${toHex(peer)} is not a federation member`)
  let ok = false
  try {
    // strict: a high-s signature is refused, so each request has one valid signature.
    ok = verify(digest(req, time), peer, signature, true)
  } catch {
    ok = false // not a point, or a signature with r or s out of range
  }
  if (!ok) unauthenticated(`signature does not verify for member ${index} over this request`)
  return index
}
