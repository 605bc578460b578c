// The EVM family's bridge methods (IEvmBridge, peg/evm/IEvmBridge.sol): the method table the precompile dispatches
// to, with what each writes and the extra gas its arguments cost — headers and proofs are hashed, signatures
// recovered, and that work is paid before it is done (ARCHITECTURE.md decision 11).
import { getBytes } from 'ethers'
import { BRIDGE_GAS } from '../gas-meter.js'
import type { BridgeFamily } from '../family.js'
import { EvmBridgeState } from './state.js'
import * as headers from './headers.js'
import * as deposits from './deposits.js'
import * as withdrawals from './withdrawals.js'
import * as reserves from './reserves.js'

const b = (v: unknown): Uint8Array => getBytes(v as string)
const list = (v: unknown): Uint8Array[] => Array.from(v as ArrayLike<string>, (x) => getBytes(x))

/** Gas of the EVM family's work beyond slots and argument bytes. */
export const EVM_BRIDGE_GAS = Object.freeze({
  /** Per byte of a receipt proof: keccak of every node, the trie walk, the receipt's decoding. */
  proofByte: 24n,
  /** Per proof node (a hash, a node decode, a look-up). */
  proofNode: 2_000n,
  /** Per byte of a header's RLP (decoded and hashed). */
  headerByte: 6n,
})

const headerGas = (rlp: unknown) => BRIDGE_GAS.header + BigInt(b(rlp).length) * EVM_BRIDGE_GAS.headerByte
function proofGas(proof: unknown): bigint {
  const nodes = list(proof)
  let bytes = 0n
  for (const n of nodes) bytes += BigInt(n.length)
  return BigInt(nodes.length) * EVM_BRIDGE_GAS.proofNode + bytes * EVM_BRIDGE_GAS.proofByte
}

export const evmFamily: BridgeFamily<EvmBridgeState> = {
  name: 'evm',
  state: (store, chainId) => new EvmBridgeState(store, chainId),
  methods: {
    attestEvmHeader: {
      writes: true,
      handler: async (ctx, [chain, rlp]) => (await headers.attestEvmHeader(ctx, chain as bigint, b(rlp)), []),
      extra: ([, rlp]) => headerGas(rlp),
    },
    getEvmHeader: { writes: false, handler: async (ctx, [chain, hash]) => headers.getEvmHeader(ctx, chain as bigint, b(hash)) },
    getEvmBestBlock: { writes: false, handler: async (ctx, [chain]) => headers.getEvmBestBlock(ctx, chain as bigint) },
    registerEvmDeposit: {
      writes: true,
      handler: async (ctx, [chain, rlp, tx, proof, log]) => [await deposits.registerEvmDeposit(ctx, chain as bigint, b(rlp), tx as bigint, list(proof), log as bigint)],
      extra: ([, rlp, , proof]) => headerGas(rlp) + proofGas(proof),
    },
    isEvmDepositRegistered: { writes: false, handler: async (ctx, [id]) => [await deposits.isEvmDepositRegistered(ctx, b(id))] },
    getWrappedToken: { writes: false, handler: async (ctx, [chain, token]) => reserves.getWrappedToken(ctx, chain as bigint, b(token)) },
    getWrappedTokens: { writes: false, handler: async (ctx, [start, count]) => reserves.getWrappedTokens(ctx, start as bigint, count as bigint) },
    pegOutToken: {
      writes: true,
      handler: async (ctx, [token, amount, to]) => [await withdrawals.pegOutToken(ctx, b(token), amount as bigint, b(to))],
    },
    getEvmWithdrawal: { writes: false, handler: async (ctx, [id]) => withdrawals.getEvmWithdrawal(ctx, id as bigint) },
    getEvmWithdrawalSignatures: { writes: false, handler: async (ctx, [id]) => withdrawals.getEvmWithdrawalSignatures(ctx, id as bigint) },
    addEvmWithdrawalSignature: {
      writes: true,
      handler: async (ctx, [id, sig]) => (await withdrawals.addEvmWithdrawalSignature(ctx, id as bigint, b(sig)), []),
      extra: () => BRIDGE_GAS.signature,
    },
    registerEvmWithdrawal: {
      writes: true,
      handler: async (ctx, [chain, rlp, tx, proof, log]) => (await withdrawals.registerEvmWithdrawal(ctx, chain as bigint, b(rlp), tx as bigint, list(proof), log as bigint), []),
      extra: ([, rlp, , proof]) => headerGas(rlp) + proofGas(proof),
    },
    getEvmReserves: { writes: false, handler: async (ctx, [token]) => reserves.getEvmReserves(ctx, b(token)) },
    getEvmChains: { writes: false, handler: async (ctx) => reserves.getEvmChains(ctx) },
  },
}
