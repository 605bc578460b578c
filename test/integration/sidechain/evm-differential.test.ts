// Issue 12 item 5: the side chain's EVM held to an independent implementation, Hardhat's EDR (revm), at Prague. The
// same probe contract is deployed on a real development node and on a real Hardhat node, and calls every
// precompile 0x01–0x11 with ordinary and edge-case inputs (empty, short, malformed, off-curve, out of range,
// out of gas) and runs the Cancun opcodes (TSTORE/TLOAD, MCOPY, BLOBBASEFEE, BLOBHASH, PUSH0); success, gas used and
// returned bytes must be identical. EIP-4788's beacon-roots contract must carry the code Hardhat has.
import { randomBytes } from 'node:crypto'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bn254 } from '@noble/curves/bn254.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { Contract, ContractFactory, JsonRpcProvider, Wallet, hexlify, keccak256 } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../spv/base/bytes.js'
import { compileSolidity } from '../../helpers/solc.js'
import { startDevNodeProcess, type NodeProcess } from '../../helpers/causeway-node.js'
import { startHardhat, type HardhatNode } from '../../../regtest/evm/hardhat.js'
import { validPointEvaluationInput } from '../../helpers/kzg-input.js'
import { BEACON_ROOTS_ADDRESS } from '../../../sidechain/chain/system-contracts.js'

const PROBE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Probe {
    function probe(address target, bytes calldata input, uint256 gas) external returns (bool ok, uint256 used, bytes memory out) {
        uint256 before = gasleft();
        (ok, out) = target.call{gas: gas}(input);
        used = before - gasleft();
    }
    function cancun() external returns (uint256 transient, bytes32 copied, uint256 blobBaseFee, bytes32 blobHash0, uint256 used) {
        uint256 before = gasleft();
        assembly {
            tstore(7, 0x1234)
            transient := tload(7)
            let p := mload(0x40)
            mstore(p, 0xabcdef)
            mcopy(add(p, 0x20), p, 0x20)
            copied := mload(add(p, 0x20))
            blobBaseFee := blobbasefee()
            blobHash0 := blobhash(0)
        }
        used = before - gasleft();
    }
}
`
const HARDHAT_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' // its first default account

const hex = (b: Uint8Array | string) => (typeof b === 'string' ? b : hexlify(b))
const be = (n: bigint, bytes: number) => n.toString(16).padStart(bytes * 2, '0')
const cat = (...parts: string[]) => '0x' + parts.map((p) => p.replace(/^0x/, '')).join('')
const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0')

/** BLS12-381 encodings of EIP-2537: a base-field element in 64 bytes, points as their coordinates. */
const fp = (n: bigint) => be(n, 64)
const g1 = (p: { x: bigint; y: bigint }) => fp(p.x) + fp(p.y)
const g2 = (p: { x: { c0: bigint; c1: bigint }; y: { c0: bigint; c1: bigint } }) => fp(p.x.c0) + fp(p.x.c1) + fp(p.y.c0) + fp(p.y.c1)

function cases(): { name: string; to: string; input: string; gas?: bigint }[] {
  const out: { name: string; to: string; input: string; gas?: bigint }[] = []
  const add = (name: string, to: number, input: string, gas?: bigint) => out.push({ name, to: addr(to), input, ...(gas === undefined ? {} : { gas }) })
  // 0x01 ecrecover
  const key = secp256k1.utils.randomSecretKey()
  const digest = keccak256(randomBytes(32))
  const sig = secp256k1.sign(Buffer.from(digest.slice(2), 'hex'), key, { prehash: false, format: 'recovered' })
  const r = hex(sig.slice(1, 33)).slice(2)
  const s = hex(sig.slice(33, 65)).slice(2)
  const v = 27n + BigInt(sig[0]!)
  add('ecrecover valid', 1, cat(digest, be(v, 32), r, s))
  add('ecrecover v=29', 1, cat(digest, be(29n, 32), r, s))
  add('ecrecover s=0', 1, cat(digest, be(v, 32), r, be(0n, 32)))
  add('ecrecover high s', 1, cat(digest, be(v, 32), r, be(secp256k1.Point.CURVE().n - BigInt('0x' + s), 32)))
  add('ecrecover short', 1, cat(digest, be(v, 32)))
  add('ecrecover empty', 1, '0x')
  // 0x02 sha256, 0x03 ripemd160, 0x04 identity
  for (const [n, name] of [[2, 'sha256'], [3, 'ripemd160'], [4, 'identity']] as const) {
    add(`${name} empty`, n, '0x')
    add(`${name} one byte`, n, '0x00')
    add(`${name} 1000 bytes`, n, '0x' + 'ab'.repeat(1000))
    add(`${name} out of gas`, n, '0x' + 'ab'.repeat(1000), 100n)
  }
  // 0x05 modexp (EIP-198 with EIP-2565 pricing)
  const modexp = (b: string, e: string, m: string) => cat(be(BigInt(b.length / 2), 32), be(BigInt(e.length / 2), 32), be(BigInt(m.length / 2), 32), b, e, m)
  add('modexp 3^5 mod 7', 5, modexp('03', '05', '07'))
  add('modexp 0^0 mod 1', 5, modexp('00', '00', '01'))
  add('modexp empty modulus', 5, modexp('05', '03', ''))
  add('modexp long exponent', 5, modexp('02', 'ff'.repeat(64), be((1n << 255n) - 19n, 32)))
  add('modexp header only, lengths past the data', 5, cat(be(1n, 32), be(1n, 32), be(1n, 32)))
  add('modexp huge exponent length, out of gas', 5, cat(be(1n, 32), be(1n << 32n, 32), be(1n, 32), '02', '03'), 1_000_000n)
  add('modexp empty', 5, '0x')
  // 0x06–0x08 alt_bn128 (EIP-196, EIP-197)
  const P = bn254.fields.Fp.ORDER
  add('bn add G+G', 6, cat(be(1n, 32), be(2n, 32), be(1n, 32), be(2n, 32)))
  add('bn add empty', 6, '0x')
  add('bn add off curve', 6, cat(be(1n, 32), be(3n, 32), be(1n, 32), be(2n, 32)))
  add('bn add coordinate ≥ p', 6, cat(be(P, 32), be(2n, 32), be(1n, 32), be(2n, 32)))
  add('bn mul G×2', 7, cat(be(1n, 32), be(2n, 32), be(2n, 32)))
  add('bn mul G×order', 7, cat(be(1n, 32), be(2n, 32), be(bn254.fields.Fr.ORDER, 32)))
  add('bn mul off curve', 7, cat(be(1n, 32), be(3n, 32), be(2n, 32)))
  const G2 = bn254.G2.Point.BASE.toAffine()
  const bnG2 = be(G2.x.c1, 32) + be(G2.x.c0, 32) + be(G2.y.c1, 32) + be(G2.y.c0, 32) // EIP-197: imaginary part first
  add('bn pairing empty', 8, '0x')
  add('bn pairing e(G1,G2) alone', 8, cat(be(1n, 32), be(2n, 32), bnG2))
  add('bn pairing e(G1,G2)·e(−G1,G2) = 1', 8, cat(be(1n, 32), be(2n, 32), bnG2, be(1n, 32), be(P - 2n, 32), bnG2))
  add('bn pairing bad length', 8, '0x' + '00'.repeat(100))
  // 0x09 blake2f (EIP-152)
  const h = '48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b'
  const m = '6162630000000000' + '00'.repeat(120)
  const t = '0300000000000000' + '00'.repeat(8)
  add('blake2f 12 rounds', 9, cat(be(12n, 4), h, m, t, '01'))
  add('blake2f 0 rounds', 9, cat(be(0n, 4), h, m, t, '01'))
  add('blake2f bad final flag', 9, cat(be(12n, 4), h, m, t, '02'))
  add('blake2f short', 9, cat(be(12n, 4), h, m, t))
  // 0x0a KZG point evaluation (EIP-4844)
  const kzg = hex(validPointEvaluationInput())
  add('kzg valid', 10, kzg)
  add('kzg short', 10, kzg.slice(0, -2))
  add('kzg false proof', 10, kzg.slice(0, 2 + 64 * 2) + (kzg[2 + 64 * 2] === 'f' ? '0' : 'f') + kzg.slice(3 + 64 * 2))
  // 0x0b–0x11 BLS12-381 (EIP-2537)
  const B1 = bls12_381.G1.Point.BASE
  const B2 = bls12_381.G2.Point.BASE
  const G1a = g1(B1.toAffine())
  const G1b = g1(B1.multiply(5n).toAffine())
  const G2a = g2(B2.toAffine())
  const G2b = g2(B2.multiply(7n).toAffine())
  const inf1 = '00'.repeat(128)
  const inf2 = '00'.repeat(256)
  add('bls g1add', 0x0b, cat(G1a, G1b))
  add('bls g1add infinity', 0x0b, cat(G1a, inf1))
  add('bls g1add off curve', 0x0b, cat(fp(1n) + fp(1n), G1a))
  add('bls g1add short', 0x0b, cat(G1a))
  add('bls g1msm one pair', 0x0c, cat(G1a, be(3n, 32)))
  add('bls g1msm two pairs', 0x0c, cat(G1a, be(3n, 32), G1b, be(1n << 200n, 32)))
  add('bls g1msm empty', 0x0c, '0x')
  add('bls g2add', 0x0d, cat(G2a, G2b))
  add('bls g2add infinity', 0x0d, cat(inf2, G2b))
  add('bls g2msm', 0x0e, cat(G2a, be(11n, 32)))
  add('bls pairing e(G1,G2)·e(−G1,G2)', 0x0f, cat(G1a, G2a, g1(B1.negate().toAffine()), G2a))
  add('bls pairing e(G1,G2) alone', 0x0f, cat(G1a, G2a))
  add('bls pairing empty', 0x0f, '0x')
  add('bls map fp to g1', 0x10, cat(fp(1n)))
  add('bls map fp ≥ p', 0x10, cat(fp(bls12_381.fields.Fp.ORDER)))
  add('bls map fp2 to g2', 0x11, cat(fp(1n), fp(2n)))
  add('bls map fp2 short', 0x11, cat(fp(1n)))
  return out
}

let node: NodeProcess
let hardhat: HardhatNode
const devKey = toHex(randomBytes(32))
const providers: JsonRpcProvider[] = []

async function deploy(url: string, key: string): Promise<{ provider: JsonRpcProvider; probe: Contract }> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 100 })
  providers.push(provider)
  const { contracts } = compileSolidity({ 'Probe.sol': PROBE })
  const artifact = contracts['Probe.sol:Probe']!
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, new Wallet(key, provider))
  const probe = (await factory.deploy()) as Contract
  await probe.waitForDeployment()
  return { provider, probe }
}

describe('the EVM against Hardhat EDR at Prague: precompiles 0x01–0x11 and Cancun opcodes (issue 12 item 5)', () => {
  let ours: { provider: JsonRpcProvider; probe: Contract }
  let theirs: { provider: JsonRpcProvider; probe: Contract }

  beforeAll(async () => {
    ;[node, hardhat] = await Promise.all([startDevNodeProcess({ devKey }), startHardhat({ hardfork: 'prague' })])
    ;[ours, theirs] = await Promise.all([deploy(node.url, devKey), deploy(hardhat.url, HARDHAT_KEY)])
  }, 120_000)
  afterAll(async () => {
    for (const p of providers) p.destroy()
    await node?.stop(true)
    await hardhat?.stop()
  })

  it('every precompile answers as EDR does: success, gas used and returned bytes', async () => {
    const all = cases()
    const mismatches: string[] = []
    let succeeded = 0
    for (const c of all) {
      const gas = c.gas ?? 5_000_000n
      const [a, b] = await Promise.all([ours.probe.probe!.staticCall(c.to, c.input, gas), theirs.probe.probe!.staticCall(c.to, c.input, gas)])
      const show = (x: { ok: boolean; used: bigint; out: string }) => `ok=${x.ok} gas=${x.used} out=${x.out.slice(0, 66)}${x.out.length > 66 ? '…' : ''}`
      if (a.ok === true) succeeded++
      if (a.ok !== b.ok || a.used !== b.used || a.out !== b.out) mismatches.push(`${c.name} (${c.to}): ours ${show(a)}, EDR ${show(b)}`)
    }
    expect(mismatches, mismatches.join('\n')).toEqual([])
    // Not vacuous: every precompile is reached, and both successes and failures are compared.
    expect(new Set(all.map((c) => Number(c.to))).size).toBe(17)
    expect(succeeded).toBeGreaterThan(30)
    expect(all.length - succeeded).toBeGreaterThan(15)
  }, 120_000)

  it('TSTORE/TLOAD, MCOPY, BLOBBASEFEE and BLOBHASH give the same values at the same gas', async () => {
    const [a, b] = await Promise.all([ours.probe.cancun!.staticCall(), theirs.probe.cancun!.staticCall()])
    expect(a.transient).toBe(0x1234n)
    expect(a.copied).toBe('0x' + be(0xabcdefn, 32))
    expect([...a]).toEqual([...b])
  })

  it("EIP-4788's beacon-roots contract has the code Hardhat has", async () => {
    const at = toHex(BEACON_ROOTS_ADDRESS)
    const [a, b] = await Promise.all([ours.provider.getCode(at), theirs.provider.getCode(at)])
    expect(a.length).toBeGreaterThan(2)
    expect(a).toBe(b)
  })
})
