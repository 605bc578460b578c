// The EVM peg's pure rules against independent implementations: the EIP-712 digest and signatures against ethers,
// the derived ids against Solidity's packing as ethers computes it, the vault's logs decoded strictly.
import { AbiCoder, TypedDataEncoder, Wallet, getBytes, hexlify, keccak256, recoverAddress, solidityPackedKeccak256 } from 'ethers'
import { describe, expect, it } from 'vitest'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  DEPOSIT_TOPIC,
  WITHDRAWAL_TYPES,
  decodeDepositLog,
  decodeWithdrawnLog,
  depositId,
  encodeDepositLogData,
  recoverWithdrawalSigner,
  signWithdrawalDigest,
  withdrawalDigest,
  wrappedMetadata,
  wrappedTokenAddress,
  WITHDRAWN_TOPIC,
} from '../../../../peg/evm/index.js'
import { bigIntToBytesBE } from '../../../../spv/base/bytes.js'

const vault = getBytes('0x5fbdb2315678afecb367f032d93f642f64180aa3')
const token = getBytes('0xe7f1725e7734ce288f8367e1bb143e90bb3f0512')
const alice = getBytes('0x70997970c51812dc3a010c7d01b50e0d17dc79c8')
const pad = (a: Uint8Array) => { const t = new Uint8Array(32); t.set(a, 12); return t }
const code = (f: () => unknown) => { try { f(); return 'none' } catch (e) { return (e as { code?: string }).code } }

describe('EVM peg rules', () => {
  const w = { mainChainId: 31337n, vault, sideChainId: 0xca05e0n, id: 7n, token, recipient: alice, amount: 1_500_000n, epoch: 1n }

  it('the withdrawal digest is EIP-712 as ethers computes it, and a signature recovers its signer', async () => {
    const domain = { name: 'Causeway Vault', version: '1', chainId: 31337, verifyingContract: hexlify(vault) }
    const message = { sideChainId: w.sideChainId, id: w.id, token: hexlify(token), recipient: hexlify(alice), amount: w.amount, epoch: 1n }
    const types = { Withdrawal: WITHDRAWAL_TYPES.Withdrawal.map((f) => ({ ...f })) }
    expect(hexlify(withdrawalDigest(w))).toBe(TypedDataEncoder.hash(domain, types, message))
    const wallet = Wallet.createRandom()
    const sig = signWithdrawalDigest(withdrawalDigest(w), getBytes(wallet.privateKey))
    expect(sig[64] === 27 || sig[64] === 28).toBe(true)
    expect(hexlify(sig)).toBe(await wallet.signTypedData(domain, types, message))
    expect(hexlify(recoverWithdrawalSigner(withdrawalDigest(w), sig))).toBe(wallet.address.toLowerCase())
    expect(recoverAddress(withdrawalDigest(w), hexlify(sig)).toLowerCase()).toBe(wallet.address.toLowerCase())
  })

  it('refuses a high-s twin, a bad v and a short signature', () => {
    const key = secp256k1.utils.randomSecretKey()
    const digest = withdrawalDigest(w)
    const sig = signWithdrawalDigest(digest, key)
    const n = secp256k1.Point.CURVE().n
    const s = BigInt(hexlify(sig.subarray(32, 64)))
    const twin = new Uint8Array(sig)
    twin.set(bigIntToBytesBE(n - s, 32), 32)
    twin[64] = sig[64] === 27 ? 28 : 27
    expect(code(() => recoverWithdrawalSigner(digest, twin))).toBe('EVM_PEG_SIGNATURE_HIGH_S')
    const badV = new Uint8Array(sig); badV[64] = 0
    expect(code(() => recoverWithdrawalSigner(digest, badV))).toBe('EVM_PEG_SIGNATURE_MALFORMED')
    expect(code(() => recoverWithdrawalSigner(digest, sig.subarray(0, 64)))).toBe('EVM_PEG_SIGNATURE_MALFORMED')
    expect(code(() => withdrawalDigest({ ...w, amount: 0n }))).toBe('EVM_PEG_AMOUNT_INVALID')
  })

  it('derives the deposit id and the wrapped token address as Solidity packs them', () => {
    const blockHash = getBytes(keccak256('0x01'))
    const expected = keccak256(AbiCoder.defaultAbiCoder().encode(['uint256', 'address', 'bytes32', 'uint256', 'uint256'], [31337n, hexlify(vault), hexlify(blockHash), 3n, 1n]))
    expect(hexlify(depositId(31337n, vault, blockHash, 3, 1))).toBe(expected)
    const addr = solidityPackedKeccak256(['string', 'uint256', 'address'], ['causeway.wrapped-token.v1', 31337n, hexlify(token)])
    expect(hexlify(wrappedTokenAddress(31337n, token))).toBe(`0x${addr.slice(26)}`)
    expect(hexlify(wrappedTokenAddress(31337n, token))).not.toBe(hexlify(wrappedTokenAddress(1n, token)))
  })

  it('decodes the vault\'s Deposit and Withdrawn logs and refuses look-alikes', () => {
    const data = encodeDepositLogData({ recipient: alice, amount: 10n ** 18n, name: 'Test', symbol: 'TST', decimals: 6 })
    const log = { address: vault, topics: [DEPOSIT_TOPIC, bigIntToBytesBE(5n, 32), pad(token), pad(alice)], data }
    const d = decodeDepositLog(log, vault)
    expect(d).toMatchObject({ nonce: 5n, amount: 10n ** 18n, name: 'Test', symbol: 'TST', decimals: 6 })
    expect(hexlify(d.recipient)).toBe(hexlify(alice))
    expect(code(() => decodeDepositLog({ ...log, address: token }, vault))).toBe('EVM_PEG_NOT_DEPOSIT')
    expect(code(() => decodeDepositLog({ ...log, topics: [WITHDRAWN_TOPIC, ...log.topics.slice(1)] }, vault))).toBe('EVM_PEG_NOT_DEPOSIT')
    expect(code(() => decodeDepositLog({ ...log, topics: log.topics.slice(0, 3) }, vault))).toBe('EVM_PEG_NOT_DEPOSIT')
    expect(code(() => decodeDepositLog({ ...log, data: data.subarray(0, 100) }, vault))).toBe('EVM_PEG_LOG_MALFORMED')
    const dirty = new Uint8Array(32).fill(1)
    expect(code(() => decodeDepositLog({ ...log, topics: [DEPOSIT_TOPIC, log.topics[1]!, dirty, pad(alice)] }, vault))).toBe('EVM_PEG_NOT_DEPOSIT')
    const out = decodeWithdrawnLog({ address: vault, topics: [WITHDRAWN_TOPIC, bigIntToBytesBE(9n, 32), pad(token), pad(alice)], data: bigIntToBytesBE(77n, 32) }, vault)
    expect(out.id).toBe(9n)
    expect(out.amount).toBe(77n)
  })

  it('names wrapped tokens recognisably and cleans what a token answered', () => {
    expect(wrappedMetadata(new Uint8Array(20), 'Ether', 'ETH', 18)).toEqual({ name: 'Causeway Ether', symbol: 'cwETH', decimals: 18 })
    expect(wrappedMetadata(token, 'USD Coin', 'USDC', 6)).toEqual({ name: 'Causeway USD Coin', symbol: 'cwUSDC', decimals: 6 })
    const m = wrappedMetadata(token, '\u0000\u202e', '', 0)
    expect(m.name).toBe(`Causeway ${hexlify(token)}`)
    expect(m.symbol.startsWith('cw0x')).toBe(true)
    expect(new TextEncoder().encode(wrappedMetadata(token, 'x'.repeat(500), 'y'.repeat(500), 24).name).length).toBeLessThanOrEqual(64)
  })
})
