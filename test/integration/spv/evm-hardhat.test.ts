// The EVM SPV layer against a real Hardhat 2 node: header hashes rebuilt from JSON-RPC for every header layout, and
// receipt proofs for a Prague block holding every kind of transaction, including tampered and misplaced proofs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../spv/base/bytes.js'
import { isCausewayError } from '../../../spv/base/errors.js'
import {
  EVM_PROOF_INVALID,
  EVM_PROOF_NOT_FOUND,
  type EvmHeader,
  type EvmHeaderLayout,
  type Receipt,
  createReceiptProof,
  encodeReceipt,
  evmHeaderFromRpc,
  evmHeaderHash,
  evmHeaderLayout,
  receiptFromRpc,
  receiptsRoot,
  verifyReceiptProof,
} from '../../../spv/evm/index.js'
import { type FilledBlock, fillBlock, trafficKinds } from '../../helpers/evm-traffic.js'
import { type HardhatNode, startHardhat } from '../../../regtest/evm/hardhat.js'

/** Each Hardhat 2 hard fork that changes the header (plus two that only change its meaning) → expected layout. */
const FORKS: readonly [string, EvmHeaderLayout][] = [
  ['byzantium', 'legacy'], // status receipts (EIP-658), no typed transactions
  ['berlin', 'legacy'], // EIP-2930 typed transactions, header unchanged
  ['london', 'london'],
  ['merge', 'london'], // difficulty 0, mixHash = prevRandao (EIP-4399), same fields
  ['shanghai', 'shanghai'],
  ['cancun', 'cancun'],
  ['prague', 'prague'],
  ['osaka', 'prague'], // Osaka adds no header field
]

const quantity = (n: bigint | number) => `0x${n.toString(16)}`

async function blockAt(node: HardhatNode, n: bigint | number): Promise<Record<string, any>> {
  return node.rpc('eth_getBlockByNumber', [quantity(n), false])
}

async function receiptsOf(node: HardhatNode, block: Record<string, any>): Promise<Receipt[]> {
  const hashes = block['transactions'] as string[]
  const json = await Promise.all(hashes.map((h) => node.rpc('eth_getTransactionReceipt', [h])))
  json.forEach((r, i) => expect(Number(r.transactionIndex)).toBe(i))
  return json.map((r) => receiptFromRpc(r))
}

for (const [fork, layout] of FORKS) {
  describe(`hardfork ${fork}`, () => {
    let node: HardhatNode | undefined
    let filled: FilledBlock

    beforeAll(async () => {
      node = await startHardhat({ hardfork: fork })
      filled = await fillBlock(node, trafficKinds(fork))
      await node.rpc('evm_mine') // and an empty block after it
    })
    afterAll(async () => {
      await node?.stop()
    })

    it(`every block's header hash (genesis included) is keccak256 of its ${layout} RLP`, async () => {
      const latest = BigInt(await node!.rpc('eth_blockNumber'))
      expect(latest).toBe(filled.blockNumber + 1n)
      for (let n = 0n; n <= latest; n++) {
        const block = await blockAt(node!, n)
        const header = evmHeaderFromRpc(block)
        expect(evmHeaderLayout(header)).toBe(layout)
        expect(toHex(evmHeaderHash(header))).toBe(block['hash'])
        if (n > 0n) expect(toHex(header.parentHash)).toBe((await blockAt(node!, n - 1n))['hash'])
      }
    })

    it("every block's receipts rebuild its receiptsRoot, and each receipt's proof verifies", async () => {
      for (let n = 1n; n <= filled.blockNumber + 1n; n++) {
        const block = await blockAt(node!, n)
        const header = evmHeaderFromRpc(block)
        const receipts = await receiptsOf(node!, block)
        expect(await receiptsRoot(receipts)).toEqual(header.receiptsRoot)
        for (let i = 0; i < receipts.length; i++) {
          const proven = await verifyReceiptProof(header.receiptsRoot, i, await createReceiptProof(receipts, i))
          expect(proven.receipt).toEqual(receipts[i])
        }
      }
    })

    if (fork !== 'prague') return

    describe('receipt proofs for a block with every transaction kind', () => {
      let header: EvmHeader
      let receipts: Receipt[]
      let proofs: Uint8Array[][]

      beforeAll(async () => {
        const block = await blockAt(node!, filled.blockNumber)
        header = evmHeaderFromRpc(block)
        // The root we verify against comes from a header whose hash we checked ourselves.
        expect(toHex(evmHeaderHash(header))).toBe(block['hash'])
        receipts = await receiptsOf(node!, block)
        proofs = await Promise.all(receipts.map((_, i) => createReceiptProof(receipts, i)))
      })

      it('holds legacy, EIP-2930, EIP-1559 and EIP-7702 transactions, creations, a failure and logs', () => {
        expect(receipts.length).toBeGreaterThanOrEqual(9)
        expect(new Set(receipts.map((r) => r.type))).toEqual(new Set([0, 1, 2, 4]))
        expect(receipts.filter((r) => r.status === 0)).toHaveLength(1)
        const loggers = receipts.flatMap((r) => r.logs.map((l) => toHex(l.address)))
        expect(loggers).toContain(filled.logger.toLowerCase())
        expect(new Set(loggers).size).toBeGreaterThan(1) // the EIP-7702 delegate logs as the delegating account
      })

      it('each proof verifies against the header and returns exactly that receipt', async () => {
        for (let i = 0; i < receipts.length; i++) {
          const got = await verifyReceiptProof(header.receiptsRoot, i, proofs[i]!)
          expect(got.receipt).toEqual(receipts[i])
          expect(got.encoded).toEqual(encodeReceipt(receipts[i]!))
        }
      })

      it('a proof with any single byte changed is rejected', async () => {
        let tried = 0
        for (let i = 0; i < proofs.length; i++) {
          const proof = proofs[i]!
          for (let n = 0; n < proof.length; n++) {
            const len = proof[n]!.length
            // every byte of short nodes; for long ones the first and last 32 and every 7th between
            for (let at = 0; at < len; at += at < 32 || at >= len - 32 ? 1 : 7) {
              for (const flip of [0x01, 0x80]) {
                const bad = proof.map((x) => x.slice())
                const node = bad[n]!
                node[at] = node[at]! ^ flip
                await expect(verifyReceiptProof(header.receiptsRoot, i, bad)).rejects.toSatisfy((e) => isCausewayError(e, EVM_PROOF_INVALID))
                tried++
              }
            }
          }
        }
        expect(tried).toBeGreaterThan(1000)
      })

      it('a proof for index i never verifies as index j', async () => {
        for (let i = 0; i < proofs.length; i++) {
          for (let j = 0; j < proofs.length + 3; j++) {
            if (i === j) continue
            await expect(verifyReceiptProof(header.receiptsRoot, j, proofs[i]!)).rejects.toSatisfy(
              (e) => isCausewayError(e, EVM_PROOF_INVALID) || isCausewayError(e, EVM_PROOF_NOT_FOUND),
            )
          }
        }
      })

      it("a proof does not verify against another block's receiptsRoot", async () => {
        const other = evmHeaderFromRpc(await blockAt(node!, filled.blockNumber - 1n))
        await expect(verifyReceiptProof(other.receiptsRoot, 0, proofs[0]!)).rejects.toSatisfy((e) => isCausewayError(e, EVM_PROOF_INVALID))
        expect(other.receiptsRoot).not.toEqual(header.receiptsRoot)
      })
    })
  })
}
