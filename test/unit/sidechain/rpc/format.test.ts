// Formatting rules that ethers' own parsing does not pin down: which fields each transaction type carries, the
// gas price a transaction paid or offers, EIP-155 chain ids of legacy transactions, 7702 authorizations.
import { createEOACode7702Tx, createLegacyTx } from '@ethereumjs/tx'
import { eoaCode7702SignAuthorization } from '@ethereumjs/util'
import { Signature, Transaction } from 'ethers'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../../spv/base/bytes.js'
import { formatReceipt, formatTransaction, gasPriceOf } from '../../../../sidechain/rpc/format.js'
import { BASE_FEE, CHAIN_ID, GWEI, RECIPIENT, SENDER, SENDER_KEY, common, fakeChain, signedTx } from '../../../helpers/fake-node.js'

const place = (baseFeePerGas: bigint | undefined) => ({ blockHash: new Uint8Array(32), blockNumber: 5n, index: 0, baseFeePerGas })

describe('gas price', () => {
  it('is what an EIP-1559 transaction paid in a block, and its max fee while pending', () => {
    const tx = signedTx(0, '1559') // maxFee 5 gwei, tip 1 gwei
    expect(gasPriceOf(tx, place(BASE_FEE))).toBe(BASE_FEE + GWEI)
    expect(gasPriceOf(tx, place(10n * GWEI))).toBe(5n * GWEI)
    expect(gasPriceOf(tx, undefined)).toBe(5n * GWEI)
    expect(gasPriceOf(signedTx(0, 'legacy'), place(BASE_FEE))).toBe(3n * GWEI)
  })
})

describe('transaction fields by type', () => {
  it('gives typed transactions chainId, accessList, yParity; legacy ones v and an EIP-155 chainId', () => {
    const typed = formatTransaction(signedTx(0, '1559'), place(BASE_FEE))
    expect(typed).toMatchObject({ type: '0x2', chainId: toHex(Uint8Array.of(0x43, 0x41, 0x55, 0x53)), accessList: [] })
    expect(typed['yParity']).toBe(typed['v'])
    const legacy = formatTransaction(signedTx(0, 'legacy'), undefined)
    expect(legacy['chainId']).toBe(`0x${CHAIN_ID.toString(16)}`)
    expect(legacy['yParity']).toBeUndefined()
    expect(legacy['maxFeePerGas']).toBeUndefined()
    expect(legacy).toMatchObject({ blockHash: null, blockNumber: null, transactionIndex: null })
  })

  it('gives a pre-EIP-155 legacy transaction no chainId', () => {
    const signed = signedTx(0, 'legacy')
    const unprotected = createLegacyTx(
      { nonce: 0n, gasPrice: GWEI, gasLimit: 21_000n, to: toHex(RECIPIENT), v: 27n, r: signed.r, s: signed.s },
      { common },
    )
    const out = formatTransaction(unprotected, undefined)
    expect(out['chainId']).toBeUndefined()
    expect(out['v']).toBe('0x1b')
  })

  it('writes EIP-7702 authorizations so ethers rebuilds the same transaction', () => {
    const authorization = eoaCode7702SignAuthorization({ chainId: toHex(Uint8Array.of(0x43, 0x41, 0x55, 0x53)), address: toHex(RECIPIENT), nonce: '0x1' }, SENDER_KEY)
    const tx = createEOACode7702Tx(
      { nonce: 1n, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 80_000n, to: toHex(RECIPIENT), authorizationList: [authorization] },
      { common },
    ).sign(SENDER_KEY)
    const out = formatTransaction(tx, place(BASE_FEE))
    const list = out['authorizationList'] as Record<string, string>[]
    expect(list[0]).toMatchObject({ address: toHex(RECIPIENT), nonce: '0x1', chainId: '0x43415553' })
    // ethers' Transaction.from takes a signature object per authorization; give it the same fields.
    const rebuilt = Transaction.from({
      type: 4,
      chainId: CHAIN_ID,
      nonce: 1,
      to: out['to'] as string,
      gasLimit: out['gas'] as string,
      maxFeePerGas: out['maxFeePerGas'] as string,
      maxPriorityFeePerGas: out['maxPriorityFeePerGas'] as string,
      data: out['input'] as string,
      value: out['value'] as string,
      accessList: [],
      authorizationList: list.map((a) => ({
        address: a['address']!,
        nonce: BigInt(a['nonce']!),
        chainId: BigInt(a['chainId']!),
        signature: Signature.from({ r: toWord(a['r']!), s: toWord(a['s']!), yParity: Number(a['yParity']) as 0 | 1 }),
      })),
      signature: { r: toWord(out['r'] as string), s: toWord(out['s'] as string), yParity: Number(out['yParity']) as 0 | 1 },
    })
    expect(rebuilt.hash).toBe(out['hash'])
    expect(rebuilt.from?.toLowerCase()).toBe(toHex(SENDER))
  })
})

describe('receipts', () => {
  it('writes null for absent to and contractAddress, and hex for every number', async () => {
    const node = fakeChain()
    const [receipt] = (await node.getBlockReceipts(2n))!
    const out = formatReceipt({ ...receipt!, to: undefined, contractAddress: RECIPIENT })
    expect(out.to).toBeNull()
    expect(out.contractAddress).toBe(toHex(RECIPIENT))
    expect(out).toMatchObject({ status: '0x1', type: '0x1', blockNumber: '0x2', transactionIndex: '0x0', gasUsed: '0x5208' })
    expect(out.logs[0]).toMatchObject({ logIndex: '0x0', removed: false })
  })
})

function toWord(quantity: string): string {
  return '0x' + quantity.slice(2).padStart(64, '0')
}
