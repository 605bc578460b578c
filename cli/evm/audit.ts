// The EVM part of `causeway audit` (peg/evm/PROTOCOL.md "Reserves"): for every wrapped token, the bridge's books
// balance (locked = supply + pending) and the vault really holds the backing on the main chain (its ETH balance,
// or the main token's balanceOf(vault), ≥ supply + pending − paid, `paid` being what the vault already paid out
// for withdrawals the bridge has not yet seen proven). Runs only when the bridge serves a main chain and a
// main-chain node is known; otherwise it says why it was skipped. The comparison itself is pure (evmFindings).
import { erc20Abi } from 'viem'
import { abi as vaultAbi } from '../../peg/evm/contracts/Vault.artifact.js'
import type { Finding } from '../audit-ledger.js'
import { bridgeLogs } from '../bridge-view.js'
import type { Session } from '../connect.js'
import { evmBridgeReaderAt } from '../../client/evm-bridge.js'
import { bridgeEvmChains, connectMainChain, mainRpcUrl, pickChain, type MainChainFlags } from './main-chain.js'
import { ZERO_ADDRESS, type Address } from './args.js'
import { formatTokenAmount } from './amount.js'

export interface WrappedReserve {
  readonly wrappedToken: Address
  readonly mainToken: Address
  readonly symbol: string
  readonly decimals: number
  readonly locked: bigint
  readonly supply: bigint
  readonly pending: bigint
  /** What the vault holds of the main token on the main chain. */
  readonly vaultBalance: bigint
  /** Pending withdrawals the vault has already paid (its `used(id)`), not yet proven to the bridge. */
  readonly paidUnproven: bigint
}

/** Every mismatch of the EVM reserves (pure). */
export function evmFindings(rows: readonly WrappedReserve[]): Finding[] {
  const out: Finding[] = []
  for (const r of rows) {
    const owed = r.supply + r.pending
    const name = `${r.symbol} (${r.wrappedToken})`
    if (r.locked !== owed) {
      out.push({ code: 'AUDIT_EVM_LOCKED', message: `${name}: the bridge's locked ${formatTokenAmount(r.locked, r.decimals)} ≠ supply ${formatTokenAmount(r.supply, r.decimals)} + pending ${formatTokenAmount(r.pending, r.decimals)}` })
    }
    if (r.vaultBalance < owed - r.paidUnproven) {
      const paid = r.paidUnproven === 0n ? '' : ` − already paid ${formatTokenAmount(r.paidUnproven, r.decimals)}`
      out.push({ code: 'AUDIT_EVM_VAULT_SHORT', message: `${name}: the vault holds ${formatTokenAmount(r.vaultBalance, r.decimals)} on the main chain, less than supply + pending${paid} = ${formatTokenAmount(owed - r.paidUnproven, r.decimals)}` })
    }
  }
  return out
}

export type EvmAudit =
  | { readonly ran: false; readonly reason: string }
  | { readonly ran: true; readonly mainChainId: bigint; readonly vault: Address; readonly rows: readonly WrappedReserve[]; readonly findings: readonly Finding[] }

/** Reads the bridge's wrapped tokens and the vault's balances; skipped (with the reason) without an evm chain or main RPC. */
export async function auditEvm(s: Session, flags: MainChainFlags): Promise<EvmAudit> {
  const evm = evmBridgeReaderAt(s.endpoints.rpcUrl)
  const chains = await bridgeEvmChains(evm)
  if (chains.length === 0) return { ran: false, reason: 'the bridge serves no EVM main chain' }
  const url = mainRpcUrl(flags, s.endpoints.world)
  if (url === undefined) return { ran: false, reason: 'no main-chain node known (give --main-rpc, or a world.json with an evm section)' }
  const m = await connectMainChain(url)
  const chain = pickChain(chains, m.chainId)
  const created = await bridgeLogs(s, { event: 'WrappedTokenCreated' })
  // Withdrawals still pending on the bridge whose id the vault has used: paid on the main chain, proof not yet in.
  const [requested, proven] = await Promise.all([bridgeLogs(s, { event: 'EvmWithdrawalRequested' }), bridgeLogs(s, { event: 'EvmWithdrawalPaid' })])
  const closed = new Set(proven.map((p) => (p.args.id as bigint).toString()))
  const paidUnproven = new Map<string, bigint>()
  for (const r of requested) {
    const id = r.args.id as bigint
    if (closed.has(id.toString()) || (r.args.mainChainId as bigint) !== chain.chainId) continue
    const used = await m.client.readContract({ address: chain.vault, abi: vaultAbi, functionName: 'used', args: [id] })
    if (!used) continue
    const key = (r.args.wrappedToken as string).toLowerCase()
    paidUnproven.set(key, (paidUnproven.get(key) ?? 0n) + (r.args.amount as bigint))
  }
  const rows: WrappedReserve[] = []
  for (const c of created) {
    if ((c.args.mainChainId as bigint) !== chain.chainId) continue
    const wrappedToken = c.args.wrappedToken as Address
    const mainToken = c.args.mainToken as Address
    const [[locked, supply, pending], vaultBalance] = await Promise.all([
      evm.getEvmReserves([wrappedToken]),
      mainToken.toLowerCase() === ZERO_ADDRESS
        ? m.client.getBalance({ address: chain.vault })
        : m.client.readContract({ address: mainToken, abi: erc20Abi, functionName: 'balanceOf', args: [chain.vault] }),
    ])
    rows.push({ wrappedToken, mainToken, symbol: String(c.args.symbol), decimals: Number(c.args.decimals), locked, supply, pending, vaultBalance, paidUnproven: paidUnproven.get(wrappedToken.toLowerCase()) ?? 0n })
  }
  return { ran: true, mainChainId: chain.chainId, vault: chain.vault, rows, findings: evmFindings(rows) }
}

/** The audit's JSON and text lines for the EVM part. */
export function evmAuditReport(a: EvmAudit): { json: unknown; text: string[] } {
  if (!a.ran) return { json: { ran: false, skipped: a.reason }, text: [`EVM peg: not audited (${a.reason})`] }
  return {
    json: {
      ran: true,
      mainChainId: a.mainChainId.toString(),
      vault: a.vault,
      tokens: a.rows.map((r) => ({ wrappedToken: r.wrappedToken, mainToken: r.mainToken, symbol: r.symbol, decimals: r.decimals, locked: r.locked.toString(), supply: r.supply.toString(), pending: r.pending.toString(), vaultBalance: r.vaultBalance.toString(), paidUnproven: r.paidUnproven.toString() })),
      findings: a.findings,
    },
    text: [
      `EVM peg: vault ${a.vault} on chain ${a.mainChainId}, ${a.rows.length} wrapped token(s)`,
      ...a.rows.map((r) => `  ${r.symbol}: vault holds ${formatTokenAmount(r.vaultBalance, r.decimals)}, supply ${formatTokenAmount(r.supply, r.decimals)} + pending ${formatTokenAmount(r.pending, r.decimals)}, locked ${formatTokenAmount(r.locked, r.decimals)}`),
    ],
  }
}
