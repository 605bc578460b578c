// The demo's EVM round trips (after Bitcoin's, demo.ts): for ETH and for the 6-decimal demo token, a deposit into
// the vault on the main chain with the demo's main-chain key, the signers attesting the block and relaying the
// deposit (the demo relays it itself with client/evm if none has within a bound, and says so), the wrapped balance
// on the side chain, a peg-out with pegOutToken from the demo side-chain account to a fresh main-chain address, the
// signers' EIP-712 signatures and the vault's payout. Value out must equal value in exactly; the main-chain gas the
// user paid is printed apart (it is not part of the value).
import { Contract, JsonRpcProvider, Wallet, formatUnits, getAddress, type TransactionReceipt } from 'ethers'
import { createPublicClient, createWalletClient, defineChain, erc20Abi, http, parseEventLogs, zeroAddress, type Hex, type PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as VaultArtifact from '../../peg/evm/contracts/Vault.artifact.js'
import { bridgeAbiJson } from '../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../sidechain/chain/params.js'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { CausewayError } from '../../spv/base/errors.js'
import { pollUntil } from '../../io/poll.js'
import { proveEvmDeposit } from '../../client/evm.js'
import type { WorldFile } from '../../cli/world-file.js'

const ETH_IN = 10n ** 18n // 1 ETH
const TOKEN_IN_UNITS = 1_000n // 1,000 of the demo token, in whole tokens
/** How long the demo leaves relaying a deposit of an accepted header to the signers before doing it itself. */
const SELF_RELAY_AFTER_MS = 30_000
/** EvmWithdrawalView.status (IEvmBridge.sol). */
const WITHDRAWAL_SIGNED = 2
const WITHDRAWAL_PAID = 3

export interface EvmRoundTrip {
  readonly asset: string
  readonly valueIn: bigint
  readonly minted: bigint
  readonly valueOut: bigint
  readonly decimals: number
  readonly mainGasWei: bigint
  readonly sidechainGasWei: bigint
  readonly selfRelayed: boolean
  readonly depositTx: Hex
  readonly payoutTx: Hex
}

export interface EvmDemoOptions {
  readonly log: (line: string) => void
  readonly timeoutMs: number
  /** Called at the start of each numbered step. */
  readonly step: (title: string) => void
}

type Evm = NonNullable<WorldFile['evm']>

export async function runEvmRoundTrips(world: WorldFile, provider: JsonRpcProvider, o: EvmDemoOptions): Promise<{ trips: EvmRoundTrip[]; problems: string[] }> {
  const evm: Evm = world.evm!
  const log = o.log
  const chain = defineChain({ id: evm.chainId, name: `main-${evm.chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [evm.rpcUrl] } } })
  const main = createPublicClient({ chain, transport: http(evm.rpcUrl), pollingInterval: 250 }) as PublicClient
  const account = privateKeyToAccount(evm.demo.key as Hex)
  const wallet = createWalletClient({ account, chain, transport: http(evm.rpcUrl) })
  const vault = getAddress(evm.vault) as Hex
  const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, provider)
  const demo = new Wallet(world.demo.sidechainKey, provider)
  const asDemo = bridge.connect(demo) as Contract
  const problems: string[] = []
  const trips: EvmRoundTrip[] = []

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, tick?: () => Promise<string | undefined>, timeoutMs = o.timeoutMs): Promise<T> {
    let last = ''
    return pollUntil(what, probe, {
      timeoutMs,
      intervalMs: 500,
      onWait: async () => {
        const t = tick === undefined ? undefined : await tick()
        if (t !== undefined && t !== last) log(`      … ${t}`)
        if (t !== undefined) last = t
      },
      onTimeout: () => new CausewayError('DEMO_TIMEOUT', `gave up waiting for ${what} after ${timeoutMs / 1000} s`),
    })
  }
  const mainGas = async (hash: Hex) => {
    const r = await main.waitForTransactionReceipt({ hash, timeout: o.timeoutMs })
    if (r.status !== 'success') throw new CausewayError('DEMO_MAIN_TX_REVERTED', `main-chain transaction ${hash} reverted`)
    return { receipt: r, gas: r.gasUsed * r.effectiveGasPrice }
  }
  const sideFee = (r: TransactionReceipt | null) => {
    if (r === null) throw new CausewayError('DEMO_TX_LOST', 'a side-chain transaction has no receipt')
    return r.gasUsed * r.gasPrice
  }

  async function roundTrip(asset: string, token: Hex, decimals: number, amount: bigint): Promise<void> {
    const units = (v: bigint) => `${formatUnits(v, decimals)} ${asset}`
    o.step(`${asset}: deposit ${units(amount)} into the vault on the main chain`)
    let mainGasWei = 0n
    let depositHash: Hex
    if (token === zeroAddress) {
      depositHash = await wallet.writeContract({ address: vault, abi: VaultArtifact.abi, functionName: 'depositEth', args: [demo.address as Hex], value: amount })
    } else {
      const approve = await wallet.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [vault, amount] })
      mainGasWei += (await mainGas(approve)).gas
      depositHash = await wallet.writeContract({ address: vault, abi: VaultArtifact.abi, functionName: 'depositToken', args: [token, amount, demo.address as Hex] })
    }
    const dep = await mainGas(depositHash)
    mainGasWei += dep.gas
    const event = parseEventLogs({ abi: VaultArtifact.abi, logs: dep.receipt.logs, eventName: 'Deposit' })[0]
    if (event === undefined) throw new CausewayError('DEMO_NO_DEPOSIT_LOG', `the deposit ${depositHash} left no Deposit log of the vault`)
    const nonce = (event.args as { nonce: bigint }).nonce
    const depositBlock = dep.receipt.blockNumber
    log(`      main-chain tx ${depositHash} in block ${depositBlock}, vault deposit nonce ${nonce}, from ${account.address} to ${demo.address} (gas ${formatUnits(mainGasWei, 18)} ETH, paid apart)`)

    o.step(`${asset}: wait for ${evm.confirmations} main-chain confirmations, the members' header attestations and the mint`)
    const mintedTopic = bridge.interface.getEvent('EvmDepositMinted')!.topicHash
    const mintOf = async () => {
      const logs = await provider.getLogs({ address: toHex(BRIDGE_ADDRESS), topics: [mintedTopic, null, `0x${BigInt(evm.chainId).toString(16).padStart(64, '0')}`], fromBlock: 0 })
      for (const l of logs) {
        const p = bridge.interface.parseLog(l)!
        if ((p.args.depositNonce as bigint) === nonce) return { amount: p.args.amount as bigint, wrapped: p.args.wrappedToken as string }
      }
      return undefined
    }
    let acceptedAt: number | undefined
    let selfRelayed = false
    const minted = await waitFor(`the ${asset} deposit (vault nonce ${nonce}) to be minted on the side chain`, mintOf, async () => {
      const head = await main.getBlockNumber()
      const depth = head - depositBlock + 1n
      if (depth < BigInt(evm.confirmations)) return `main-chain confirmations ${depth}/${evm.confirmations}`
      const [, best] = (await bridge.getEvmBestBlock!(evm.chainId)) as [string, bigint]
      if (best < depositBlock) return `confirmations ${evm.confirmations}/${evm.confirmations}; waiting for ${evm.threshold} members to attest main-chain block ${depositBlock} (the bridge has accepted up to ${best})`
      acceptedAt ??= Date.now()
      if (!selfRelayed && Date.now() - acceptedAt > SELF_RELAY_AFTER_MS) {
        selfRelayed = true
        log(`      … block ${depositBlock} accepted ${SELF_RELAY_AFTER_MS / 1000} s ago and no signer relayed the deposit: relaying it with client/evm`)
        const [proof] = await proveEvmDeposit(main, depositHash, { mainChainId: BigInt(evm.chainId), vault: hexToBytes(vault, 'vault', 20) })
        await (await asDemo.registerEvmDeposit!(...proof!.args)).wait()
      }
      return `header ${depositBlock} accepted by the bridge; waiting for the deposit's proof to be registered`
    })
    const wrapped = new Contract(minted.wrapped, ['function balanceOf(address) view returns (uint256)', 'function symbol() view returns (string)'], provider)
    const symbol = (await wrapped.symbol!()) as string
    const balance = (await wrapped.balanceOf!(demo.address)) as bigint
    log(`      minted ${formatUnits(minted.amount, decimals)} ${symbol} (${minted.wrapped}) to ${demo.address}${selfRelayed ? ' (deposit relayed by the demo)' : ' (relayed by the signers)'}; its balance ${formatUnits(balance, decimals)} ${symbol}`)
    if (minted.amount !== amount) problems.push(`${asset}: minted ${minted.amount} for a deposit of ${amount}`)

    o.step(`${asset}: peg ${formatUnits(amount, decimals)} ${symbol} out to a fresh main-chain address`)
    const payee = privateKeyToAccount(generatePrivateKey()).address
    const mainBalance = () => (token === zeroAddress ? main.getBalance({ address: payee }) : main.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [payee] }))
    const before = await mainBalance()
    const receipt = await (await asDemo.pegOutToken!(minted.wrapped, amount, payee)).wait()
    const sidechainGasWei = sideFee(receipt)
    const requested = receipt!.logs.map((l: { topics: readonly string[]; data: string }) => bridge.interface.parseLog(l)).find((p: { name: string } | null) => p?.name === 'EvmWithdrawalRequested')
    if (requested == null) throw new CausewayError('DEMO_NO_WITHDRAWAL', 'pegOutToken left no EvmWithdrawalRequested event')
    const id = requested.args.id as bigint
    log(`      withdrawal ${id} to ${payee} (side-chain gas ${formatUnits(sidechainGasWei, 18)})`)

    o.step(`${asset}: wait for ${evm.threshold} signatures and the vault's payout`)
    const payout = await waitFor(
      `the vault to pay withdrawal ${id}`,
      async () => {
        const logs = await main.getContractEvents({ address: vault, abi: VaultArtifact.abi, eventName: 'Withdrawn', args: { id } as never, fromBlock: BigInt(evm.vaultBlock) })
        return logs[0]?.transactionHash ?? undefined
      },
      async () => {
        const w = (await bridge.getEvmWithdrawal!(id)) as { signatureCount: bigint; status: bigint }
        return Number(w.status) >= WITHDRAWAL_SIGNED ? `signed by ${w.signatureCount} members; waiting for a member to submit it to the vault` : `signatures ${w.signatureCount}/${evm.threshold}`
      },
    )
    const valueOut = (await mainBalance()) - before
    log(`      paid by the vault in main-chain tx ${payout}: ${payee} received ${units(valueOut)}`)
    await waitFor(`withdrawal ${id} to be closed on the side chain (its Withdrawn proof registered)`, async () => (Number(((await bridge.getEvmWithdrawal!(id)) as { status: bigint }).status) === WITHDRAWAL_PAID ? true : undefined), async () => 'waiting for the payout proof to be registered')
    log(`      withdrawal ${id} closed on the side chain (paid)`)
    const [locked, supply, pending] = (await bridge.getEvmReserves!(minted.wrapped)) as [bigint, bigint, bigint]
    log(`      ${symbol} reserves: locked ${formatUnits(locked, decimals)}, supply ${formatUnits(supply, decimals)}, pending ${formatUnits(pending, decimals)} — ${locked === supply + pending ? 'balanced' : 'NOT BALANCED'}`)
    if (locked !== supply + pending) problems.push(`${asset}: reserves do not balance (locked ${locked}, supply ${supply}, pending ${pending})`)
    if (valueOut !== amount) problems.push(`${asset}: ${payee} received ${valueOut}, expected exactly ${amount}`)
    trips.push({ asset, valueIn: amount, minted: minted.amount, valueOut, decimals, mainGasWei, sidechainGasWei, selfRelayed, depositTx: depositHash, payoutTx: payout })
  }

  const t = evm.tokens[0]!
  await roundTrip('ETH', zeroAddress, 18, ETH_IN)
  await roundTrip(t.symbol, getAddress(t.address) as Hex, t.decimals, TOKEN_IN_UNITS * 10n ** BigInt(t.decimals))
  return { trips, problems }
}
