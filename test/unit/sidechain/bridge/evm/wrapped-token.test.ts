// What wrapped-token.ts writes is what WrappedToken's own views read (its storage layout, from solc, in
// WrappedToken.artifact.ts): short and long string encodings of name and symbol, decimals and mainToken packed in
// one slot, mainChainId; the account has nonce 1 and the template's runtime. And the EVM family's keys stay under 'e'.
import { Address } from '@ethereumjs/util'
import { getBytes, hexlify } from 'ethers'
import { bridge } from '../../../../helpers/bridge-vm.js'
import { BRIDGE_ADDRESS } from '../../../../../sidechain/chain/params.js'
import { describe, expect, it } from 'vitest'
import { storageLayout } from '../../../../../peg/evm/contracts/WrappedToken.artifact.js'
import { wrappedTokenAddress } from '../../../../../peg/evm/index.js'
import { TOKEN_SLOTS, WRAPPED_TOKEN_RUNTIME, stringSlots } from '../../../../../sidechain/bridge/evm/wrapped-token.js'
import { evmLayout, EVM_PREFIXES } from '../../../../../sidechain/bridge/evm/layout.js'
import { BTC_PREFIXES } from '../../../../../sidechain/bridge/bitcoin/layout.js'
import { CORE_PREFIXES } from '../../../../../sidechain/bridge/layout.js'
import { MAIN_CHAIN_ID, depositLog, filler, mainBlock, openEvmWorld, receipt, wrappedToken } from '../../../../helpers/evm-bridge-world.js'

const bob = new Uint8Array(20).fill(0xb0)

describe('wrapped token storage', () => {
  it('the slots come from solc\'s layout of the template', () => {
    const at = (label: string) => storageLayout.find((e) => e.label === label)!
    expect(TOKEN_SLOTS.balances.slot).toBe(BigInt(at('_balances').slot))
    expect(TOKEN_SLOTS.totalSupply.slot).toBe(BigInt(at('_totalSupply').slot))
    expect(TOKEN_SLOTS.name.slot).toBe(BigInt(at('_name').slot))
    expect(TOKEN_SLOTS.symbol.slot).toBe(BigInt(at('_symbol').slot))
    expect(TOKEN_SLOTS.decimals).toEqual({ slot: BigInt(at('_decimals').slot), offset: at('_decimals').offset })
    expect(stringSlots(3n, 'x'.repeat(31))).toHaveLength(1)
    expect(stringSlots(3n, 'x'.repeat(32))).toHaveLength(2)
    expect(stringSlots(3n, 'x'.repeat(65))).toHaveLength(4)
  })

  // What the vault's Deposit log carries for such tokens (test/integration/peg/evm-vault.test.ts checks the vault
  // side): a bytes32 name/symbol arrives as its string, a token without metadata as "" / "" / 18.
  for (const [label, name, symbol, decimals] of [
    ['short strings', 'Dai', 'DAI', 8],
    ['long strings (over 31 bytes)', 'A token whose name is well over thirty-one bytes', 'LONGSYMBOLOFTWENTYEIGHTBYTES', 8],
    ['an empty name (the address stands in)', '', '', 8],
    ['a token without metadata (no name, no symbol, decimals 18)', '', '', 18],
    ['a bytes32-metadata token (MKR-style), as the vault decodes it', 'Maker', 'MKR', 18],
    ['0 decimals', 'Zero Decimals', 'ZERO', 0],
    ['24 decimals', 'Yocto Token', 'YOCTO', 24],
  ] as const) {
    it(`the contract's own views read back what the bridge wrote: ${label}`, async () => {
      const w = await openEvmWorld()
      const token = new Uint8Array(20).fill(0x0e)
      const b = await mainBlock(7n, [...filler(3), receipt(2, [depositLog({ nonce: 1n, token, recipient: bob, amount: 123n, name, symbol, decimals })])])
      await w.attest(b)
      const r = await w.vm.call(bob, 'registerEvmDeposit', [MAIN_CHAIN_ID, b.rlp, 3n, await b.proof(3), 0n])
      expect(r.code).toBeUndefined()
      const wrapped = wrappedTokenAddress(MAIN_CHAIN_ID, token)
      const created = r.logs.find((l) => l.name === 'WrappedTokenCreated')!.args
      expect((await w.tokenCall(bob, wrapped, 'name')).result).toBe(created.name)
      expect((await w.tokenCall(bob, wrapped, 'symbol')).result).toBe(created.symbol)
      expect(created.name).toBe(name === '' ? `Causeway ${hexlify(token)}` : `Causeway ${name}`)
      expect((await w.tokenCall(bob, wrapped, 'decimals')).result).toBe(BigInt(decimals))
      expect((await w.tokenCall(bob, wrapped, 'mainChainId')).result).toBe(MAIN_CHAIN_ID)
      expect((await w.tokenCall(bob, wrapped, 'mainToken')).result.toLowerCase()).toBe(hexlify(token))
      expect((await w.tokenCall(bob, wrapped, 'totalSupply')).result).toBe(123n)
      expect((await w.tokenCall(bob, wrapped, 'balanceOf', [hexlify(bob)])).result).toBe(123n)
      const account = await w.vm.vm.stateManager.getAccount(new Address(wrapped))
      expect(account!.nonce).toBe(1n)
      expect(await w.vm.vm.stateManager.getCode(new Address(wrapped))).toEqual(WRAPPED_TOKEN_RUNTIME)
      expect(r.logs.map((l) => l.name)).toEqual(['WrappedTokenCreated', '?', 'EvmDepositMinted'])
      // The token's Transfer log is the token's own (its address), from the zero address: what mint() would emit.
      const b2 = await mainBlock(8n, [...filler(3), receipt(2, [depositLog({ nonce: 2n, token, recipient: bob, amount: 5n, name, symbol, decimals })])])
      await w.attest(b2)
      const raw = await w.vm.vm.evm.runCall({
        caller: new Address(bob),
        to: new Address(BRIDGE_ADDRESS),
        data: getBytes(bridge.encodeFunctionData('registerEvmDeposit', [MAIN_CHAIN_ID, b2.rlp, 3n, await b2.proof(3), 0n])),
        gasLimit: 5_000_000n,
      })
      expect(raw.execResult.exceptionError).toBeUndefined()
      const [address, topics, data] = raw.execResult.logs![0]!
      const parsed = wrappedToken.parseLog({ topics: topics.map((t) => hexlify(t)), data: hexlify(data) })!
      expect(hexlify(address)).toBe(hexlify(wrapped))
      expect(parsed.name).toBe('Transfer')
      expect([parsed.args[0], parsed.args[1].toLowerCase(), parsed.args[2]]).toEqual(['0x' + '00'.repeat(20), hexlify(bob), 5n])
    })
  }

  it('every EVM-family key starts with "e", a byte neither the core nor the Bitcoin family uses', () => {
    const h = new Uint8Array(32)
    const a = new Uint8Array(20)
    const keys = [
      evmLayout.header(1n, h), evmLayout.attestation(1n, 2n, 0), evmLayout.height(1n, 2n), evmLayout.acceptedLink(1n, 2n),
      evmLayout.best(1n), evmLayout.deposit(h), evmLayout.vaultNonce(1n, 1n), evmLayout.token(a), evmLayout.reserves(a),
      evmLayout.tokenAt(0n), evmLayout.withdrawal(1n), evmLayout.signature(1n, 0), evmLayout.counter('wid'),
    ]
    for (const k of keys) expect(String.fromCharCode(k[0]!)).toBe('e')
    expect(new Set(keys.map((k) => Buffer.from(k.subarray(0, 2)).toString())).size).toBe(keys.length) // each structure its own second byte
    for (const p of EVM_PREFIXES) expect([...CORE_PREFIXES, ...BTC_PREFIXES] as string[]).not.toContain(p)
  })
})
