// `causeway evm deposit <eth|token> <amount>`: lock ETH or an ERC-20 in the main chain's vault for the side chain.
// Every check comes before the first transaction (amount against the token's own decimals, balance, the bridge
// serving this chain and vault); a token is approved first unless its allowance already covers the amount. The
// report is what the vault actually credited (its Deposit log: fee-on-transfer tokens are credited what arrived),
// the deposit nonce and the wrapped token the side chain mints.
import type { Command } from 'commander'
import { erc20Abi, parseEventLogs, type Abi } from 'viem'
import * as Vault from '../../peg/evm/contracts/Vault.artifact.js'
import { CausewayError } from '../../spv/base/errors.js'
import { lines, runReport, type Progress } from '../report.js'
import type { Io } from '../output.js'
import { parseDepositAsset, parseRecipient, ZERO_ADDRESS, type Address, type Hex } from './args.js'
import { checkAmountSyntax, formatTokenAmount, parseTokenAmount } from './amount.js'
import { withEvmOptions } from './options.js'
import { mainOf, openEvmSession, tokenInfo, type EvmFlags } from './session.js'
import { asMainChainError, mainWallet, resolveMainKey, type MainChain } from './main-chain.js'

const vaultAbi = Vault.abi as Abi
type Flags = EvmFlags & { key?: string; recipient?: string }

async function mined(m: MainChain, hash: Hex, what: string, progress: Progress) {
  progress(`sent ${what} in main-chain transaction ${hash}; waiting for its block…`)
  const r = await m.client.waitForTransactionReceipt({ hash, timeout: 120_000 })
  if (r.status !== 'success') throw new CausewayError('CLI_TX_FAILED', `main-chain transaction ${hash} (${what}) reverted`, { details: { hash } })
  return r
}

export function registerEvmDeposit(evm: Command, io: Io, exit: (code: number) => void): void {
  const depositCmd = evm
    .command('deposit')
    .description('Lock ETH or an ERC-20 in the main chain\'s vault; the side chain mints its wrapped token once the signers attest the block')
    .argument('<asset>', '`eth`, or the main-chain address of an ERC-20')
    .argument('<amount>', "in the token's own units (e.g. 1.5 ETH, 25 of a 6-decimal token)")
    .option('--recipient <address>', 'side-chain address credited (default: the main-chain key\'s own address)')
    .option('--key <hex>', "main-chain private key that pays (or env CAUSEWAY_MAIN_KEY; default: the local world's demo main-chain key)")
  withEvmOptions(depositCmd).action(async (assetText: string, amountText: string, _o: unknown, cmd: Command) =>
      runReport(io, exit, cmd, async (flags, progress) => {
        const f = flags as Flags
        // What can be checked without a node, first.
        const asset = parseDepositAsset(assetText)
        checkAmountSyntax(amountText)
        const recipientFlag = f.recipient === undefined ? undefined : parseRecipient(f.recipient, '--recipient')
        const e = await openEvmSession(f, 'required')
        try {
          const m = mainOf(e)
          const key = resolveMainKey(f.key, e.s.endpoints.world)
          const recipient = recipientFlag ?? key.address
          const vault = e.chain.vault
          const info = asset.kind === 'eth' ? { address: ZERO_ADDRESS, symbol: 'ETH', decimals: 18 } : await tokenInfo(m.client, asset.address)
          const amount = parseTokenAmount(amountText, info.decimals, info.symbol)
          const wallet = mainWallet(m, key)
          let hash: Hex
          if (asset.kind === 'eth') {
            const balance = await m.client.getBalance({ address: key.address })
            if (balance < amount) throw new CausewayError('CLI_INSUFFICIENT_FUNDS', `${key.address} holds ${formatTokenAmount(balance, 18)} ETH, less than ${amountText} ETH plus gas`)
            await m.client.simulateContract({ account: key.account, address: vault, abi: vaultAbi, functionName: 'depositEth', args: [recipient], value: amount })
            hash = await wallet.writeContract({ address: vault, abi: vaultAbi, functionName: 'depositEth', args: [recipient], value: amount })
          } else {
            const token = asset.address
            const [balance, allowance] = await Promise.all([
              m.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [key.address] }),
              m.client.readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [key.address, vault] }),
            ])
            if (balance < amount) {
              throw new CausewayError('CLI_EVM_INSUFFICIENT_BALANCE', `${key.address} holds ${formatTokenAmount(balance, info.decimals)} ${info.symbol}, less than ${amountText}`, { details: { balance: balance.toString() } })
            }
            if (allowance < amount) {
              const a = await wallet.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [vault, amount] })
              await mined(m, a, `approve(${vault}, ${amount})`, progress)
            } else progress(`the vault's allowance (${formatTokenAmount(allowance, info.decimals)} ${info.symbol}) covers the amount: no approve`)
            await m.client.simulateContract({ account: key.account, address: vault, abi: vaultAbi, functionName: 'depositToken', args: [token, amount, recipient] })
            hash = await wallet.writeContract({ address: vault, abi: vaultAbi, functionName: 'depositToken', args: [token, amount, recipient] })
          }
          const receipt = await mined(m, hash, asset.kind === 'eth' ? 'depositEth' : 'depositToken', progress)
          const log = parseEventLogs({ abi: vaultAbi, logs: receipt.logs, eventName: 'Deposit' }).find((l) => l.address.toLowerCase() === vault.toLowerCase())
          if (log === undefined) throw new CausewayError('CLI_TX_FAILED', `main-chain transaction ${hash} has no Deposit log of the vault ${vault}`)
          const args = log.args as unknown as { nonce: bigint; amount: bigint; recipient: Address }
          const [wrapped, exists] = await e.evm.getWrappedToken([e.chain.chainId, info.address])
          const credited = formatTokenAmount(args.amount, info.decimals)
          return {
            json: {
              mainTx: hash,
              mainBlock: Number(receipt.blockNumber),
              mainBlockHash: receipt.blockHash,
              mainChainId: e.chain.chainId.toString(),
              vault,
              token: info.address,
              symbol: info.symbol,
              decimals: info.decimals,
              nonce: args.nonce.toString(),
              amount: args.amount.toString(),
              amountText: credited,
              from: key.address,
              recipient: args.recipient,
              wrappedToken: wrapped,
              wrappedTokenExists: exists,
            },
            text: [
              `deposit ${args.nonce} locked in the vault (main-chain transaction ${hash}, block ${receipt.blockNumber})`,
              lines([
                ['credited', `${credited} ${info.symbol}`],
                ['to (side chain)', args.recipient],
                ['wrapped token', `${wrapped}${exists ? '' : ' (created by this deposit\'s mint)'}`],
              ]),
              `follow it with: causeway evm status ${hash}`,
            ].join('\n'),
          }
        } catch (err) {
          throw asMainChainError(err)
        } finally {
          e.close()
        }
      }),
    )
}
