// EVM peg-in (ARCHITECTURE.md decision 9, PROTOCOL.md "Deposit id"): anyone registers the vault's Deposit log with
// its receipt proof against an accepted header; the bridge derives the deposit id from the accepted header's hash
// and the indices it verified (never from the proof's bytes), accepts it once — and each vault nonce once, so the
// same deposit re-included in another block after a main-chain reorg is not minted twice — creates the wrapped
// token on its first deposit, mints it to the recipient and adds the amount to the token's locked reserve.
import { fail } from '../../../spv/base/errors.js'
import { checkAddress, checkAmount, decodeDepositLog, depositId, wrappedMetadata, wrappedTokenAddress } from '../../../peg/evm/index.js'
import { emit, requireNoValue, requireWritable } from '../context.js'
import { evmChains, type EvmContext } from './context.js'
import { proveReceiptLog } from './receipt-log.js'
import { createWrappedToken, mintWrapped } from './wrapped-token.js'

export async function registerEvmDeposit(
  ctx: EvmContext,
  chainId: bigint,
  rlpHeader: Uint8Array,
  txIndex: bigint,
  proof: readonly Uint8Array[],
  logIndex: bigint,
): Promise<Uint8Array> {
  requireWritable(ctx)
  requireNoValue(ctx)
  const proven = await proveReceiptLog(ctx, chainId, rlpHeader, txIndex, proof, logIndex)
  const deposit = decodeDepositLog(proven.log, proven.chain.vault)
  checkAmount(deposit.amount)
  checkAddress(deposit.recipient, 'recipient')
  const id = depositId(chainId, proven.chain.vault, proven.blockHash, proven.txIndex, proven.logIndex)
  const s = ctx.state
  if (await s.isDepositRegistered(id)) fail('BRIDGE_EVM_DEPOSIT_REPLAYED', 'this deposit was already minted')
  if (await s.isVaultNonceUsed(chainId, deposit.nonce)) fail('BRIDGE_EVM_DEPOSIT_REPLAYED', `the vault's deposit #${deposit.nonce} was already minted (from another block)`)
  await s.markDeposit(id)
  await s.markVaultNonce(chainId, deposit.nonce)
  const wrapped = wrappedTokenAddress(chainId, deposit.token)
  if ((await s.token(wrapped)) === undefined) {
    const meta = wrappedMetadata(deposit.token, deposit.name, deposit.symbol, deposit.decimals)
    await createWrappedToken(ctx, wrapped, chainId, deposit.token, meta)
    await s.addToken(wrapped, { mainChainId: chainId, mainToken: deposit.token, decimals: meta.decimals })
    emit(ctx, 'WrappedTokenCreated', [chainId, deposit.token, wrapped, meta.name, meta.symbol, meta.decimals])
  }
  await mintWrapped(ctx, wrapped, deposit.recipient, deposit.amount)
  const r = await s.reserves(wrapped)
  await s.setReserves(wrapped, { ...r, locked: r.locked + deposit.amount })
  emit(ctx, 'EvmDepositMinted', [id, chainId, deposit.recipient, wrapped, deposit.amount, deposit.nonce])
  return id
}

export async function isEvmDepositRegistered(ctx: EvmContext, id: Uint8Array): Promise<boolean> {
  evmChains(ctx)
  return ctx.state.isDepositRegistered(id)
}
