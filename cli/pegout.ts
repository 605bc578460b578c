// `causeway pegout <btc-address> <amount>` (burn native BTC on the side chain for a payment on Bitcoin, fee shown
// before sending) and `causeway pegout status <id>` (requested → batched → signed → confirmed).
import type { Command } from 'commander'
import { createInterface } from 'node:readline/promises'
import { address as btcAddress } from 'bitcoinjs-lib'
import { addressNetworkFor, parsePegOutAddress, WEI_PER_SAT, type AddressNetwork } from '../peg/bitcoin/index.js'
import { getBitcoinNetwork } from '../spv/bitcoin/networks.js'
import { hexToBytes } from '../spv/base/bytes.js'
import { CausewayError } from '../spv/base/errors.js'
import type { WorldFile } from './world-file.js'
import { connectBitcoin, openSession, resolveEndpoints, resolveKey, withEndpointOptions, withKeyOptions, type EndpointFlags, type KeyFlags } from './connect.js'
import { bridgeParams, displayTxid, receiptEvents, sendBridge } from './bridge-view.js'
import { asCausewayError, lines, runReport } from './report.js'
import { formatBtc, parseBtcAmount, parsePegOutId, pegOutStatusName } from './values.js'
import type { Io } from './output.js'

type Flags = EndpointFlags & KeyFlags & { yes?: boolean }

/** The address parameters of the world's Bitcoin node, when a world file says which (as the bridge's config does). */
function worldAddressNetwork(world: WorldFile | undefined): AddressNetwork | undefined {
  if (world === undefined) return undefined
  return addressNetworkFor(getBitcoinNetwork(world.bitcoin.network), world.bitcoin.bech32)
}

export function registerPegout(program: Command, io: Io, exit: (code: number) => void): void {
  const pegout = withKeyOptions(
    withEndpointOptions(
      program
        .command('pegout')
        .description('Move BTC back to Bitcoin: burn it on the side chain for a payment to <btc-address> (fee shown before sending)')
        .argument('<btc-address>', 'the Bitcoin address to pay')
        .argument('<amount-btc>', 'the amount to burn, in BTC (a whole number of satoshis); the recipient gets it less its share of the batch fee')
        .option('--yes', 'do not ask for confirmation on a terminal'),
    ),
  )
  pegout.action(async (address: string, amount: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags, progress) => {
      const f = flags as Flags
      const sats = parseBtcAmount(amount)
      const endpoints = await resolveEndpoints(f, { bitcoin: false })
      // Refuse a wrong-network address before anything is sent (the bridge would refuse it too: dry run below).
      const addrNet = f.rpc === undefined ? worldAddressNetwork(endpoints.world) : undefined
      if (addrNet !== undefined) parsePegOutAddress(address, addrNet)
      const key = await resolveKey(f, endpoints.world)
      const s = await openSession(endpoints, key.privateKey)
      try {
        const [params, fee] = await Promise.all([bridgeParams(s), s.read.estimatePegOutFeeFor([sats, address])])
        if (sats < params.minPegOutSats) {
          throw new CausewayError('PEG_BELOW_MINIMUM', `${formatBtc(sats)} BTC is below the peg-out minimum of ${formatBtc(params.minPegOutSats)} BTC`)
        }
        const receives = sats - fee
        progress(`peg-out of ${formatBtc(sats)} BTC from ${key.address} to ${address}`)
        progress(`  fee share: at most ${formatBtc(fee)} BTC at today's fee rate (estimatePegOutFeeFor: its own output, and inputs in proportion to its amount)`)
        progress(`  the recipient receives at least ${formatBtc(receives)} BTC`)
        if (receives <= 0n) throw new CausewayError('CLI_AMOUNT_BELOW_FEE', `${formatBtc(sats)} BTC does not cover the fee of about ${formatBtc(fee)} BTC`)
        if (process.stdin.isTTY === true && f.yes !== true) {
          const rl = createInterface({ input: process.stdin, output: process.stderr })
          const answer = await rl.question('send it? [y/N] ')
          rl.close()
          if (!/^y(es)?$/i.test(answer.trim())) throw new CausewayError('CLI_CANCELLED', 'nothing sent')
        }
        const receipt = await sendBridge(s, 'pegOut', [address], progress, sats * WEI_PER_SAT)
        const requested = receiptEvents(receipt).find((e) => e.name === 'PegOutRequested')
        if (requested === undefined) throw new CausewayError('CLI_TX_FAILED', `transaction ${receipt.hash} has no PegOutRequested event`)
        const id = requested.args.id as bigint
        return {
          json: {
            id: id.toString(),
            sidechainTx: receipt.hash,
            block: receipt.blockNumber,
            from: key.address,
            btcAddress: address,
            amountSats: sats.toString(),
            amountWei: (sats * WEI_PER_SAT).toString(),
            feeEstimateSats: fee.toString(),
            receivesAtLeastSats: receives.toString(),
          },
          text: [
            `peg-out request ${id} queued (side-chain transaction ${receipt.hash}, block ${receipt.blockNumber})`,
            lines([
              ['burned', `${formatBtc(sats)} BTC`],
              ['fee share (at most)', `${formatBtc(fee)} BTC`],
              ['to', `${address}, at least ${formatBtc(receives)} BTC`],
            ]),
            `follow it with: causeway pegout status ${id}`,
          ].join('\n'),
        }
      } finally {
        s.close()
      }
    }),
  )

  withEndpointOptions(
    pegout
      .command('status')
      .description('Where a peg-out request is: requested, batched, signed, confirmed; its batch and Bitcoin transaction')
      .argument('<id>', 'the request id `causeway pegout` printed'),
  ).action(async (idText: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags) => {
      const f = flags as Flags
      const id = parsePegOutId(idText)
      const endpoints = await resolveEndpoints(f, { bitcoin: false })
      const s = await openSession(endpoints)
      try {
        type View = Awaited<ReturnType<typeof s.read.getPegOut>>
        const q = await s.read.getPegOut([id]).catch((e: unknown) => {
          const err = asCausewayError(e)
          if (err?.code === 'BRIDGE_UNKNOWN_REQUEST') return { status: 0 } as View
          throw e
        })
        const status = Number(q.status)
        if (status === 0) throw new CausewayError('CLI_PEGOUT_UNKNOWN', `the bridge has no peg-out request ${id}`, { details: { id: id.toString() } })
        const addrNet = worldAddressNetwork(endpoints.world)
        let address: string | null = null
        try {
          if (addrNet !== undefined) address = btcAddress.fromOutputScript(Buffer.from(hexToBytes(q.btcScript, 'btcScript')), addrNet)
        } catch {
          address = null
        }
        let batch: { batchId: string; status: string; txid: string; feeSats: string; requestCount: number } | null = null
        let bitcoin: { seen: string; confirmations: number; blockHash: string | null } | { error: string } | null = null
        if (q.batchId > 0n) {
          const b = await s.read.getBatch([q.batchId])
          const txid = displayTxid(b.txid)
          batch = { batchId: q.batchId.toString(), status: pegOutStatusName(Number(b.status)), txid, feeSats: b.feeSats.toString(), requestCount: Number(b.requestCount) }
          if (status >= 3 && endpoints.bitcoin !== undefined) {
            try {
              const btc = await connectBitcoin(endpoints.bitcoin)
              const blockHash = await btc.getTransactionBlockHash(txid).catch(() => null)
              if (blockHash !== null) bitcoin = { seen: 'block', blockHash, confirmations: (await btc.getBlock(blockHash, true)).confirmations }
              else bitcoin = { seen: (await btc.getMempoolEntry(txid)) !== null ? 'mempool' : 'not yet', blockHash: null, confirmations: 0 }
            } catch (e) {
              bitcoin = { error: (e as Error).message }
            }
          }
        }
        const statusName = pegOutStatusName(status)
        const receives = status >= 2 ? q.valueSats - q.feeSats : null
        return {
          json: {
            id: id.toString(),
            status: statusName,
            requester: q.requester,
            btcScript: q.btcScript,
            btcAddress: address,
            valueSats: q.valueSats.toString(),
            feeSats: q.feeSats.toString(),
            receivesSats: receives === null ? null : receives.toString(),
            requestedAt: Number(q.requestedAt),
            batch,
            bitcoin,
          },
          text: lines([
            ['peg-out', id.toString()],
            ['status', statusName],
            ['to', address ?? q.btcScript],
            ['amount', `${formatBtc(q.valueSats)} BTC`],
            ['fee share', status >= 2 ? `${formatBtc(q.feeSats)} BTC` : 'set when batched'],
            ...(receives === null ? [] : ([['recipient gets', `${formatBtc(receives)} BTC`]] as [string, string][])),
            ['batch', batch === null ? 'not yet' : `${batch.batchId} (${batch.status}, ${batch.requestCount} request(s), fee ${formatBtc(BigInt(batch.feeSats))} BTC)`],
            ['Bitcoin transaction', batch === null ? 'not yet' : batch.txid],
            ['on Bitcoin', bitcoin === null ? (status >= 3 ? 'no Bitcoin node to ask' : 'not broadcast yet') : 'error' in bitcoin ? bitcoin.error : bitcoin.seen === 'block' ? `${bitcoin.confirmations} confirmation(s)` : bitcoin.seen],
          ]),
        }
      } finally {
        s.close()
      }
    }),
  )
}
