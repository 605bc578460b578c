// `causeway regtest demo`: a scripted round trip through a running local world, with progress — a fresh side-chain
// account gets its deposit address, the demo Bitcoin wallet pays 1 BTC to it, the signers relay the proof once it
// is deep enough and the bridge mints; the account transfers on the side chain, deploys and calls a small
// contract that reads the bridge, and pegs the whole 1 BTC out to a fresh Bitcoin address; the demo waits for that
// payment. Then, when the world has an EVM main chain, an ETH and a demo-token round trip through the vault
// (demo-evm.ts). It prints value in, value out, every fee and the reserves after each step, and succeeds only if
// value was preserved: out = in − the announced peg-out fee share, reserves = supply + pending at every step, the
// federation's reserves and the pegged supply back where they started, and on the EVM peg out = in exactly.
import { address as btcAddress, payments, Transaction } from 'bitcoinjs-lib'
import { ECPairFactory } from 'ecpair'
import * as ecc from 'tiny-secp256k1'
import { Contract, ContractFactory, JsonRpcProvider, Wallet, formatUnits, getAddress, type TransactionReceipt } from 'ethers'
import { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { WEI_PER_SAT } from '../../peg/bitcoin/index.js'
import { bridgeAbiJson } from '../../sidechain/bridge/abi.js'
import { bridgeReaderAt } from '../../client/bridge.js'
import { BRIDGE_ADDRESS } from '../../sidechain/chain/params.js'
import { toHex } from '../../spv/base/bytes.js'
import { CausewayError, isCausewayError } from '../../spv/base/errors.js'
import { pollUntil } from '../../io/poll.js'
import { bcoinRegtest } from '../bitcoin/network.js'
import { DemoWallet } from '../bitcoin/demo-wallet.js'
import { scanCoins } from '../bitcoin/scan-coins.js'
import { compileSolidity } from '../solidity/compile.js'
import type { WorldFile } from '../../cli/world-file.js'
import { runEvmRoundTrips, type EvmRoundTrip } from './demo-evm.js'

const PEG_IN_SATS = 100_000_000n
const GAS_MONEY = 10n ** 16n // 0.01 coin of the demo account's (pegged in at the world's first start)

const DEMO_CONTRACT = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IBridgeTip {
    function getBtcBestBlock() external view returns (bytes32 hash, uint256 height);
}

/// Keeps notes stamped with the Bitcoin height the bridge knows: a contract reading the bridge precompile.
contract BitcoinNotes {
    IBridgeTip constant BRIDGE = IBridgeTip(${getAddress(toHex(BRIDGE_ADDRESS))});
    event Noted(address indexed who, string text, uint256 bitcoinHeight);
    uint256 public count;

    function note(string calldata text) external returns (uint256 height) {
        (, height) = BRIDGE.getBtcBestBlock();
        count += 1;
        emit Noted(msg.sender, text, height);
    }
}
`

export interface DemoResult {
  readonly ok: boolean
  readonly valueInSats: bigint
  readonly valueOutSats: bigint
  readonly pegOutFeeSats: bigint
  readonly bitcoinDepositFeeSats: bigint
  readonly sidechainGasWei: bigint
  readonly pegInTxid: string
  readonly pegOutTxid: string
  readonly problems: readonly string[]
  /** The EVM round trips (ETH, the demo token); empty for a world without an EVM peg. */
  readonly evm: readonly EvmRoundTrip[]
}

interface Reserves {
  readonly fedSats: bigint
  readonly supplyWei: bigint
  readonly pendingSats: bigint
}

export interface DemoOptions {
  readonly log: (line: string) => void
  /** Bound on each wait (default 180 s). */
  readonly stepTimeoutMs?: number
}

export async function runDemo(world: WorldFile, o: DemoOptions): Promise<DemoResult> {
  const log = o.log
  const timeout = o.stepTimeoutMs ?? 180_000
  const chainId = BigInt(world.chainId)
  const provider = new JsonRpcProvider(world.sidechain.rpcUrl, chainId, { staticNetwork: true })
  provider.pollingInterval = 250
  const btc = new BitcoinRpcClient({ url: world.bitcoin.rpcUrl, username: world.bitcoin.rpcUser, password: world.bitcoin.rpcPassword })
  const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, provider)
  const read = bridgeReaderAt(world.sidechain.rpcUrl)
  const problems: string[] = []
  let gasWei = 0n
  const paid = (r: TransactionReceipt | null) => {
    if (r === null) throw new CausewayError('DEMO_TX_LOST', 'a side-chain transaction has no receipt')
    const fee = r.gasUsed * r.gasPrice
    gasWei += fee
    return fee
  }
  const coin = (wei: bigint) => `${formatUnits(wei, 18)}`
  const btcAmount = (sats: bigint) => `${formatUnits(sats, 8)} BTC`
  let n = 0
  const steps = world.evm === undefined ? 9 : 17
  const step = (title: string) => log(`\n[${++n}/${steps}] ${title}`)
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, tick?: () => Promise<string | undefined>): Promise<T> {
    let last = ''
    return pollUntil(what, probe, {
      timeoutMs: timeout,
      intervalMs: 500,
      onWait: async () => {
        const t = tick === undefined ? undefined : await tick()
        if (t !== undefined && t !== last) log(`      … ${t}`)
        if (t !== undefined) last = t
      },
      onTimeout: () => new CausewayError('DEMO_TIMEOUT', `gave up waiting for ${what} after ${timeout / 1000} s`),
    })
  }
  const reserves = async (label: string): Promise<Reserves> => {
    const [fedSats, supplyWei, pendingSats] = await read.getReserves()
    const balanced = fedSats * WEI_PER_SAT === supplyWei + pendingSats * WEI_PER_SAT
    log(`      reserves ${label}: federation ${btcAmount(fedSats)}, pegged supply ${coin(supplyWei)}, pending peg-outs ${btcAmount(pendingSats)} — ${balanced ? 'balanced' : 'NOT BALANCED'}`)
    if (!balanced) problems.push(`reserves ${label} do not balance: ${fedSats} sats vs ${supplyWei} wei + ${pendingSats} sats pending`)
    return { fedSats, supplyWei, pendingSats }
  }
  const mineOne = () => btc.generateToAddress(1, world.demo.bitcoinAddress)
  /** The block holding a transaction; null while it is unconfirmed or the node does not know it yet. */
  const blockOf = (txid: string) => btc.getTransactionBlockHash(txid).catch((e: unknown) => (isCausewayError(e, 'BTC_RPC_ERROR') ? null : Promise.reject(e)))
  const confirmations = async (txid: string) => {
    const block = await blockOf(txid)
    return block === null ? 0 : (await btc.getBlock(block, true)).confirmations
  }

  try {
    try {
      await provider.getBlockNumber()
    } catch (e) {
      throw new CausewayError('DEMO_NODE_UNREACHABLE', `the side chain at ${world.sidechain.rpcUrl} does not answer (is the world running? npm start): ${(e as Error).message}`)
    }
    const start = await reserves('at the start')

    step('a fresh side-chain account and its Bitcoin deposit address')
    const demo = new Wallet(world.demo.sidechainKey, provider)
    const user = Wallet.createRandom().connect(provider)
    const asUser = bridge.connect(user) as Contract
    paid(await (await demo.sendTransaction({ to: user.address, value: GAS_MONEY })).wait())
    const deposit = await read.getDepositAddress([user.address as `0x${string}`])
    log(`      account ${user.address} (given ${coin(GAS_MONEY)} of the demo account's pegged coin for gas)`)
    log(`      deposit address ${deposit}`)
    const reg = paid(await (await asUser.registerDepositAddress!(user.address)).wait())
    log(`      registered it with the bridge so the signers watch it (gas ${coin(reg)})`)

    step(`pay ${btcAmount(PEG_IN_SATS)} to it from the demo Bitcoin wallet`)
    const wallet = new DemoWallet({ seed: world.demo.bitcoinSeed })
    log(`      finding the demo wallet's coins on the chain`)
    for (const c of await scanCoins(btc, wallet.scriptPubKey)) wallet.track(c)
    const payment = await wallet.pay(btc, { outputs: [{ scriptPubKey: btcAddress.toOutputScript(deposit, bcoinRegtest), valueSats: PEG_IN_SATS }] })
    log(`      Bitcoin transaction ${payment.txid}, Bitcoin fee ${payment.feeSats} sats (paid by the wallet, on top)`)

    step(`wait for ${world.bitcoin.confirmations} confirmations (mining them now) and the mint`)
    const minted = await waitFor(
      'the peg-in to be minted',
      async () => {
        const logs = await provider.getLogs({ address: toHex(BRIDGE_ADDRESS), topics: [bridge.interface.getEvent('PegInMinted')!.topicHash, '0x' + Buffer.from(payment.txid, 'hex').reverse().toString('hex')], fromBlock: 0 })
        if (logs.length === 0) return undefined
        return bridge.interface.parseLog(logs[0]!)!.args.amountWei as bigint
      },
      async () => {
        const confs = await confirmations(payment.txid)
        if (confs < world.bitcoin.confirmations) await mineOne()
        return `confirmations ${Math.min(confs, world.bitcoin.confirmations)}/${world.bitcoin.confirmations}${confs >= world.bitcoin.confirmations ? ', waiting for the signers to relay the proof' : ''}`
      },
    )
    log(`      minted ${coin(minted)} to ${user.address}`)
    if (minted !== PEG_IN_SATS * WEI_PER_SAT) problems.push(`minted ${minted} wei for ${PEG_IN_SATS} sats`)
    const afterIn = await reserves('after the peg-in')

    step('transfer on the side chain')
    const friend = Wallet.createRandom().connect(provider)
    const t1 = paid(await (await user.sendTransaction({ to: friend.address, value: 25n * 10n ** 16n })).wait())
    paid(await (await demo.sendTransaction({ to: friend.address, value: GAS_MONEY })).wait())
    const back = 25n * 10n ** 16n
    const t2 = paid(await (await friend.sendTransaction({ to: user.address, value: back })).wait())
    log(`      sent 0.25 to ${friend.address} and back (gas ${coin(t1)} + ${coin(t2)})`)

    step('deploy and call a contract that reads the bridge')
    const compiled = compileSolidity({ 'BitcoinNotes.sol': DEMO_CONTRACT }).contracts['BitcoinNotes.sol:BitcoinNotes']!
    const factory = new ContractFactory(compiled.abi, compiled.bytecode, user)
    const notes = await factory.deploy()
    const deployed = paid(await notes.deploymentTransaction()!.wait())
    const called = await (await (notes as Contract).note!('pegged in through Causeway')).wait()
    paid(called)
    const noted = (notes as Contract).interface.parseLog(called!.logs[0]!)!
    log(`      BitcoinNotes at ${await notes.getAddress()} (gas ${coin(deployed)}); note() saw Bitcoin height ${noted.args.bitcoinHeight} on the bridge`)

    step(`peg ${btcAmount(PEG_IN_SATS)} out to a fresh Bitcoin address`)
    const payee = payments.p2wpkh({ pubkey: ECPairFactory(ecc).makeRandom({ network: bcoinRegtest }).publicKey, network: bcoinRegtest })
    const estimate = await read.estimatePegOutFee()
    log(`      to ${payee.address}; announced fee estimate ${estimate} sats`)
    const receipt = await (await asUser.pegOut!(payee.address!, { value: PEG_IN_SATS * WEI_PER_SAT })).wait()
    paid(receipt)
    const id = bridge.interface.parseLog(receipt!.logs[0]!)!.args.id as bigint
    log(`      peg-out request ${id}`)
    await reserves('after the peg-out request')

    step('wait for the federation to batch, sign and broadcast it')
    const batchTxid = await waitFor(
      'the batch to be signed',
      async () => {
        const q = await read.getPegOut([id])
        if (q.status < 3) return undefined
        const b = await read.getBatch([q.batchId])
        return Buffer.from(b.txid.slice(2), 'hex').reverse().toString('hex')
      },
      async () => ['', 'queued for the next batch', 'batched, signers reviewing', 'signed'][(await read.getPegOut([id])).status],
    )
    log(`      batch transaction ${batchTxid}`)
    await waitFor('the batch in the Bitcoin mempool or a block', async () => ((await btc.getMempoolEntry(batchTxid)) !== null || (await blockOf(batchTxid)) !== null ? true : undefined))

    step('wait for the Bitcoin payment to confirm and the bridge to register it')
    await waitFor(
      'the peg-out to be confirmed on the bridge',
      async () => ((await read.getPegOut([id])).status === 4 ? true : undefined),
      async () => {
        const confs = await confirmations(batchTxid)
        if (confs < world.bitcoin.confirmations) await mineOne()
        return `confirmations ${Math.min(confs, world.bitcoin.confirmations)}/${world.bitcoin.confirmations}`
      },
    )
    const tx = Transaction.fromBuffer(Buffer.from(await btc.getRawTransaction(batchTxid)))
    const out = tx.outs.find((x) => Buffer.from(x.script).equals(payee.output!))
    const valueOut = out === undefined ? 0n : BigInt(out.value)
    const feeShare = (await read.getPegOut([id])).feeSats
    const end = await reserves('at the end')

    let trips: EvmRoundTrip[] = []
    if (world.evm === undefined) log('\n      this world has no EVM main chain (set up before the EVM peg): no ETH or token round trip')
    else {
      const r = await runEvmRoundTrips(world, provider, { log, timeoutMs: timeout, step })
      trips = r.trips
      problems.push(...r.problems)
    }

    step('summary')
    log(`      value in     ${btcAmount(PEG_IN_SATS)} (Bitcoin ${payment.txid})`)
    log(`      value out    ${btcAmount(valueOut)} (Bitcoin ${batchTxid})`)
    log(`      peg-out fee  ${feeShare} sats (this request's share of the batch's Bitcoin fee)`)
    log(`      deposit fee  ${payment.feeSats} sats (Bitcoin, paid by the demo wallet on top of the value)`)
    log(`      side-chain gas ${coin(gasWei)} (pegged coin, paid to the federation's fee address)`)
    for (const t of trips) {
      log(`      ${t.asset.padEnd(5)} in ${formatUnits(t.valueIn, t.decimals)}, minted ${formatUnits(t.minted, t.decimals)}, out ${formatUnits(t.valueOut, t.decimals)} (main chain ${t.depositTx} → ${t.payoutTx}); main-chain gas paid by the user ${formatUnits(t.mainGasWei, 18)} ETH, side-chain gas ${coin(t.sidechainGasWei)}${t.selfRelayed ? '; deposit relayed by the demo' : ''}`)
    }
    if (valueOut !== PEG_IN_SATS - feeShare) problems.push(`received ${valueOut} sats, expected ${PEG_IN_SATS} − ${feeShare}`)
    if (afterIn.fedSats - start.fedSats !== PEG_IN_SATS) problems.push(`the peg-in added ${afterIn.fedSats - start.fedSats} sats to the reserves`)
    if (end.fedSats !== start.fedSats || end.supplyWei !== start.supplyWei || end.pendingSats !== start.pendingSats) {
      problems.push(`reserves did not return to where they started (federation ${start.fedSats} → ${end.fedSats} sats, supply ${start.supplyWei} → ${end.supplyWei} wei)`)
    }
    const ok = problems.length === 0
    log(ok ? `\nValue preserved: every satoshi in came out, less the announced fee${trips.length > 0 ? `; every wei of ETH and every unit of ${trips.slice(1).map((t) => t.asset).join(', ')} came out exactly` : ''}.` : `\nVALUE NOT PRESERVED:\n  ${problems.join('\n  ')}`)
    return {
      ok,
      valueInSats: PEG_IN_SATS,
      valueOutSats: valueOut,
      pegOutFeeSats: feeShare,
      bitcoinDepositFeeSats: payment.feeSats,
      sidechainGasWei: gasWei,
      pegInTxid: payment.txid,
      pegOutTxid: batchTxid,
      problems,
      evm: trips,
    }
  } finally {
    provider.destroy()
  }
}
