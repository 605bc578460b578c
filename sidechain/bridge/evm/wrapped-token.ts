// Wrapped tokens (PROTOCOL.md "Wrapped tokens", family.ts "Minting and burning"): the template's runtime placed at
// the derived address on the first deposit of a main token, its fields written as the contract's own storage, and
// mint/burn done by writing its `_balances` and `_totalSupply` slots and emitting its own Transfer log — what the
// contract's `mint`/`burn` called by the bridge would leave. Slots come from the template's storage layout
// (WrappedToken.artifact.ts, solc's), never from numbers written here. Each slot read or written is charged to the
// call's gas meter at the bridge's slot prices.
import { Account, Address } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bigIntToBytesBE, bytesToBigIntBE, concatBytes, hexToBytes } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { deployedBytecode, storageLayout } from '../../../peg/evm/contracts/WrappedToken.artifact.js'
import type { WrappedMetadata } from '../../../peg/evm/wrapped-metadata.js'
import { BRIDGE_GAS } from '../gas-meter.js'
import type { EvmContext } from './context.js'

export const WRAPPED_TOKEN_RUNTIME: Uint8Array = hexToBytes(deployedBytecode, 'WrappedToken runtime')

/** keccak256("Transfer(address,address,uint256)"), ERC-20's event. */
export const TRANSFER_TOPIC: Uint8Array = keccak_256(new TextEncoder().encode('Transfer(address,address,uint256)'))

const TWO_256 = 1n << 256n

/** Where a field of the template lives: its slot and byte offset (from the low end, as solc counts). */
export interface FieldSlot {
  readonly slot: bigint
  readonly offset: number
}

/** A field of the template's storage by its Solidity name; refuses a layout without it (a template change). */
export function fieldSlot(label: string): FieldSlot {
  const entry = storageLayout.find((e) => e.label === label)
  if (entry === undefined) throw new Error(`WrappedToken's storage layout has no field ${label}`)
  return { slot: BigInt(entry.slot), offset: entry.offset }
}

export const TOKEN_SLOTS = Object.freeze({
  balances: fieldSlot('_balances'),
  totalSupply: fieldSlot('_totalSupply'),
  name: fieldSlot('_name'),
  symbol: fieldSlot('_symbol'),
  mainChainId: fieldSlot('mainChainId'),
  mainToken: fieldSlot('mainToken'),
  decimals: fieldSlot('_decimals'),
})

const word = (v: bigint): Uint8Array => bigIntToBytesBE(v % TWO_256, 32)
const pad32 = (v: Uint8Array): Uint8Array => (v.length === 32 ? v : concatBytes(new Uint8Array(32 - v.length), v))

/** The slot of `mapping(address => …)` at `base` for `key` (Solidity: keccak256(pad(key) ‖ base)). */
export function mappingSlot(base: bigint, key: Uint8Array): bigint {
  return bytesToBigIntBE(keccak_256(concatBytes(pad32(key), word(base))))
}

/** The slots a Solidity `string` at `slot` occupies for `s`: short (≤ 31 bytes) inline, long at keccak256(slot). */
export function stringSlots(slot: bigint, s: string): [bigint, Uint8Array][] {
  const bytes = new TextEncoder().encode(s)
  if (bytes.length <= 31) {
    const v = new Uint8Array(32)
    v.set(bytes)
    v[31] = bytes.length * 2
    return [[slot, v]]
  }
  const out: [bigint, Uint8Array][] = [[slot, word(BigInt(bytes.length * 2 + 1))]]
  const data = bytesToBigIntBE(keccak_256(word(slot)))
  for (let i = 0; i * 32 < bytes.length; i++) {
    const v = new Uint8Array(32)
    v.set(bytes.subarray(i * 32, i * 32 + 32))
    out.push([data + BigInt(i), v])
  }
  return out
}

/** Raw storage of a token account, each slot paid for through the call's meter. */
class TokenStorage {
  private readonly address: Address
  constructor(
    private readonly ctx: EvmContext,
    token: Uint8Array,
  ) {
    this.address = new Address(token)
  }

  async read(slot: bigint): Promise<Uint8Array> {
    const meter = this.ctx.state.store.meter
    meter.charge(BRIDGE_GAS.slotRead)
    meter.reads++
    return pad32(await this.ctx.stateManager.getStorage(this.address, word(slot)))
  }

  async write(slot: bigint, value: Uint8Array): Promise<void> {
    const meter = this.ctx.state.store.meter
    meter.charge(BRIDGE_GAS.slotWrite)
    meter.writes++
    await this.ctx.stateManager.putStorage(this.address, word(slot), value)
  }
}

/**
 * Places the template at `token` and writes its fields. The account gets nonce 1, what a CREATE leaves under
 * EIP-161, so it is never "empty" (nonce 0, no balance, no code) at any point and EIP-161 never deletes it.
 */
export async function createWrappedToken(ctx: EvmContext, token: Uint8Array, mainChainId: bigint, mainToken: Uint8Array, meta: WrappedMetadata): Promise<void> {
  const address = new Address(token)
  const existing = await ctx.stateManager.getAccount(address)
  // Code at a derived address (keccak preimage) cannot come from CREATE/CREATE2 short of a hash collision, but an
  // account there may hold coin someone sent; it keeps its balance.
  if (existing !== undefined && existing.nonce !== 0n) fail('BRIDGE_EVM_TOKEN_ADDRESS_TAKEN', 'the wrapped token\'s address is already an account with a nonce')
  const account = existing ?? new Account()
  account.nonce = 1n
  await ctx.stateManager.putAccount(address, account)
  await ctx.stateManager.putCode(address, WRAPPED_TOKEN_RUNTIME)
  const store = new TokenStorage(ctx, token)
  for (const [slot, v] of stringSlots(TOKEN_SLOTS.name.slot, meta.name)) await store.write(slot, v)
  for (const [slot, v] of stringSlots(TOKEN_SLOTS.symbol.slot, meta.symbol)) await store.write(slot, v)
  // Packed fields share a slot (solc packs from the low end: offset counts bytes from the right).
  const packed = new Map<bigint, Uint8Array>()
  const put = (f: FieldSlot, bytes: Uint8Array) => {
    const v = packed.get(f.slot) ?? new Uint8Array(32)
    v.set(bytes, 32 - f.offset - bytes.length)
    packed.set(f.slot, v)
  }
  put(TOKEN_SLOTS.mainChainId, word(mainChainId))
  put(TOKEN_SLOTS.mainToken, mainToken)
  put(TOKEN_SLOTS.decimals, Uint8Array.of(meta.decimals))
  for (const [slot, v] of packed) await store.write(slot, v)
}

function transferLog(ctx: EvmContext, token: Uint8Array, from: Uint8Array, to: Uint8Array, amount: bigint): void {
  ctx.logs.push([token, [TRANSFER_TOPIC, pad32(from), pad32(to)], word(amount)])
}

/** The token's total supply, read from its own slot. */
export async function totalSupply(ctx: EvmContext, token: Uint8Array): Promise<bigint> {
  return bytesToBigIntBE(await new TokenStorage(ctx, token).read(TOKEN_SLOTS.totalSupply.slot))
}

const ZERO_ADDRESS = new Uint8Array(20)

/** What `mint(to, amount)` by the bridge does: balance and supply up, Transfer(0, to, amount). */
export async function mintWrapped(ctx: EvmContext, token: Uint8Array, to: Uint8Array, amount: bigint): Promise<void> {
  const store = new TokenStorage(ctx, token)
  const supply = bytesToBigIntBE(await store.read(TOKEN_SLOTS.totalSupply.slot))
  if (supply + amount >= TWO_256) fail('BRIDGE_EVM_SUPPLY_OVERFLOW', 'the wrapped token\'s total supply would pass 2^256 − 1')
  const balanceSlot = mappingSlot(TOKEN_SLOTS.balances.slot, to)
  const balance = bytesToBigIntBE(await store.read(balanceSlot))
  await store.write(TOKEN_SLOTS.totalSupply.slot, word(supply + amount))
  await store.write(balanceSlot, word(balance + amount))
  transferLog(ctx, token, ZERO_ADDRESS, to, amount)
}

/** What `burn(from, amount)` by the bridge does; refuses more than the balance (BRIDGE_EVM_INSUFFICIENT_BALANCE). */
export async function burnWrapped(ctx: EvmContext, token: Uint8Array, from: Uint8Array, amount: bigint): Promise<void> {
  const store = new TokenStorage(ctx, token)
  const balanceSlot = mappingSlot(TOKEN_SLOTS.balances.slot, from)
  const balance = bytesToBigIntBE(await store.read(balanceSlot))
  if (balance < amount) fail('BRIDGE_EVM_INSUFFICIENT_BALANCE', `the caller holds ${balance} of this token, less than ${amount}`)
  const supply = bytesToBigIntBE(await store.read(TOKEN_SLOTS.totalSupply.slot))
  if (supply < amount) fail('BRIDGE_INVARIANT', 'a wrapped token\'s supply is below a holder\'s balance')
  await store.write(balanceSlot, word(balance - amount))
  await store.write(TOKEN_SLOTS.totalSupply.slot, word(supply - amount))
  transferLog(ctx, token, from, ZERO_ADDRESS, amount)
}
