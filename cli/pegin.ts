// `causeway pegin address|status|register`: where to send BTC for a side-chain account, how far a deposit has got,
// and registering a deposit's proof yourself (ARCHITECTURE.md decision 6: anyone may, so no one can censor it).
import type { Command } from 'commander'
import { Transaction } from 'bitcoinjs-lib'
import { encodePegInMemo } from '../peg/bitcoin/index.js'
import { Relayer } from '../federation/signer/relayer.js'
import type { BridgeLog } from '../federation/signer/bridge-client.js'
import type { BitcoinRpcClient } from '../federation/bitcoin/rpc-client.js'
import { bytesToHex, hexToBytes } from '../spv/base/bytes.js'
import { CausewayError, isCausewayError } from '../spv/base/errors.js'
import { connectBitcoin, openSession, resolveEndpoints, resolveKey, withEndpointOptions, withKeyOptions, type EndpointFlags, type KeyFlags, type Session } from './connect.js'
import { bridgeConfirmations, bridgeLogs, bridgeParams, federationView, receiptEvents, sendBridge, txidArg } from './bridge-view.js'
import { federationOutputsOf, type TxFederationOutput } from './pegin-outputs.js'
import { lines, runReport, type Progress } from './report.js'
import { pollUntil, sleep } from '../io/poll.js'
import { formatBtc, looksLikeSidechainAddress, parseSidechainAddress, parseTxid } from './values.js'
import type { Io } from './output.js'

type Flags = EndpointFlags & KeyFlags & { recipient?: string; relayHeaders?: boolean; timeout?: string }

export function registerPegin(program: Command, io: Io, exit: (code: number) => void): void {
  const pegin = program.command('pegin').description('Move BTC onto the side chain: deposit address, status, registering a proof')

  withEndpointOptions(
    pegin
      .command('address')
      .description('The Bitcoin deposit address of a side-chain account (and the OP_RETURN alternative)')
      .argument('<sidechain-address>', 'the side-chain account to credit (0x…)'),
    false,
  ).action(async (address: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags) => {
      const recipient = parseSidechainAddress(address)
      const s = await openSession(await resolveEndpoints(flags as Flags, { bitcoin: false }))
      try {
        const [deposit, fed, params] = await Promise.all([s.read.getDepositAddress([recipient as `0x${string}`]), federationView(s), bridgeParams(s)])
        const memo = encodePegInMemo({ chainId: s.chainId, recipient: hexToBytes(recipient, 'recipient', 20) })
        return {
          json: {
            recipient,
            depositAddress: deposit,
            federationAddress: fed.address,
            memoScript: `0x${bytesToHex(memo)}`,
            memoData: `0x${bytesToHex(memo.subarray(2))}`,
            confirmations: params.confirmations,
            minPegInSats: params.minPegInSats.toString(),
            chainId: s.chainId.toString(),
          },
          text: [
            `Send BTC to ${deposit}`,
            `  (the deposit address of ${recipient}; minimum ${formatBtc(params.minPegInSats)} BTC, credited after ${params.confirmations} confirmations)`,
            `Then, once it is confirmed: causeway pegin register <txid> --recipient ${recipient}`,
            '',
            `Or: pay the federation address ${fed.address} in a transaction that also carries`,
            `  one OP_RETURN output with the memo 0x${bytesToHex(memo.subarray(2))}`,
          ].join('\n'),
        }
      } finally {
        s.close()
      }
    }),
  )

  withEndpointOptions(
    pegin
      .command('status')
      .description('How far a peg-in has got: by Bitcoin txid (seen, confirmations, registered, minted) or by side-chain address')
      .argument('<btc-txid|sidechain-address>', 'a Bitcoin transaction id, or a side-chain address')
      .option('--recipient <address>', 'the side-chain account a deposit-address payment is for (to recognise its outputs)'),
  ).action(async (what: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags) => {
      const f = flags as Flags
      if (looksLikeSidechainAddress(what)) return addressStatus(f, parseSidechainAddress(what))
      return txStatus(f, parseTxid(what))
    }),
  )

  withKeyOptions(
    withEndpointOptions(
      pegin
        .command('register')
        .description('Register a peg-in yourself: fetch its proof from the Bitcoin node, wait for the confirmations on the bridge, and send it')
        .argument('<btc-txid>', 'the Bitcoin transaction paying a deposit address or the federation address with a memo')
        .option('--recipient <address>', 'the side-chain account whose deposit address the transaction pays')
        .option('--relay-headers', 'send the Bitcoin headers the bridge lacks yourself, instead of waiting for the signers to')
        .option('--timeout <seconds>', 'how long to wait for confirmations', '900'),
    ),
  ).action(async (txid: string, _o: unknown, cmd: Command) => runReport(io, exit, cmd, async (flags, progress) => register(flags as Flags, parseTxid(txid), progress)))
}

/** Where the node has the transaction: null when it does not know it. */
async function locate(btc: BitcoinRpcClient, txid: string): Promise<{ raw: Uint8Array; inMempool: boolean; blockHash: string | null } | null> {
  let raw: Uint8Array
  try {
    raw = await btc.getRawTransaction(txid)
  } catch (e) {
    if (isCausewayError(e, 'BTC_RPC_ERROR')) return null
    throw e
  }
  const blockHash = await btc.getTransactionBlockHash(txid)
  return { raw, blockHash, inMempool: blockHash === null && (await btc.getMempoolEntry(txid)) !== null }
}

async function eventsOfTx(s: Session, txid: string): Promise<BridgeLog[]> {
  const topic = txidArg(txid)
  const [minted, refused] = await Promise.all([bridgeLogs(s, { event: 'PegInMinted', topic1: topic }), bridgeLogs(s, { event: 'PegInRefused', topic1: topic })])
  return [...minted, ...refused].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
}

/** Payments without a memo the bridge refunded on Bitcoin or holds for their owner (issue 11 item 3). */
async function settledEventsOfTx(s: Session, txid: string): Promise<BridgeLog[]> {
  const topic = txidArg(txid)
  const [refunded, held] = await Promise.all([bridgeLogs(s, { event: 'PegInRefunded', topic1: topic }), bridgeLogs(s, { event: 'PegInHeld', topic1: topic })])
  return [...refunded, ...held].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
}

const settledJson = (e: BridgeLog) => ({
  event: e.name,
  vout: Number(e.args.vout),
  valueSats: (e.args.valueSats as bigint).toString(),
  reason: e.args.reason as string,
  ...(e.name === 'PegInRefunded' ? { refundScript: e.args.refundScript as string, requestId: (e.args.requestId as bigint).toString() } : {}),
  block: e.blockNumber,
})

const eventJson = (e: BridgeLog): { event: string; vout: number; recipient: string; valueSats: string; amountWei?: string; reason?: string; depositAddress: boolean; block: number } => ({
  event: e.name,
  vout: Number(e.args.vout),
  recipient: e.args.recipient as string,
  valueSats: (e.args.valueSats as bigint).toString(),
  ...(e.name === 'PegInMinted' ? { amountWei: (e.args.amountWei as bigint).toString() } : { reason: e.args.reason as string }),
  depositAddress: e.args.depositAddress as boolean,
  block: e.blockNumber,
})

/** Recipients whose deposit outputs to look for: the user's, those named by the tx's events, registered deposit scripts. */
function candidateRecipients(f: Flags, events: readonly BridgeLog[]): Uint8Array[] {
  const set = new Set<string>()
  if (f.recipient !== undefined) set.add(parseSidechainAddress(f.recipient).toLowerCase())
  for (const e of events) set.add((e.args.recipient as string).toLowerCase())
  return [...set].map((a) => hexToBytes(a, 'recipient', 20))
}

async function txStatus(f: Flags, txid: string) {
  const endpoints = await resolveEndpoints(f, { bitcoin: true })
  const btc = await connectBitcoin(endpoints.bitcoin)
  const s = await openSession(endpoints)
  try {
    const where = await locate(btc, txid)
    if (where === null) throw new CausewayError('CLI_TX_NOT_FOUND', `the Bitcoin node at ${btc.url} does not know transaction ${txid} (not in its mempool or chain)`, { details: { txid } })
    const [params, fedView, events, settled] = await Promise.all([bridgeParams(s), federationView(s), eventsOfTx(s, txid), settledEventsOfTx(s, txid)])
    const N = params.confirmations
    let confirmations = 0
    let height: number | null = null
    if (where.blockHash !== null) {
      const b = await btc.getBlock(where.blockHash, true)
      confirmations = b.confirmations
      height = b.height
    }
    const onBridge = where.blockHash === null ? 0 : Math.max(0, await bridgeConfirmations(s, where.blockHash))
    const outputs = federationOutputsOf(where.raw, fedView.fed, s.chainId, candidateRecipients(f, events))
    const rows = await Promise.all(
      outputs.map(async (o: TxFederationOutput) => ({
        vout: o.vout,
        valueSats: o.valueSats.toString(),
        kind: o.kind,
        recipient: o.recipient === null ? null : `0x${bytesToHex(o.recipient)}`,
        ...(o.reason === undefined ? {} : { reason: o.reason }),
        registered: await s.read.isBtcOutpointRegistered([txidArg(txid), o.vout]),
      })),
    )
    const minted = events.filter((e) => e.name === 'PegInMinted')
    const mintedWei = minted.reduce((sum, e) => sum + (e.args.amountWei as bigint), 0n)
    const refunded = settled.some((e) => e.name === 'PegInRefunded')
    const stage =
      minted.length > 0 ? 'minted'
      : refunded ? 'refunded'
      : settled.length > 0 ? 'held'
      : rows.some((r) => r.registered) ? 'registered'
      : confirmations >= N ? 'confirmed'
      : where.blockHash !== null ? 'confirming'
      : 'in mempool'
    const json = {
      txid,
      stage,
      seen: where.blockHash !== null ? 'block' : where.inMempool ? 'mempool' : 'known',
      blockHash: where.blockHash,
      height,
      confirmations,
      required: N,
      bridgeConfirmations: onBridge,
      outputs: rows,
      registered: rows.length > 0 && rows.every((r) => r.registered),
      minted: minted.length > 0,
      mintedWei: mintedWei.toString(),
      events: events.map(eventJson),
      settled: settled.map(settledJson),
    }
    const text = [
      lines([
        ['transaction', txid],
        ['stage', stage],
        ['seen', where.blockHash !== null ? `in block ${where.blockHash} (height ${height})` : where.inMempool ? 'in the mempool' : 'known to the node, not in a block'],
        ['confirmations', `${confirmations}/${N} on Bitcoin, ${onBridge}/${N} on the bridge's header chain`],
        ['minted', minted.length > 0 ? `${formatBtc(mintedWei / 10n ** 10n)} BTC` : 'not yet'],
      ]),
      ...(rows.length === 0
        ? ['no output pays the federation that can be attributed (a deposit-address payment? give --recipient)']
        : rows.map((r) => `  output ${r.vout}: ${formatBtc(BigInt(r.valueSats))} BTC, ${r.kind}${r.recipient === null ? '' : ` to ${r.recipient}`}${r.reason === undefined ? '' : ` (${r.reason})`}, ${r.registered ? 'registered' : 'not registered'}`)),
      ...events.filter((e) => e.name === 'PegInRefused').map((e) => `  output ${Number(e.args.vout)} refused: ${String(e.args.reason)}`),
      ...settled.map((e) =>
        e.name === 'PegInRefunded'
          ? `  output ${Number(e.args.vout)} refunded on Bitcoin by peg-out request ${e.args.requestId}: ${String(e.args.reason)}`
          : `  output ${Number(e.args.vout)} held: ${String(e.args.reason)}`,
      ),
    ].join('\n')
    return { json, text }
  } finally {
    s.close()
  }
}

async function addressStatus(f: Flags, address: string) {
  const s = await openSession(await resolveEndpoints(f, { bitcoin: false }))
  try {
    const all = [...(await bridgeLogs(s, { event: 'PegInMinted' })), ...(await bridgeLogs(s, { event: 'PegInRefused' }))]
    const events = all
      .filter((e) => (e.args.recipient as string).toLowerCase() === address.toLowerCase())
      .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    const [deposit, held, balance] = await Promise.all([
      s.read.getDepositAddress([address as `0x${string}`]),
      s.read.getHeldDeposits([address as `0x${string}`]),
      s.provider.getBalance(address),
    ])
    const mintedWei = events.filter((e) => e.name === 'PegInMinted').reduce((sum, e) => sum + (e.args.amountWei as bigint), 0n)
    const list = events.map((e) => ({ txid: displayOf(e), ...eventJson(e) }))
    return {
      json: { address, depositAddress: deposit, heldSats: held.toString(), mintedWei: mintedWei.toString(), balanceWei: balance.toString(), events: list },
      text: [
        lines([
          ['address', address],
          ['deposit address', deposit],
          ['minted to it', `${formatBtc(mintedWei / 10n ** 10n)} BTC in ${list.filter((e) => e.event === 'PegInMinted').length} peg-in(s)`],
          ['held (below minimum)', `${formatBtc(held)} BTC`],
          ['balance', `${formatBtc(balance / 10n ** 10n)} BTC`],
        ]),
        ...list.map((e) => `  ${e.event === 'PegInMinted' ? 'minted ' : 'refused'} ${e.txid}:${e.vout} ${formatBtc(BigInt(e.valueSats))} BTC${e.reason === undefined ? '' : ` (${e.reason})`}`),
      ].join('\n'),
    }
  } finally {
    s.close()
  }
}

const displayOf = (e: BridgeLog): string => {
  const t = hexToBytes(e.args.txid as string, 'txid', 32)
  return bytesToHex(t.slice().reverse())
}

async function register(f: Flags, txid: string, progress: Progress) {
  const endpoints = await resolveEndpoints(f, { bitcoin: true })
  const key = await resolveKey(f, endpoints.world)
  const btc = await connectBitcoin(endpoints.bitcoin)
  const s = await openSession(endpoints, key.privateKey)
  const timeoutMs = Number(f.timeout ?? '900') * 1000
  const deadline = Date.now() + timeoutMs
  try {
    const [params, fedView] = await Promise.all([bridgeParams(s), federationView(s)])
    const N = params.confirmations
    let where = await locate(btc, txid)
    if (where === null) throw new CausewayError('CLI_TX_NOT_FOUND', `the Bitcoin node at ${btc.url} does not know transaction ${txid}`, { details: { txid } })
    // Which form: a deposit to --recipient (registerBtcDeposit), else the memo form or a registered deposit
    // address, which the bridge recognises from the transaction alone (registerBtcTransaction).
    const recipient = f.recipient === undefined ? undefined : parseSidechainAddress(f.recipient)
    const registeredScripts = new Set((await bridgeLogs(s, { event: 'DepositAddressRegistered' })).map((e) => (e.args.btcScript as string).slice(2).toLowerCase()))
    const outputs = federationOutputsOf(where.raw, fedView.fed, s.chainId, recipient === undefined ? [] : [hexToBytes(recipient, 'recipient', 20)])
    const tx = Transaction.fromBuffer(Buffer.from(where.raw))
    const knownDeposit = tx.outs.some((o) => registeredScripts.has(Buffer.from(o.script).toString('hex')))
    const useDeposit = outputs.some((o) => o.kind === 'deposit')
    if (!useDeposit && !outputs.some((o) => o.kind === 'memo') && !knownDeposit) {
      throw new CausewayError(
        'CLI_RECIPIENT_UNKNOWN',
        recipient === undefined
          ? `transaction ${txid} pays no federation output this command can attribute: if it pays a deposit address, give --recipient <side-chain address>`
          : `transaction ${txid} pays neither the deposit address of ${recipient} nor the federation address with a memo`,
      )
    }
    // Wait for the block, and for the bridge's header chain to have it N deep.
    let last = ''
    let relayer: Relayer | undefined
    let first = true
    const confirmedOnBridge = async (): Promise<true | undefined> => {
      if (!first && where!.blockHash === null) where = (await locate(btc, txid)) ?? where
      first = false
      if (where!.blockHash !== null) {
        const onBridge = await bridgeConfirmations(s, where!.blockHash)
        if (onBridge >= N) return true
        const b = await btc.getBlock(where!.blockHash, true)
        const msg =
          b.confirmations < N
            ? `waiting for Bitcoin blocks: ${b.confirmations}/${N} confirmations (bridge: ${Math.max(0, onBridge)}/${N})`
            : `waiting for the bridge's header chain: ${Math.max(0, onBridge)}/${N} confirmations there (Bitcoin: ${b.confirmations}/${N})`
        if (msg !== last) progress(msg)
        last = msg
        if (f.relayHeaders === true && b.confirmations >= N) {
          relayer ??= headerRelayer(s, btc, N, progress)
          try {
            if ((await relayer.relayHeaders()) > 0) await sleep(1500)
          } catch (e) {
            progress(`could not relay headers: ${(e as Error).message}`)
          }
        }
      } else if (last !== 'mempool') {
        progress(`waiting for transaction ${txid} to be mined (it is ${where!.inMempool ? 'in the mempool' : 'not in a block'})`)
        last = 'mempool'
      }
      return undefined
    }
    // --timeout counts from the start of the command, not from here.
    await pollUntil(`${N} confirmations of ${txid} on the bridge`, confirmedOnBridge, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      intervalMs: 1000,
      onTimeout: () => new CausewayError('CLI_TIMEOUT', `gave up after ${timeoutMs / 1000} s waiting for ${N} confirmations of ${txid} on the bridge (see --timeout, --relay-headers)`),
    })
    const proof = await btc.getTxOutProof([txid], where!.blockHash!)
    progress(`block ${where!.blockHash} has ${N}+ confirmations on the bridge; registering ${txid} as ${key.address}`)
    const receipt = useDeposit
      ? await sendBridge(s, 'registerBtcDeposit', [where!.raw, proof, recipient], progress)
      : await sendBridge(s, 'registerBtcTransaction', [where!.raw, proof], progress)
    const events = receiptEvents(receipt).filter((e) => e.name === 'PegInMinted' || e.name === 'PegInRefused')
    const mintedWei = events.filter((e) => e.name === 'PegInMinted').reduce((sum, e) => sum + (e.args.amountWei as bigint), 0n)
    return {
      json: { txid, method: useDeposit ? 'registerBtcDeposit' : 'registerBtcTransaction', sidechainTx: receipt.hash, block: receipt.blockNumber, mintedWei: mintedWei.toString(), events: events.map(eventJson) },
      text: [
        `registered ${txid} in side-chain transaction ${receipt.hash} (block ${receipt.blockNumber})`,
        ...events.map((e) =>
          e.name === 'PegInMinted'
            ? `  minted ${formatBtc((e.args.amountWei as bigint) / 10n ** 10n)} BTC to ${String(e.args.recipient)} (output ${Number(e.args.vout)})`
            : `  output ${Number(e.args.vout)} not minted: ${String(e.args.reason)}`,
        ),
      ].join('\n'),
    }
  } finally {
    s.close()
  }
}

/** A relayer of the headers the bridge lacks, as anyone may run (federation/signer/relayer.ts), signed by the user. */
function headerRelayer(s: Session, btc: BitcoinRpcClient, confirmations: number, progress: Progress): Relayer {
  return new Relayer({
    btc,
    bridge: s.bridge,
    confirmations,
    isFederationScript: () => false,
    pendingBatchTxids: () => new Set(),
    log: (_level, msg, fields) => progress(`${msg}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`),
  })
}
