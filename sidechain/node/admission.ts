// Admission of raw transactions into the node's pool — from RPC (then forwarded to the federation's other nodes),
// from peers, and from the mempool journal on start — with the journal kept in step with what the pool holds.
import type { EventEmitter } from 'node:events'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import { CausewayError, fail } from '../../spv/base/errors.js'
import type { ChainStore } from '../chain/chain-store.js'
import { TX_DECODE_PARAMS, type ChainParams } from '../chain/params.js'
import { keccak256 } from '../exec/crypto.js'
import { dutyGasBound } from '../exec/duty.js'
import type { Mempool } from '../mempool/mempool.js'
import type { BlockPipeline } from './block-pipeline.js'

/** The node's parts admission works with. */
export interface AdmissionParts {
  readonly params: ChainParams
  readonly common: Common
  readonly chain: ChainStore
  readonly mempool: Mempool
  /**
   * State at the head for admission checks, apart from the producer's state: admission runs outside the
   * producer's lock, and a read racing a state-root switch could otherwise leave a stale account in the
   * producer's cache. The pipeline moves it on every commit.
   */
  readonly headState: MerkleStateManager
  /** Whose `blockWorkDone` admissions wait on when `yields` (NodeOptions.admissionYields). */
  readonly pipeline: BlockPipeline
  readonly yields: boolean
  /** Gets a 'pending' event (the hash) for every admitted transaction. */
  readonly events: EventEmitter
  readonly isDuty: (tx: TypedTransaction) => boolean
}

export class Admission {
  private readonly chainId: bigint
  private forwarder: ((raw: Uint8Array) => void) | undefined
  private closed = false

  constructor(private readonly p: AdmissionParts) {
    this.chainId = p.params.chainId
  }

  /** Refuses every admission from now on (NODE_CLOSED): the node is shutting down. */
  close(): void {
    this.closed = true
  }

  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    const hash = await this.admit(raw, 'rpc')
    this.forwarder?.(raw)
    return hash
  }

  /** Where transactions submitted over RPC are sent on (the federation's other nodes). */
  setForwarder(forward: (raw: Uint8Array) => void): void {
    this.forwarder = forward
  }

  /** A transaction forwarded by a peer: admitted and journaled, not forwarded again. */
  admitFromPeer(raw: Uint8Array): Promise<Uint8Array> {
    return this.admit(raw, 'peer')
  }

  /** Admits the journal's transactions again (on opening); drops from it those no longer admissible. */
  async reloadJournal(): Promise<void> {
    const dropped: Uint8Array[] = []
    for await (const raw of this.p.chain.journal()) {
      try {
        await this.admit(raw, 'journal')
      } catch {
        // No longer admissible (already final, replaced, or the sender cannot pay): drop it from the journal.
        try {
          dropped.push(createTxFromRLP(raw, { common: this.p.common }).hash())
        } catch {
          // An entry that does not even decode cannot be named by hash; it stays inert.
        }
      }
    }
    await this.p.chain.journalDelete(dropped)
  }

  /** Decodes and admits a raw transaction; journals it unless it comes from the journal itself. */
  private async admit(raw: Uint8Array, source: 'rpc' | 'peer' | 'journal'): Promise<Uint8Array> {
    const { params, mempool, chain } = this.p
    const journal = source !== 'journal'
    if (this.closed) fail('NODE_CLOSED', 'the node is shutting down')
    if (source !== 'journal' && this.p.yields) await this.p.pipeline.blockWorkDone()
    // EIP-4844 blob transactions (type 3) cannot even be decoded without a KZG setup; say what is wrong plainly.
    if (raw[0] === 0x03) fail('MEMPOOL_UNSUPPORTED_TYPE', 'blob transactions are not supported on this chain')
    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: this.p.common, params: TX_DECODE_PARAMS, freeze: false })
    } catch (e) {
      const msg = (e as Error).message
      if (/chain ?id/i.test(msg)) throw new CausewayError('MEMPOOL_WRONG_CHAIN', `invalid chain id: this chain is ${this.chainId}`, { cause: e })
      if (/signature|s-value|v value|invalid sender/i.test(msg)) throw new CausewayError('MEMPOOL_BAD_SIGNATURE', 'invalid sender: bad signature', { cause: e })
      throw new CausewayError('MEMPOOL_MALFORMED', `invalid transaction: ${msg.split('\n')[0]!.slice(0, 200)}`, { cause: e })
    }
    if (!tx.isSigned()) fail('MEMPOOL_BAD_SIGNATURE', 'invalid sender: transaction is not signed')
    let sender: Uint8Array
    try {
      sender = pinSender(tx).bytes
    } catch (e) {
      throw new CausewayError('MEMPOOL_BAD_SIGNATURE', 'invalid sender: the signature does not recover', { cause: e })
    }
    const account = await this.p.headState.getAccount(new Address(sender))
    // The lifetime runs on admission too, not only on blocks (a pool of queued transactions builds none).
    const expired = mempool.expire(Date.now())
    if (expired.length > 0) await chain.journalDelete(expired.map((e) => e.hash))
    const { entry, replaced, evicted } = mempool.add(tx, raw, {
      chainId: this.chainId,
      blockGasLimit: params.gasLimit,
      minGasPrice: params.minBaseFee,
      account: { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n },
      ...(this.p.isDuty(tx) ? { dutyGasBound: dutyGasBound(params) } : {}),
      now: Date.now(),
    })
    // Evicted to make room: gone from the journal too, so a restart does not bring them back.
    const gone = [...evicted.map((e) => e.hash), ...(replaced === undefined ? [] : [replaced.hash])]
    if (journal) await chain.journalPut(entry.hash, raw)
    if (gone.length > 0) await chain.journalDelete(gone)
    this.p.events.emit('pending', entry.hash)
    return entry.hash
  }
}

/**
 * Recovers the sender once and makes `tx` (decoded unfrozen) answer with that address from then on, then freezes
 * it as ethereumjs would have (its hash is cached only on frozen transactions). ethereumjs caches the recovered
 * public key but derives the address from it — a Keccak in JavaScript — on every getSenderAddress call, several
 * times per transaction between admission, block selection and runTx.
 */
function pinSender(tx: TypedTransaction): Address {
  // The address is hashed from the public key with the native Keccak: ethereumjs's pubToAddress hashes it in
  // JavaScript (noble), a few percent of a validator's CPU under load.
  const sender = new Address(keccak256(tx.getSenderPublicKey()).slice(12))
  Object.defineProperty(tx, 'getSenderAddress', { value: () => sender })
  Object.freeze(tx)
  return sender
}
