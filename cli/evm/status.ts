// `causeway evm status <main-tx-hash | withdrawal-id | address>`: where a deposit is (confirmations on the main
// chain, its header attested n/k and accepted, minted), where a withdrawal is (burned, signed n/k, paid and the
// vault's transaction), or what an address holds (every wrapped token's balance, its withdrawals not yet paid).
import type { Command } from 'commander'
import { parseAbiItem } from 'viem'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { CausewayError } from '../../spv/base/errors.js'
import { proveEvmDeposit } from '../../client/evm.js'
import { bridgeLogs } from '../bridge-view.js'
import { lines, runReport } from '../report.js'
import type { Io } from '../output.js'
import { parseStatusTarget, type Address, type Hex } from './args.js'
import { formatTokenAmount } from './amount.js'
import { balanceOf, federationThreshold, mainOf, openEvmSession, tokenInfo, withdrawalStatusName, wrappedTokens, WITHDRAWAL_STATUS, type EvmFlags, type EvmSession } from './session.js'
import { withEvmOptions } from './options.js'

const WITHDRAWN = parseAbiItem('event Withdrawn(uint256 indexed id, address indexed token, address indexed recipient, uint256 amount)')

/** A deposit transaction on the main chain, every vault Deposit log in it. */
export async function depositStatus(e: EvmSession, hash: Hex) {
  const m = mainOf(e)
  const proofs = await proveEvmDeposit(m.client, hash, { mainChainId: e.chain.chainId, vault: hexToBytes(e.chain.vault, 'vault', 20) })
  const [head, k] = await Promise.all([m.client.getBlockNumber(), federationThreshold(e.evm)])
  const blockHash = toHex(proofs[0]!.blockHash)
  const header = await e.evm.getEvmHeader([e.chain.chainId, blockHash])
  const deposits = await Promise.all(
    proofs.map(async (p) => {
      const id = toHex(p.depositId)
      const token = toHex(p.deposit.token) as Address
      const [minted, [wrapped]] = await Promise.all([e.evm.isEvmDepositRegistered([id]), e.evm.getWrappedToken([e.chain.chainId, token])])
      // Symbol and decimals as the vault read them into the Deposit log (PROTOCOL.md): what the wrapped token gets.
      return { depositId: id, nonce: p.deposit.nonce.toString(), token, symbol: p.deposit.symbol, decimals: p.deposit.decimals, amount: p.deposit.amount.toString(), recipient: toHex(p.deposit.recipient), wrappedToken: wrapped, minted }
    }),
  )
  const mainBlock = proofs[0]!.blockNumber
  // The block itself is the first confirmation, as on Bitcoin.
  const confirmations = Number(head - mainBlock + 1n)
  const json = {
    kind: 'deposit',
    mainTx: hash,
    mainBlock: Number(mainBlock),
    mainBlockHash: blockHash,
    confirmations,
    header: { attestations: Number(header.attestations), threshold: k, accepted: header.accepted },
    minted: deposits.every((d) => d.minted),
    deposits,
  }
  const stage = json.minted ? 'minted' : header.accepted ? 'accepted, waiting for a relay (or: causeway evm register)' : 'waiting for the signers to attest the block'
  const text = [
    lines([
      ['main transaction', `${hash} (block ${json.mainBlock})`],
      ['confirmations', `${confirmations} on the main chain`],
      ['header attested', `${json.header.attestations}/${k}${header.accepted ? ', accepted' : ''}`],
      ['stage', stage],
    ]),
    ...deposits.map((d) => `  deposit ${d.nonce}: ${formatTokenAmount(BigInt(d.amount), d.decimals)} ${d.symbol} to ${d.recipient}, ${d.minted ? 'minted' : 'not minted yet'} as ${d.wrappedToken}`),
  ].join('\n')
  return { json, text }
}

/** A withdrawal by id. */
export async function withdrawalStatus(e: EvmSession, id: bigint) {
  const [w, k] = await Promise.all([e.evm.getEvmWithdrawal([id]), federationThreshold(e.evm)])
  if (w.status === WITHDRAWAL_STATUS.unknown) throw new CausewayError('CLI_EVM_WITHDRAWAL_UNKNOWN', `the bridge has no EVM withdrawal ${id}`, { details: { id: id.toString() } })
  const info = await tokenInfo(e.side, w.wrappedToken as Address).catch(() => ({ symbol: w.wrappedToken, decimals: 18 }))
  let vaultTx: Hex | null = null
  if (e.main !== undefined) {
    const logs = await e.main.client.getLogs({ address: e.chain.vault, event: WITHDRAWN, args: { id }, fromBlock: 0n, toBlock: 'latest' }).catch(() => [])
    vaultTx = (logs[0]?.transactionHash as Hex | undefined) ?? null
  }
  const status = withdrawalStatusName(w.status)
  const json = {
    kind: 'withdrawal',
    id: id.toString(),
    status,
    paid: w.status === WITHDRAWAL_STATUS.paid,
    requester: w.requester,
    wrappedToken: w.wrappedToken,
    mainToken: w.mainToken,
    mainRecipient: w.mainRecipient,
    amount: w.amount.toString(),
    amountText: formatTokenAmount(w.amount, info.decimals),
    symbol: info.symbol,
    signatures: Number(w.signatureCount),
    threshold: k,
    requestedAt: Number(w.requestedAt),
    vaultTx,
  }
  const text = lines([
    ['withdrawal', id.toString()],
    ['status', status],
    ['burned', `${json.amountText} ${info.symbol} (${w.wrappedToken}) by ${w.requester}`],
    ['to (main chain)', w.mainRecipient],
    ['signed', `${json.signatures}/${k}`],
    ['vault transaction', vaultTx ?? (json.paid ? 'paid (no main-chain node to find it)' : 'not yet')],
  ])
  return { json, text }
}

/** An address: its wrapped-token balances and withdrawals not yet paid. */
export async function addressStatus(e: EvmSession, address: Address) {
  const tokens = await wrappedTokens(e.evm)
  const balances = await Promise.all(
    tokens.map(async (t) => {
      const [info, balance] = await Promise.all([tokenInfo(e.side, t), balanceOf(e.side, t, address)])
      return { wrappedToken: t, symbol: info.symbol, decimals: info.decimals, balance: balance.toString(), balanceText: formatTokenAmount(balance, info.decimals) }
    }),
  )
  const requested = await bridgeLogs(e.s, { event: 'EvmWithdrawalRequested' })
  const mine = requested.filter((l) => String(l.args.requester).toLowerCase() === address.toLowerCase())
  const pending: { id: string; status: string; amount: string; wrappedToken: string; mainRecipient: string }[] = []
  for (const l of mine) {
    const id = l.args.id as bigint
    const w = await e.evm.getEvmWithdrawal([id])
    if (w.status !== WITHDRAWAL_STATUS.paid) pending.push({ id: id.toString(), status: withdrawalStatusName(w.status), amount: w.amount.toString(), wrappedToken: w.wrappedToken, mainRecipient: w.mainRecipient })
  }
  const json = { kind: 'address', address, balances, pendingWithdrawals: pending }
  const text = [
    `address ${address}`,
    ...(balances.length === 0 ? ['  no wrapped tokens exist yet'] : balances.map((b) => `  ${b.symbol.padEnd(10)} ${b.balanceText} (${b.wrappedToken})`)),
    pending.length === 0 ? 'no pending withdrawals' : `${pending.length} pending withdrawal(s):`,
    ...pending.map((p) => `  withdrawal ${p.id}: ${p.status}, ${p.amount} units of ${p.wrappedToken} to ${p.mainRecipient}`),
  ].join('\n')
  return { json, text }
}

export function registerEvmStatus(evm: Command, io: Io, exit: (code: number) => void): void {
  withEvmOptions(
    evm
      .command('status')
      .description('A deposit (main tx hash): confirmations, header attested n/k, minted; a withdrawal (id): signed n/k, paid; an address: wrapped balances, pending withdrawals')
      .argument('<target>', 'a main-chain deposit transaction hash, a withdrawal id, or a side-chain address'),
  ).action(async (targetText: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags) => {
      const target = parseStatusTarget(targetText)
      const e = await openEvmSession(flags as EvmFlags, target.kind === 'tx' ? 'required' : 'optional')
      try {
        if (target.kind === 'tx') return await depositStatus(e, target.hash)
        if (target.kind === 'withdrawal') return await withdrawalStatus(e, target.id)
        return await addressStatus(e, target.address)
      } finally {
        e.close()
      }
    }),
  )
}
