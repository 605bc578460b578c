// The EVM commands' arguments (cli/evm/args.ts) and the pure reserve check of the audit (cli/evm/audit.ts).
import { describe, expect, it } from 'vitest'
import { parseAddress, parseDepositAsset, parseMainTxHash, parseRecipient, parseStatusTarget, parseWithdrawalId, ZERO_ADDRESS } from '../../../cli/evm/args.js'
import { evmFindings, type WrappedReserve } from '../../../cli/evm/audit.js'
import { codeOf } from '../../helpers/expect.js'

const HASH = `0x${'ab'.repeat(32)}`
const ADDR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describe('arguments', () => {
  it('transaction hashes: 64 hex digits, 0x optional, lower-cased', () => {
    expect(parseMainTxHash(HASH.toUpperCase().replace('0X', '0x'))).toBe(HASH)
    expect(parseMainTxHash('ab'.repeat(32))).toBe(HASH)
    expect(codeOf(() => parseMainTxHash('0x1234'))).toBe('CLI_BAD_TX_HASH')
    expect(codeOf(() => parseMainTxHash(`0x${'zz'.repeat(32)}`))).toBe('CLI_BAD_TX_HASH')
  })

  it('withdrawal ids: positive whole numbers', () => {
    expect(parseWithdrawalId('7')).toBe(7n)
    for (const bad of ['0', '-1', '1.5', 'x', '']) expect(codeOf(() => parseWithdrawalId(bad))).toBe('CLI_BAD_WITHDRAWAL_ID')
  })

  it('addresses: checksummed; a wrong mixed-case checksum and short ones refused; the zero recipient refused', () => {
    expect(parseAddress(ADDR.toLowerCase(), 'x')).toBe(ADDR)
    expect(codeOf(() => parseAddress(ADDR.replace('C51812dc', 'c51812dc'), 'x'))).toBe('CLI_BAD_ADDRESS')
    expect(codeOf(() => parseAddress('0x1234', 'x'))).toBe('CLI_BAD_ADDRESS')
    expect(codeOf(() => parseRecipient(ZERO_ADDRESS, 'the recipient'))).toBe('CLI_ZERO_RECIPIENT')
    expect(parseRecipient(ADDR, 'the recipient')).toBe(ADDR)
  })

  it('deposit assets: eth (any case) or a token address, never the zero address', () => {
    expect(parseDepositAsset('ETH')).toEqual({ kind: 'eth' })
    expect(parseDepositAsset(ADDR)).toEqual({ kind: 'token', address: ADDR })
    expect(codeOf(() => parseDepositAsset(ZERO_ADDRESS))).toBe('CLI_BAD_TOKEN')
    expect(codeOf(() => parseDepositAsset('btc'))).toBe('CLI_BAD_TOKEN')
  })

  it('status targets: a hash is a transaction, a number a withdrawal, 20 bytes an address', () => {
    expect(parseStatusTarget(HASH)).toEqual({ kind: 'tx', hash: HASH })
    expect(parseStatusTarget('12')).toEqual({ kind: 'withdrawal', id: 12n })
    expect(parseStatusTarget(ADDR)).toEqual({ kind: 'address', address: ADDR })
    expect(codeOf(() => parseStatusTarget('0xabc'))).toBe('CLI_BAD_STATUS_TARGET')
    expect(codeOf(() => parseStatusTarget('0'))).toBe('CLI_BAD_WITHDRAWAL_ID')
  })
})

describe('evmFindings', () => {
  const row = (o: Partial<WrappedReserve>): WrappedReserve => ({ wrappedToken: ADDR, mainToken: ZERO_ADDRESS, symbol: 'cwETH', decimals: 18, locked: 10n, supply: 7n, pending: 3n, vaultBalance: 10n, paidUnproven: 0n, ...o })
  it('balanced books and a vault holding at least supply + pending: no finding', () => {
    expect(evmFindings([row({}), row({ vaultBalance: 11n })])).toEqual([])
  })
  it('a vault short of supply + pending is AUDIT_EVM_VAULT_SHORT; locked ≠ supply + pending is AUDIT_EVM_LOCKED', () => {
    expect(evmFindings([row({ vaultBalance: 9n })]).map((f) => f.code)).toEqual(['AUDIT_EVM_VAULT_SHORT'])
    expect(evmFindings([row({ locked: 11n, vaultBalance: 11n })]).map((f) => f.code)).toEqual(['AUDIT_EVM_LOCKED'])
  })
  it('a payout the vault made and the bridge has not yet seen proven is not a shortfall, but only that much', () => {
    expect(evmFindings([row({ vaultBalance: 8n, paidUnproven: 2n })])).toEqual([])
    expect(evmFindings([row({ vaultBalance: 7n, paidUnproven: 2n })]).map((f) => f.code)).toEqual(['AUDIT_EVM_VAULT_SHORT'])
  })
})
