// Request authentication between federation members (peer-auth.ts): a member's signature over this method, path,
// time and body verifies; every other case is P2P_UNAUTHENTICATED.
import { describe, expect, it } from 'vitest'
import { isCausewayError } from '../../../../spv/base/errors.js'
import { peerKeyOf, signRequest, verifyRequest, hasAuthHeaders } from '../../../../sidechain/p2p/peer-auth.js'

// Fixed keys (valid secp256k1 scalars), so a failure reproduces.
const key = (b: number) => peerKeyOf(new Uint8Array(32).fill(b))
const [k0, k1, k2, outsider] = [key(1), key(2), key(3), key(4)]
const members = [k0.publicKey, k1.publicKey, k2.publicKey]
const NOW = 1_780_000_000_000
const body = new TextEncoder().encode('{"type":"prevote"}')
const req = { method: 'POST', path: '/p2p/message', body }

function refusal(headers: Record<string, string | undefined>, over: Partial<typeof req & { nowMs: number }> = {}): string {
  try {
    verifyRequest(headers, { ...req, nowMs: NOW, members, ...over })
  } catch (e) {
    expect(isCausewayError(e, 'P2P_UNAUTHENTICATED')).toBe(true)
    return (e as Error).message
  }
  throw new Error('expected P2P_UNAUTHENTICATED')
}

describe('peer authentication', () => {
  it("verifies a member's signature and returns its index", () => {
    const h = signRequest(k1, { ...req, timeMs: NOW })
    expect(Object.keys(h).sort()).toEqual(['x-causeway-peer', 'x-causeway-signature', 'x-causeway-time'])
    expect(h['x-causeway-signature']).toMatch(/^0x[0-9a-f]{128}$/)
    expect(verifyRequest(h, { ...req, nowMs: NOW, members })).toBe(1)
    // Through a fetch Headers too (case-insensitive), and at the edges of the window.
    expect(verifyRequest(new Headers(h), { ...req, nowMs: NOW + 30_000, members })).toBe(1)
    expect(verifyRequest(h, { ...req, nowMs: NOW - 30_000, members })).toBe(1)
    expect(hasAuthHeaders(h)).toBe(true)
    expect(hasAuthHeaders({})).toBe(false)
  })

  it('refuses a request with a header missing', () => {
    const h = signRequest(k0, { ...req, timeMs: NOW })
    for (const name of ['x-causeway-peer', 'x-causeway-time', 'x-causeway-signature']) {
      expect(refusal({ ...h, [name]: undefined })).toContain(`missing ${name}`)
    }
    expect(refusal({})).toContain('missing')
  })

  it('refuses a key that is not a federation member', () => {
    expect(refusal(signRequest(outsider, { ...req, timeMs: NOW }))).toContain('not a federation member')
  })

  it("refuses a member's signature over another body, path, method or time", () => {
    const h = signRequest(k2, { ...req, timeMs: NOW })
    expect(refusal(h, { body: new TextEncoder().encode('{"type":"precommit"}') })).toContain('signature does not verify')
    expect(refusal(h, { path: '/p2p/txs' })).toContain('signature does not verify')
    expect(refusal(h, { method: 'GET' })).toContain('signature does not verify')
    expect(refusal({ ...h, 'x-causeway-time': String(NOW + 1) })).toContain('signature does not verify')
    // Another member's key on this member's signature.
    expect(refusal({ ...h, 'x-causeway-peer': signRequest(k0, { ...req, timeMs: NOW })['x-causeway-peer'] })).toContain('signature does not verify')
  })

  it('refuses a time more than 30 s from ours (a replay)', () => {
    const h = signRequest(k0, { ...req, timeMs: NOW })
    expect(refusal(h, { nowMs: NOW + 30_001 })).toContain('outside ±30 s')
    expect(refusal(h, { nowMs: NOW - 30_001 })).toContain('outside ±30 s')
    expect(refusal({ ...h, 'x-causeway-time': '-5' })).toContain('decimal')
    expect(refusal({ ...h, 'x-causeway-time': '1e12' })).toContain('decimal')
  })

  it('refuses malformed hex and a high-s signature', () => {
    const h = signRequest(k0, { ...req, timeMs: NOW })
    expect(refusal({ ...h, 'x-causeway-peer': '0xzz' })).toContain('malformed')
    expect(refusal({ ...h, 'x-causeway-peer': h['x-causeway-peer']!.slice(0, -2) })).toContain('malformed')
    expect(refusal({ ...h, 'x-causeway-signature': h['x-causeway-signature']!.slice(0, -2) })).toContain('malformed')
    expect(refusal({ ...h, 'x-causeway-signature': `0x${'00'.repeat(64)}` })).toContain('signature does not verify')
    // The same signature with s replaced by n − s verifies mathematically but is refused: one signature per request.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const sig = h['x-causeway-signature']!.slice(2)
    const highS = (n - BigInt(`0x${sig.slice(64)}`)).toString(16).padStart(64, '0')
    expect(refusal({ ...h, 'x-causeway-signature': `0x${sig.slice(0, 64)}${highS}` })).toContain('signature does not verify')
    // A 33-byte string that is not a curve point, from a "member" list that holds it.
    const notPoint = `0x02${'ff'.repeat(32)}`
    try {
      verifyRequest({ ...h, 'x-causeway-peer': notPoint }, { ...req, nowMs: NOW, members: [new Uint8Array(33).fill(0xff).fill(2, 0, 1)] })
      throw new Error('expected refusal')
    } catch (e) {
      expect(isCausewayError(e, 'P2P_UNAUTHENTICATED')).toBe(true)
    }
  })
})
