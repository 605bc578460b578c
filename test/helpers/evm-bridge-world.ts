// A side chain whose bridge serves one EVM main chain, for unit tests of the bridge's EVM wing: a 3-of-4
// federation whose private keys the test holds (so it calls as members and signs withdrawals), real-format main-chain
// headers and receipts built with spv/evm (several receipt types in one block so proofs have depth), and calls to
// a wrapped token as a contract through the EVM.
import { createBlock } from '@ethereumjs/block'
import { Address } from '@ethereumjs/util'
import * as ecc from 'tiny-secp256k1'
import { Interface, getBytes, hexlify } from 'ethers'
import { bytesToHex, bigIntToBytesBE } from '../../spv/base/bytes.js'
import { regtest } from '../../spv/bitcoin/networks.js'
import { encodeEvmHeader, evmHeaderHash, type EvmHeader } from '../../spv/evm/header.js'
import type { Receipt, ReceiptLog } from '../../spv/evm/receipt.js'
import { createReceiptProof, receiptsRoot } from '../../spv/evm/receipt-proof.js'
import { DEPOSIT_TOPIC, WITHDRAWN_TOPIC, encodeDepositLogData } from '../../peg/evm/vault-events.js'
import { abi as wrappedAbi } from '../../peg/evm/contracts/WrappedToken.artifact.js'
import { evmAddressOfKey, parseBridgeConfig, type BridgeConfig } from '../../sidechain/bridge/config.js'
import { openBridgeVm, type BridgeCallResult, type BridgeVm } from './bridge-vm.js'

export const SIDE_CHAIN_ID = 0xca05e7n
export const MAIN_CHAIN_ID = 31337n
export const VAULT = new Uint8Array(20).fill(0x5a)
export const memberKeys = [1, 2, 3, 4].map((i) => new Uint8Array(32).fill(0x20 + i))
export const memberAddresses = memberKeys.map((k) => evmAddressOfKey(ecc.pointFromScalar(k, true)!))
export const wrappedToken = new Interface(wrappedAbi as never)

export function evmConfig(withEvm = true, threshold = 3, vault: Uint8Array = VAULT): BridgeConfig {
  return parseBridgeConfig(
    {
      federation: { pubkeys: memberKeys.map((k) => bytesToHex(ecc.pointFromScalar(k, true)!)), threshold },
      bitcoin: { network: 'regtest', bech32: 'rb', checkpoint: { height: 0, header: regtest.genesisHeader, chainWork: 2 } },
      ...(withEvm ? { evm: { chains: [{ chainId: Number(MAIN_CHAIN_ID), vault: bytesToHex(vault) }] } } : {}),
    },
    SIDE_CHAIN_ID,
  )
}

const word = (n: bigint) => bigIntToBytesBE(n, 32)
const topicAddr = (a: Uint8Array) => {
  const t = new Uint8Array(32)
  t.set(a, 12)
  return t
}

export interface DepositSpec {
  nonce: bigint
  token?: Uint8Array
  sender?: Uint8Array
  recipient: Uint8Array
  amount: bigint
  name?: string
  symbol?: string
  decimals?: number
  emitter?: Uint8Array
}

export function depositLog(d: DepositSpec): ReceiptLog {
  return {
    address: d.emitter ?? VAULT,
    topics: [DEPOSIT_TOPIC, word(d.nonce), topicAddr(d.token ?? new Uint8Array(20)), topicAddr(d.sender ?? new Uint8Array(20).fill(0x99))],
    data: encodeDepositLogData({ recipient: d.recipient, amount: d.amount, name: d.name ?? '', symbol: d.symbol ?? '', decimals: d.decimals ?? 18 }),
  }
}

export function withdrawnLog(id: bigint, token: Uint8Array, recipient: Uint8Array, amount: bigint, emitter = VAULT): ReceiptLog {
  return { address: emitter, topics: [WITHDRAWN_TOPIC, word(id), topicAddr(token), topicAddr(recipient)], data: word(amount) }
}

const otherLog: ReceiptLog = { address: new Uint8Array(20).fill(0x33), topics: [new Uint8Array(32).fill(1)], data: Uint8Array.of(1, 2, 3) }

/** A receipt of `type` with `logs`; `status` 1 unless said. */
export function receipt(type: number, logs: readonly ReceiptLog[], status: 0 | 1 = 1, gas = 21_000n): Receipt {
  return { type, status, cumulativeGasUsed: gas, logsBloom: new Uint8Array(256), logs }
}

/** Filler receipts of every type 0–4, so a block's trie has branches and proofs have depth. */
export function filler(count: number): Receipt[] {
  return Array.from({ length: count }, (_, i) => receipt(i % 5, i % 2 === 0 ? [otherLog] : [], 1, 21_000n * BigInt(i + 1)))
}

export interface MainBlock {
  readonly header: EvmHeader
  readonly rlp: Uint8Array
  readonly hash: Uint8Array
  readonly receipts: readonly Receipt[]
  proof(index: number): Promise<Uint8Array[]>
}

export async function mainBlock(number: bigint, receipts: readonly Receipt[], salt = 0): Promise<MainBlock> {
  const header: EvmHeader = {
    parentHash: new Uint8Array(32).fill(0x11 + salt),
    sha3Uncles: new Uint8Array(32).fill(0x1d),
    miner: new Uint8Array(20).fill(0xcb),
    stateRoot: new Uint8Array(32).fill(0x22),
    transactionsRoot: new Uint8Array(32).fill(0x33),
    receiptsRoot: await receiptsRoot(receipts),
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number,
    gasLimit: 30_000_000n,
    gasUsed: 21_000n * BigInt(receipts.length),
    timestamp: 1_700_000_000n + number * 12n,
    extraData: Uint8Array.of(salt),
    mixHash: new Uint8Array(32).fill(0x44),
    nonce: new Uint8Array(8),
    baseFeePerGas: 7n,
  }
  const rlp = encodeEvmHeader(header)
  return { header, rlp, hash: evmHeaderHash(header), receipts, proof: (i) => createReceiptProof(receipts, i) }
}

export interface EvmWorld {
  readonly vm: BridgeVm
  readonly cfg: BridgeConfig
  attest(block: MainBlock, members?: readonly number[]): Promise<BridgeCallResult[]>
  tokenCall(from: Uint8Array, token: Uint8Array, method: string, args?: readonly unknown[]): Promise<{ ok: boolean; result: any; error?: string }>
  /** locked = supply + pending for `token`, read through the bridge. */
  reserves(token: Uint8Array): Promise<{ locked: bigint; supply: bigint; pending: bigint }>
}

export async function openEvmWorld(cfg: BridgeConfig = evmConfig()): Promise<EvmWorld> {
  const vm = await openBridgeVm(cfg)
  const common = vm.vm.common
  const self: EvmWorld = {
    vm,
    cfg,
    async attest(block, members = [0, 1, 2]) {
      const out: BridgeCallResult[] = []
      for (const m of members) out.push(await vm.call(memberAddresses[m]!, 'attestEvmHeader', [MAIN_CHAIN_ID, block.rlp]))
      return out
    },
    async tokenCall(from, token, method, args = []) {
      const block = createBlock({ header: { number: vm.blockNumber, timestamp: vm.timestamp, gasLimit: 30_000_000n } }, { common, setHardfork: false })
      const r = await vm.vm.evm.runCall({
        caller: new Address(from),
        to: new Address(token),
        data: getBytes(wrappedToken.encodeFunctionData(method, args)),
        gasLimit: 5_000_000n,
        block,
      })
      const e = r.execResult
      if (e.exceptionError !== undefined) {
        const parsed = e.returnValue.length >= 4 ? wrappedToken.parseError(hexlify(e.returnValue)) : null
        return { ok: false, result: undefined, error: parsed?.name ?? e.exceptionError.error }
      }
      const decoded = wrappedToken.decodeFunctionResult(method, e.returnValue)
      return { ok: true, result: decoded.length === 1 ? decoded[0] : decoded }
    },
    async reserves(token) {
      const r = await vm.call(new Uint8Array(20).fill(0x01), 'getEvmReserves', [token])
      if (!r.ok) throw new Error(`getEvmReserves: ${r.code}`)
      return { locked: r.result[0] as bigint, supply: r.result[1] as bigint, pending: r.result[2] as bigint }
    },
  }
  return self
}
