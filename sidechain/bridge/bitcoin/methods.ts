// The Bitcoin family's bridge methods (IBtcBridge, peg/bitcoin/IBtcBridge.sol): the method table the precompile
// dispatches to, with what each writes and the extra gas its arguments cost.
import { getBytes } from 'ethers'
import { BRIDGE_GAS } from '../gas-meter.js'
import type { BridgeFamily } from '../family.js'
import { BtcBridgeState } from './state.js'
import * as headers from './headers.js'
import * as pegin from './pegin.js'
import * as pegout from './pegout.js'
import * as batches from './batches.js'
import * as params from './params-view.js'
import * as unclaimed from './unclaimed.js'

const b = (v: unknown): Uint8Array => getBytes(v as string)
const a = (v: unknown): Uint8Array => getBytes(v as string)

export const bitcoinFamily: BridgeFamily<BtcBridgeState> = {
  name: 'bitcoin',
  state: (store, chainId) => new BtcBridgeState(store, chainId),
  methods: {
  receiveBtcHeaders: {
    writes: true,
    handler: async (ctx, [raw]) => [await headers.receiveBtcHeaders(ctx, b(raw))],
    extra: ([raw]) => BigInt(Math.floor(b(raw).length / 80)) * BRIDGE_GAS.header,
  },
  getBtcBestBlock: { writes: false, handler: async (ctx) => headers.getBtcBestBlock(ctx) },
  getBtcConfirmations: { writes: false, handler: async (ctx, [h]) => [await headers.getBtcConfirmations(ctx, b(h))] },
  getBtcBlockHash: { writes: false, handler: async (ctx, [h]) => [await headers.getBtcBlockHash(ctx, h as bigint)] },
  getDepositAddress: { writes: false, handler: async (ctx, [r]) => [await pegin.getDepositAddress(ctx, a(r))] },
  registerDepositAddress: { writes: true, handler: async (ctx, [r]) => (await pegin.registerDepositAddress(ctx, a(r)), []) },
  registerBtcTransaction: {
    writes: true,
    handler: async (ctx, [tx, proof]) => (await pegin.registerBtcTransaction(ctx, b(tx), b(proof)), []),
  },
  registerBtcDeposit: {
    writes: true,
    handler: async (ctx, [tx, proof, r]) => (await pegin.registerBtcDeposit(ctx, b(tx), b(proof), a(r)), []),
  },
  isBtcOutpointRegistered: { writes: false, handler: async (ctx, [t, v]) => [await pegin.isBtcOutpointRegistered(ctx, b(t), v as bigint)] },
  getHeldDeposits: { writes: false, handler: async (ctx, [r]) => [await pegin.getHeldDeposits(ctx, a(r))] },
  refundHeldPayment: {
    writes: true,
    handler: async (ctx, [t, v, tx]) => [await unclaimed.refundHeldPayment(ctx, b(t), v as bigint, b(tx))],
  },
  getHeldPayment: { writes: false, handler: async (ctx, [t, v]) => unclaimed.getHeldPayment(ctx, b(t), v as bigint) },
  pegOut: { writes: true, handler: async (ctx, [addr]) => [await pegout.pegOut(ctx, addr as string)] },
  getPegOut: { writes: false, handler: async (ctx, [id]) => [await pegout.getPegOut(ctx, id as bigint)] },
  estimatePegOutFee: { writes: false, handler: async (ctx) => [await pegout.estimatePegOutFee(ctx)] },
  estimatePegOutFeeFor: { writes: false, handler: async (ctx, [sats, addr]) => [await pegout.estimatePegOutFeeFor(ctx, sats as bigint, addr as string)] },
  flushPegOuts: { writes: true, handler: async (ctx) => [await batches.flushPegOuts(ctx)] },
  getBatch: { writes: false, handler: async (ctx, [id]) => [await batches.getBatch(ctx, id as bigint)] },
  getPendingBatches: { writes: false, handler: async (ctx) => [await batches.getPendingBatches(ctx)] },
  addSignatures: {
    writes: true,
    handler: async (ctx, [id, sigs]) => (await batches.addSignatures(ctx, id as bigint, b(sigs)), []),
    extra: ([, sigs]) => BigInt(Math.ceil(b(sigs).length / 72)) * BRIDGE_GAS.signature,
  },
  reportFeeRate: { writes: true, handler: async (ctx, [rate]) => (await batches.reportFeeRate(ctx, rate as bigint), []) },
  getFeeRate: { writes: false, handler: async (ctx) => [await params.getFeeRate(ctx)] },
  getBridgeParams: { writes: false, handler: async (ctx) => params.getBridgeParams(ctx) },
}
}
