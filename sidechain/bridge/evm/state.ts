// The EVM family's state in the bridge's account storage: attested headers and who attests them, the list of
// accepted heights, minted deposits, wrapped tokens and their reserves, withdrawals and their signatures. Keys:
// layout.ts; encodings: records.ts. Accessors only: the rules are in headers.ts, deposits.ts, withdrawals.ts.
import { bigIntToBytesBE, bytesToBigIntBE } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { BridgeState } from '../state.js'
import { evmLayout, type EvmCounterName } from './layout.js'
import {
  decodeHashes,
  decodeHeader,
  decodeLink,
  decodeReserves,
  decodeToken,
  decodeWithdrawal,
  encodeHashes,
  encodeHeader,
  encodeLink,
  encodeReserves,
  encodeToken,
  encodeWithdrawal,
  type StoredEvmHeader,
  type StoredReserves,
  type StoredWithdrawal,
  type StoredWrappedToken,
} from './records.js'

const ONE = Uint8Array.of(1)

export class EvmBridgeState extends BridgeState {
  // ---- headers ----
  async header(chain: bigint, hash: Uint8Array): Promise<StoredEvmHeader | undefined> {
    const b = await this.store.get(evmLayout.header(chain, hash))
    return b === undefined ? undefined : decodeHeader(b)
  }

  async setHeader(chain: bigint, hash: Uint8Array, h: StoredEvmHeader): Promise<void> {
    await this.store.put(evmLayout.header(chain, hash), encodeHeader(h))
  }

  async attestation(chain: bigint, number: bigint, member: number): Promise<Uint8Array | undefined> {
    return this.store.get(evmLayout.attestation(chain, number, member))
  }

  async setAttestation(chain: bigint, number: bigint, member: number, hash: Uint8Array): Promise<void> {
    await this.store.put(evmLayout.attestation(chain, number, member), hash)
  }

  /** The hashes with at least one attestation at `number`, in the order they got their first. */
  async hashesAt(chain: bigint, number: bigint): Promise<Uint8Array[]> {
    const b = await this.store.get(evmLayout.height(chain, number))
    return b === undefined ? [] : decodeHashes(b)
  }

  async setHashesAt(chain: bigint, number: bigint, hashes: readonly Uint8Array[]): Promise<void> {
    if (hashes.length === 0) await this.store.del(evmLayout.height(chain, number))
    else await this.store.put(evmLayout.height(chain, number), encodeHashes(hashes))
  }

  // ---- the list of accepted heights (doubly linked, greatest first from `best`) ----
  async bestNumber(chain: bigint): Promise<bigint> {
    const b = await this.store.get(evmLayout.best(chain))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setBestNumber(chain: bigint, number: bigint): Promise<void> {
    if (number === 0n) await this.store.del(evmLayout.best(chain))
    else await this.store.put(evmLayout.best(chain), bigIntToBytesBE(number, 8))
  }

  async link(chain: bigint, number: bigint): Promise<{ prev: bigint; next: bigint } | undefined> {
    const b = await this.store.get(evmLayout.acceptedLink(chain, number))
    return b === undefined ? undefined : decodeLink(b)
  }

  async setLink(chain: bigint, number: bigint, link: { prev: bigint; next: bigint } | undefined): Promise<void> {
    if (link === undefined) await this.store.del(evmLayout.acceptedLink(chain, number))
    else await this.store.put(evmLayout.acceptedLink(chain, number), encodeLink(link.prev, link.next))
  }

  // ---- deposits ----
  async isDepositRegistered(id: Uint8Array): Promise<boolean> {
    return (await this.store.get(evmLayout.deposit(id))) !== undefined
  }

  async markDeposit(id: Uint8Array): Promise<void> {
    await this.store.put(evmLayout.deposit(id), ONE)
  }

  async isVaultNonceUsed(chain: bigint, nonce: bigint): Promise<boolean> {
    return (await this.store.get(evmLayout.vaultNonce(chain, nonce))) !== undefined
  }

  async markVaultNonce(chain: bigint, nonce: bigint): Promise<void> {
    await this.store.put(evmLayout.vaultNonce(chain, nonce), ONE)
  }

  // ---- wrapped tokens ----
  async token(wrapped: Uint8Array): Promise<StoredWrappedToken | undefined> {
    const b = await this.store.get(evmLayout.token(wrapped))
    return b === undefined ? undefined : decodeToken(b)
  }

  async addToken(wrapped: Uint8Array, t: Omit<StoredWrappedToken, 'index'>): Promise<StoredWrappedToken> {
    const index = await this.evmCounter('tokens')
    const stored = { ...t, index }
    await this.store.put(evmLayout.token(wrapped), encodeToken(stored))
    await this.store.put(evmLayout.tokenAt(index), wrapped)
    await this.setEvmCounter('tokens', index + 1n)
    return stored
  }

  async tokenAt(index: bigint): Promise<Uint8Array> {
    const b = await this.store.get(evmLayout.tokenAt(index))
    if (b === undefined || b.length !== 20) fail('BRIDGE_STORE_CORRUPT', `wrapped token #${index} is missing`)
    return b
  }

  async reserves(wrapped: Uint8Array): Promise<StoredReserves> {
    const b = await this.store.get(evmLayout.reserves(wrapped))
    return b === undefined ? { locked: 0n, pending: 0n } : decodeReserves(b)
  }

  async setReserves(wrapped: Uint8Array, r: StoredReserves): Promise<void> {
    if (r.locked < 0n || r.pending < 0n) fail('BRIDGE_INVARIANT', 'EVM reserves would go negative')
    await this.store.put(evmLayout.reserves(wrapped), encodeReserves(r))
  }

  // ---- withdrawals ----
  async withdrawal(id: bigint): Promise<StoredWithdrawal | undefined> {
    const b = await this.store.get(evmLayout.withdrawal(id))
    return b === undefined ? undefined : decodeWithdrawal(b)
  }

  async setWithdrawal(id: bigint, w: StoredWithdrawal): Promise<void> {
    await this.store.put(evmLayout.withdrawal(id), encodeWithdrawal(w))
  }

  async signature(id: bigint, member: number): Promise<Uint8Array | undefined> {
    return this.store.get(evmLayout.signature(id, member))
  }

  async setSignature(id: bigint, member: number, signature: Uint8Array): Promise<void> {
    await this.store.put(evmLayout.signature(id, member), signature)
  }

  // ---- counters ----
  async evmCounter(name: EvmCounterName): Promise<bigint> {
    const b = await this.store.get(evmLayout.counter(name))
    return b === undefined ? 0n : bytesToBigIntBE(b)
  }

  async setEvmCounter(name: EvmCounterName, value: bigint): Promise<void> {
    await this.store.put(evmLayout.counter(name), bigIntToBytesBE(value, 32))
  }
}
