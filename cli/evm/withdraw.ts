// `causeway evm withdraw <wrapped-token> <amount> <main-recipient>`: burn a wrapped token on the side chain
// (pegOutToken) for a payment from the vault on its main chain. Refused before sending: a token the bridge did not
// create, zero, more than the balance, the zero recipient; the bridge's dry run catches the rest with its own code.
// `--wait` follows the withdrawal (signed n/k) until the vault paid it.
import type { Command } from 'commander'
import { CausewayError } from '../../spv/base/errors.js'
import { resolveEndpoints, resolveKey, withKeyOptions, type KeyFlags } from '../connect.js'
import { receiptEvents, sendBridge } from '../bridge-view.js'
import { lines, runReport, type Progress } from '../report.js'
import { wholeNumber, type Io } from '../output.js'
import { parseAddress, parseRecipient, type Address } from './args.js'
import { checkAmountSyntax, formatTokenAmount, parseTokenAmount } from './amount.js'
import { balanceOf, federationThreshold, openEvmSession, tokenInfo, withdrawalStatusName, wrappedTokens, WITHDRAWAL_STATUS, type EvmFlags, type EvmSession } from './session.js'
import { withEvmOptions } from './options.js'
import { withdrawalStatus } from './status.js'

type Flags = EvmFlags & KeyFlags & { wait?: boolean; waitTimeout?: string }

/** Polls the withdrawal until paid (progress on each change); CLI_WAIT_TIMEOUT after `timeoutMs`. */
export async function waitUntilPaid(e: EvmSession, id: bigint, timeoutMs: number, progress: Progress): Promise<void> {
  const k = await federationThreshold(e.evm)
  const until = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const w = await e.evm.getEvmWithdrawal([id])
    const now = `${withdrawalStatusName(w.status)}, signed ${w.signatureCount}/${k}`
    if (now !== last) progress(`withdrawal ${id}: ${(last = now)}`)
    if (w.status === WITHDRAWAL_STATUS.paid) return
    if (Date.now() > until) throw new CausewayError('CLI_WAIT_TIMEOUT', `withdrawal ${id} is not paid after ${timeoutMs / 1000} s (${now}); follow it with causeway evm status ${id}`, { details: { id: id.toString() } })
    await new Promise((r) => setTimeout(r, 1000))
  }
}

export function registerEvmWithdraw(evm: Command, io: Io, exit: (code: number) => void): void {
  withKeyOptions(
    withEvmOptions(
      evm
        .command('withdraw')
        .description('Burn a wrapped token on the side chain for a payment from the vault on its main chain')
        .argument('<wrapped-token>', 'the wrapped token\'s side-chain address (see causeway evm status <your address>)')
        .argument('<amount>', "in the token's own units (e.g. 0.5 cwETH)")
        .argument('<main-recipient>', 'the main-chain address the vault pays')
        .option('--wait', 'follow the withdrawal until the vault paid it')
        .option('--wait-timeout <seconds>', 'give up waiting after this long', '600'),
    ),
  ).action(async (tokenText: string, amountText: string, recipientText: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags, progress) => {
      const f = flags as Flags
      const token = parseAddress(tokenText, 'the wrapped token')
      checkAmountSyntax(amountText)
      const recipient = parseRecipient(recipientText, 'the main-chain recipient')
      const timeoutMs = wholeNumber('--wait-timeout', f.waitTimeout ?? '600', 1) * 1000
      const endpoints = await resolveEndpoints(f, { bitcoin: false })
      const key = await resolveKey(f, endpoints.world)
      const e = await openEvmSession(f, 'optional', key.privateKey)
      try {
        const known = await wrappedTokens(e.evm)
        if (!known.some((t) => t.toLowerCase() === token.toLowerCase())) {
          throw new CausewayError('CLI_EVM_UNKNOWN_TOKEN', `${token} is not a wrapped token of the bridge (it knows ${known.length}: ${known.join(', ') || 'none yet'})`, { details: { token } })
        }
        const info = await tokenInfo(e.side, token)
        const amount = parseTokenAmount(amountText, info.decimals, info.symbol)
        const balance = await balanceOf(e.side, token, key.address as Address)
        if (balance < amount) {
          throw new CausewayError('CLI_EVM_INSUFFICIENT_BALANCE', `${key.address} holds ${formatTokenAmount(balance, info.decimals)} ${info.symbol}, less than ${amountText}`, { details: { balance: balance.toString() } })
        }
        progress(`withdrawal of ${amountText} ${info.symbol} from ${key.address} to ${recipient} on chain ${e.chain.chainId}`)
        const receipt = await sendBridge(e.s, 'pegOutToken', [token, amount, recipient], progress)
        const ev = receiptEvents(receipt).find((x) => x.name === 'EvmWithdrawalRequested')
        if (ev === undefined) throw new CausewayError('CLI_TX_FAILED', `transaction ${receipt.hash} has no EvmWithdrawalRequested event`)
        const id = ev.args.id as bigint
        if (f.wait === true) await waitUntilPaid(e, id, timeoutMs, progress)
        const after = f.wait === true ? await withdrawalStatus(e, id) : undefined
        return {
          json: {
            id: id.toString(),
            sidechainTx: receipt.hash,
            block: receipt.blockNumber,
            from: key.address,
            wrappedToken: token,
            symbol: info.symbol,
            amount: amount.toString(),
            mainRecipient: recipient,
            mainChainId: e.chain.chainId.toString(),
            ...(after === undefined ? {} : { status: after.json.status, vaultTx: after.json.vaultTx }),
          },
          text: [
            `withdrawal ${id} requested (side-chain transaction ${receipt.hash}, block ${receipt.blockNumber})`,
            lines([
              ['burned', `${formatTokenAmount(amount, info.decimals)} ${info.symbol}`],
              ['to (main chain)', recipient],
              ...(after === undefined ? [] : ([['status', `${after.json.status}${after.json.vaultTx === null ? '' : ` (vault transaction ${after.json.vaultTx})`}`]] as [string, string][])),
            ]),
            ...(after === undefined ? [`follow it with: causeway evm status ${id}`] : []),
          ].join('\n'),
        }
      } finally {
        e.close()
      }
    }),
  )
}
