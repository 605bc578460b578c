// `causeway audit`: reserves against supply (ARCHITECTURE.md decision 1). The native coin that exists (every balance
// in the state, causeway_nativeSupply) must be exactly the bridge's Σ minted − Σ burned, and the reserves must cover
// it plus pending peg-outs; the bridge's events are replayed, the node's supply ledger compared, and every federation
// UTXO checked unspent, with the right value and script, on the Bitcoin node; the EVM peg's wrapped tokens against
// the vault's balances on the main chain (cli/evm/audit.ts). Lists every pending item; exits 1 (AUDIT_MISMATCH) on any mismatch.
import type { Command } from 'commander'
import { utxoScriptPubKey } from '../peg/bitcoin/index.js'
import { bytesToHex, hashToDisplayHex } from '../spv/base/bytes.js'
import type { BitcoinRpcClient } from '../federation/bitcoin/rpc-client.js'
import type { Federation, FederationUtxo } from '../peg/bitcoin/index.js'
import { connectBitcoin, openSession, resolveEndpoints, withEndpointOptions, type EndpointFlags } from './connect.js'
import { bridgeLogs, federationView, reserves } from './bridge-view.js'
import { auditFindings, replayBridgeEvents, type Finding } from './audit-ledger.js'
import { EXIT_INVALID, type Io } from './output.js'
import { lines, runReport } from './report.js'
import { formatBtc } from './values.js'
import { auditEvm, evmAuditReport } from './evm/audit.js'
import type { MainChainFlags } from './evm/main-chain.js'

/** One UTXO against the node: unspent (on the chain, not counting the mempool), right value, right script. */
async function checkUtxo(btc: BitcoinRpcClient, fed: Federation, chainId: bigint, u: FederationUtxo, spentBy?: string): Promise<Finding | undefined> {
  const txid = hashToDisplayHex(u.txid)
  const out = await btc.getTxOut(txid, u.vout, false)
  if (out === null) {
    // An input of a batch in flight may already be spent by that batch's transaction.
    if (spentBy !== undefined) {
      const inMempool = (await btc.getMempoolEntry(spentBy)) !== null
      const inBlock = inMempool ? null : await btc.getTransactionBlockHash(spentBy).catch(() => null)
      if (inMempool || inBlock !== null) return undefined
    }
    return { code: 'AUDIT_UTXO_MISSING', message: `federation UTXO ${txid}:${u.vout} (${u.valueSats} sats) is spent or unknown on the Bitcoin node` }
  }
  if (out.valueSats !== u.valueSats) return { code: 'AUDIT_UTXO_VALUE', message: `federation UTXO ${txid}:${u.vout}: the bridge says ${u.valueSats} sats, the Bitcoin node ${out.valueSats}` }
  if (bytesToHex(out.scriptPubKey) !== bytesToHex(utxoScriptPubKey(fed, chainId, u.recipient))) {
    return { code: 'AUDIT_UTXO_SCRIPT', message: `federation UTXO ${txid}:${u.vout} does not pay the federation script the bridge expects` }
  }
  return undefined
}

export function registerAudit(program: Command, io: Io, exit: (code: number) => void): void {
  withEndpointOptions(
    program
      .command('audit')
      .description('Reserves against supply: every federation UTXO checked on the Bitcoin node, every wrapped EVM token against the vault; exit 1 on any mismatch')
      .option('--main-rpc <url>', "main-chain JSON-RPC URL for the EVM peg's vault (overrides the world file's evm section)"),
  ).action(
    async (_o: unknown, cmd: Command) =>
      runReport(io, exit, cmd, async (flags, progress) => {
        const endpoints = await resolveEndpoints(flags as EndpointFlags, { bitcoin: true })
        const btc = await connectBitcoin(endpoints.bitcoin)
        const s = await openSession(endpoints)
        try {
          progress('reading the bridge\'s events…')
          // The coin that exists and the bridge's counters, read at one block so a block landing between cannot skew them.
          const at = await s.provider.getBlockNumber()
          const [events, res, fedView, supply, native] = await Promise.all([
            bridgeLogs(s),
            reserves(s, at),
            federationView(s),
            s.provider.send('causeway_supply', []) as Promise<{ peggedWei: string }>,
            (s.provider.send('causeway_nativeSupply', [`0x${at.toString(16)}`]) as Promise<{ wei: string; accounts: number }>).catch(() => undefined),
          ])
          const nativeSupplyWei = native === undefined ? undefined : BigInt(native.wei)
          let nodeBalanced: boolean | undefined
          try {
            nodeBalanced = ((await s.provider.send('causeway_audit', [])) as { balanced: boolean }).balanced
          } catch {
            nodeBalanced = undefined // a node that does not serve causeway_audit
          }
          const ledger = replayBridgeEvents(events)
          progress(`checking ${ledger.spendable.length} federation UTXO(s) and ${ledger.inFlight.length} batch(es) in flight on the Bitcoin node ${btc.url}…`)
          const utxoFindings: Finding[] = []
          for (const u of ledger.spendable) {
            const f = await checkUtxo(btc, fedView.fed, s.chainId, u)
            if (f !== undefined) utxoFindings.push(f)
          }
          for (const b of ledger.inFlight) {
            for (const u of b.inputs) {
              const f = await checkUtxo(btc, fedView.fed, s.chainId, u, hashToDisplayHex(b.txid))
              if (f !== undefined) utxoFindings.push(f)
            }
          }
          let heldSats = 0n
          const held: ({ sats: string } & ({ recipient: string } | { payment: string }))[] = []
          for (const r of ledger.refusedRecipients) {
            const sats = await s.read.getHeldDeposits([r as `0x${string}`])
            heldSats += sats
            if (sats > 0n) held.push({ recipient: r, sats: sats.toString() })
          }
          // Payments without a memo held for their owners: each as the events say, checked against the bridge.
          for (const h of ledger.heldPayments) {
            const [sats] = await s.read.getHeldPayment([`0x${bytesToHex(h.txid)}`, h.vout])
            if (sats !== h.valueSats) {
              utxoFindings.push({ code: 'AUDIT_HELD_PAYMENT', message: `payment ${hashToDisplayHex(h.txid)}:${h.vout}: its PegInHeld event says ${h.valueSats} sats held, the bridge holds ${sats}` })
            }
            heldSats += h.valueSats
            held.push({ payment: `${hashToDisplayHex(h.txid)}:${h.vout}`, sats: h.valueSats.toString() })
          }
          const { report, findings } = auditFindings({ ledger, reserves: res, nodePeggedWei: BigInt(supply.peggedWei), nativeSupplyWei, nodeBalanced, heldSats, utxoFindings })
          // The EVM peg's wrapped tokens (cli/evm/audit.ts): skipped, and said so, without an evm chain or main RPC.
          const evmAudit = await auditEvm(s, flags as MainChainFlags)
          if (evmAudit.ran) {
            progress(`checked ${evmAudit.rows.length} wrapped token(s) against the vault ${evmAudit.vault} on main chain ${evmAudit.mainChainId}`)
            findings.push(...evmAudit.findings)
          } else progress(`EVM peg not audited: ${evmAudit.reason}`)
          const evmPart = evmAuditReport(evmAudit)
          const ok = findings.length === 0
          const pendingRequests = ledger.pendingRequests.map((q) => ({ id: q.id.toString(), valueSats: q.valueSats.toString(), batchId: q.batchId === null ? null : q.batchId.toString() }))
          const inFlight = ledger.inFlight.map((b) => ({ batchId: b.batchId.toString(), txid: hashToDisplayHex(b.txid), inputs: b.inputs.length, requests: b.requestCount }))
          const json = {
            ok,
            ...(ok ? {} : { code: 'AUDIT_MISMATCH' }),
            findings,
            reserves: {
              federationSats: res.federationSats.toString(),
              nativeSupplyWei: res.nativeSupplyWei.toString(),
              pendingPegOutSats: res.pendingPegOutSats.toString(),
              requiredSats: report.requiredSats.toString(),
              surplusSats: report.surplusSats.toString(),
              heldSats: heldSats.toString(),
            },
            supply: {
              block: at,
              nativeWei: nativeSupplyWei?.toString() ?? null,
              mintedMinusBurnedWei: res.nativeSupplyWei.toString(),
              unbackedWei: nativeSupplyWei === undefined ? null : (nativeSupplyWei - res.nativeSupplyWei).toString(),
              accounts: native?.accounts ?? null,
            },
            node: { peggedWei: supply.peggedWei, balanced: nodeBalanced ?? null },
            utxos: ledger.spendable.map((u) => ({ txid: hashToDisplayHex(u.txid), vout: u.vout, valueSats: u.valueSats.toString(), deposit: u.recipient !== null })),
            pending: { requests: pendingRequests, batches: inFlight, held },
            paymentsWithoutMemo: { held: ledger.heldPayments.length, refunded: ledger.refundedPayments },
            evm: evmPart.json,
          }
          const text = [
            lines([
              ['federation holds', `${formatBtc(res.federationSats)} BTC in ${ledger.spendable.length} UTXO(s) + ${ledger.inFlight.reduce((n, b) => n + b.inputs.length, 0)} being spent`],
              ['native supply', `${nativeSupplyWei === undefined ? 'unknown' : `${nativeSupplyWei} wei`} in ${native?.accounts ?? '?'} account(s) at block ${at}`],
              ['minted − burned', `${res.nativeSupplyWei} wei (${formatBtc(res.nativeSupplyWei / 10n ** 10n)} BTC)${nativeSupplyWei === res.nativeSupplyWei ? ', exactly the supply' : ''}`],
              ['pending peg-outs', `${formatBtc(res.pendingPegOutSats)} BTC in ${pendingRequests.length} request(s)`],
              ['held (deposits, payments)', `${formatBtc(heldSats)} BTC`],
              ['payments without memo', `${ledger.refundedPayments} refunded on Bitcoin, ${ledger.heldPayments.length} held for their owners`],
              ['surplus', `${formatBtc(report.surplusSats)} BTC`],
            ]),
            ...pendingRequests.map((q) => `  pending request ${q.id}: ${formatBtc(BigInt(q.valueSats))} BTC${q.batchId === null ? ', queued' : `, batch ${q.batchId}`}`),
            ...inFlight.map((b) => `  batch ${b.batchId} in flight: Bitcoin tx ${b.txid}`),
            ...held.map((h) => ('recipient' in h ? `  held for ${h.recipient}: ` : `  held payment ${h.payment}: `) + `${formatBtc(BigInt(h.sats))} BTC`),
            ...evmPart.text,
            ok ? 'audit: OK, reserves cover the supply and every UTXO is on the Bitcoin node' : `audit: ${findings.length} MISMATCH(ES)`,
            ...findings.map((f) => `  ${f.code}: ${f.message}`),
          ].join('\n')
          if (!ok) progress(`error: the audit found ${findings.length} mismatch(es) [AUDIT_MISMATCH]`)
          return { json, text, exitCode: ok ? 0 : EXIT_INVALID }
        } finally {
          s.close()
        }
      }),
  )
}
