// The bridge against a real main-chain block (test/vectors/evm/anvil-vault-block.json: anvil 1.7.1 with the project's
// Vault, deposits as legacy, EIP-2930 and EIP-1559 transactions, a token deposit, a plain transfer and a reverted
// deposit): every real deposit mints exactly what the vault credited, the reverted one and the log-less one are
// refused, and 2,000 mutations of a real proof are all refused with a code (none accepted, never BRIDGE_INTERNAL).
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeDepositLog, wrappedTokenAddress } from '../../../../../peg/evm/index.js'
import { hexToBytes } from '../../../../../spv/base/bytes.js'
import { createReceiptProof, encodeEvmHeader, evmHeaderFromRpc, evmHeaderHash, receiptFromRpc, receiptsRoot } from '../../../../../spv/evm/index.js'
import { MAIN_CHAIN_ID, evmConfig, openEvmWorld } from '../../../../helpers/evm-bridge-world.js'

const fixture = JSON.parse(readFileSync(new URL('../../../../vectors/evm/anvil-vault-block.json', import.meta.url), 'utf8'))
const vault = hexToBytes(fixture.vault, 'vault', 20)
const relayer = new Uint8Array(20).fill(0xbe)
const RUNS = 2_000

describe('the bridge and a real anvil block of vault deposits', async () => {
  const header = evmHeaderFromRpc(fixture.block)
  const rlp = encodeEvmHeader(header)
  const receipts = fixture.receipts.map((r: object) => receiptFromRpc(r))
  const proofs = await Promise.all(receipts.map((_: unknown, i: number) => createReceiptProof(receipts, i)))

  it('the fixture checks itself: its header hashes to the block hash, its receipts to receiptsRoot', async () => {
    expect(Buffer.from(evmHeaderHash(header)).toString('hex')).toBe(fixture.block.hash.slice(2))
    expect(Buffer.from(await receiptsRoot(receipts)).equals(Buffer.from(header.receiptsRoot))).toBe(true)
    expect(new Set(receipts.map((r: { type: number }) => r.type))).toEqual(new Set([0, 1, 2]))
  })

  it(`mints each real deposit once at what the vault credited; refuses the reverted and the log-less; refuses ${RUNS} mutations`, async () => {
    const w = await openEvmWorld(evmConfig(true, 3, vault))
    expect((await w.vm.call(relayer, 'registerEvmDeposit', [MAIN_CHAIN_ID, rlp, 0n, proofs[0], 0n])).code).toBe('BRIDGE_EVM_HEADER_UNKNOWN')
    await w.attest({ rlp } as never)
    const minted = new Map<string, bigint>()
    for (let i = 0; i < receipts.length; i++) {
      const r = await w.vm.call(relayer, 'registerEvmDeposit', [MAIN_CHAIN_ID, rlp, BigInt(i), proofs[i], 0n])
      const logs = receipts[i].logs.filter((l: { address: Uint8Array }) => Buffer.from(l.address).equals(Buffer.from(vault)))
      if (receipts[i].status === 0) expect(r.code).toBe('BRIDGE_EVM_RECEIPT_FAILED')
      else if (receipts[i].logs.length === 0) expect(r.code).toBe('BRIDGE_EVM_BAD_INDEX')
      else if (logs.length === 0 || receipts[i].logs[0].address.some((b: number, j: number) => b !== vault[j])) {
        // The token deposit's first log is the token's Transfer: not a Deposit; the vault's log follows it.
        expect(r.code).toBe('EVM_PEG_NOT_DEPOSIT')
        const at = receipts[i].logs.findIndex((l: { address: Uint8Array }) => Buffer.from(l.address).equals(Buffer.from(vault)))
        const again = await w.vm.call(relayer, 'registerEvmDeposit', [MAIN_CHAIN_ID, rlp, BigInt(i), proofs[i], BigInt(at)])
        expect(again.code).toBeUndefined()
        const d = decodeDepositLog(receipts[i].logs[at], vault)
        minted.set(Buffer.from(d.token).toString('hex'), (minted.get(Buffer.from(d.token).toString('hex')) ?? 0n) + d.amount)
      } else {
        expect(r.code).toBeUndefined()
        const d = decodeDepositLog(receipts[i].logs[0], vault)
        minted.set(Buffer.from(d.token).toString('hex'), (minted.get(Buffer.from(d.token).toString('hex')) ?? 0n) + d.amount)
        expect((await w.vm.call(relayer, 'registerEvmDeposit', [MAIN_CHAIN_ID, rlp, BigInt(i), proofs[i], 0n])).code).toBe('BRIDGE_EVM_DEPOSIT_REPLAYED')
      }
    }
    expect(minted.size).toBe(2)
    for (const [token, amount] of minted) {
      const wrapped = wrappedTokenAddress(MAIN_CHAIN_ID, hexToBytes(token, 'token', 20))
      expect(await w.reserves(wrapped)).toEqual({ locked: amount, supply: amount, pending: 0n })
    }
    // Mutations of a real proof (the EIP-2930 deposit's): bytes flipped, nodes cut, dropped, swapped or replaced.
    const good: Uint8Array[] = proofs[1]!
    const before = await w.reserves(wrappedTokenAddress(MAIN_CHAIN_ID, new Uint8Array(20)))
    const codes = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(
        fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'cut', 'drop', 'swap', 'other', 'extend'), fc.nat(),
        async (node, at, x, kind, pick) => {
          const p = good.map((n) => new Uint8Array(n))
          const k = node % p.length
          if (kind === 'flip') p[k]![at % p[k]!.length]! ^= x
          else if (kind === 'cut') p[k] = p[k]!.slice(0, at % p[k]!.length)
          else if (kind === 'drop') p.splice(k, 1)
          else if (kind === 'swap') { if (p.length < 2) return; const j = (k + 1 + (at % (p.length - 1))) % p.length; [p[k], p[j]] = [p[j]!, p[k]!] }
          else if (kind === 'other') { const o = proofs[pick % proofs.length]!; p[k] = o[at % o.length]!; if (Buffer.from(p[k]!).equals(Buffer.from(good[k]!))) return }
          else p[k] = new Uint8Array([...p[k]!, x])
          const r = await w.vm.call(relayer, 'registerEvmDeposit', [MAIN_CHAIN_ID, rlp, 1n + BigInt(pick % 2), p, 0n])
          expect(r.ok).toBe(false)
          expect(r.code).toMatch(/^(BRIDGE_EVM_|EVM_PEG_)/)
          codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1)
        },
      ),
      { numRuns: RUNS, seed: 2026 },
    )
    console.log('real-proof mutations refused:', Object.fromEntries(codes))
    expect(await w.reserves(wrappedTokenAddress(MAIN_CHAIN_ID, new Uint8Array(20)))).toEqual(before)
  }, 240_000)
})
