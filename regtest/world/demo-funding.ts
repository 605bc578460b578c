// The world's demo account gets its coin by a real peg-in of regtest BTC at the world's first start (issue 11 item 2),
// never by a genesis allocation. `<datadir>/demo-funding.json` records the Bitcoin payment as soon as it is made and
// its mint once done, so a restart neither pays twice nor forgets to wait for a payment it made before stopping.
import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { JsonRpcProvider } from 'ethers'
import { z } from 'zod'
import { createFederation } from '../../peg/bitcoin/index.js'
import { REGTEST_CHAIN_ID, WEI_PER_SAT } from '../../sidechain/chain/params.js'
import { hexToBytes } from '../../spv/base/bytes.js'
import type { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { DemoWallet } from '../bitcoin/demo-wallet.js'
import { scanCoins } from '../bitcoin/scan-coins.js'
import { fundByPegIn, waitForPegIn, type PegInFunding } from './pegin-funding.js'
import { DEMO_FUNDING_SATS, type WorldSetup } from './setup.js'

const recordSchema = z.object({ txid: z.string(), sats: z.string(), balanceBefore: z.string(), minted: z.boolean() })
type FundingRecord = z.infer<typeof recordSchema>

export function demoFundingFile(dir: string): string {
  return path.join(dir, 'demo-funding.json')
}

async function readRecord(file: string): Promise<FundingRecord | undefined> {
  try {
    return recordSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

async function writeRecord(file: string, r: FundingRecord): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(r, null, 2) + '\n')
  await rename(`${file}.tmp`, file)
}

export interface DemoFundingInput {
  readonly dir: string
  readonly setup: WorldSetup
  readonly rpc: BitcoinRpcClient
  readonly sidechainRpcUrl: string
  readonly progress: (line: string) => void
}

/** Pegs DEMO_FUNDING_SATS in to the demo account unless done before; returns whether it did anything. */
export async function fundDemoAccount(input: DemoFundingInput): Promise<boolean> {
  const { setup, rpc, progress } = input
  const file = demoFundingFile(input.dir)
  const record = await readRecord(file)
  if (record?.minted === true) return false
  // A world made before this rule had its demo account allocated at genesis: nothing to peg in (the audit reports it).
  if (record === undefined && Array.isArray(setup.chain['alloc']) && (setup.chain['alloc'] as unknown[]).length > 0) {
    progress('this world\'s genesis allocates native coin (made before every wei had to be pegged): `causeway audit` reports it as unbacked')
    return false
  }
  const bridge = setup.chain['bridge'] as { federation: { pubkeys: string[]; threshold: number }; bitcoin: { confirmations?: number } }
  const provider = new JsonRpcProvider(input.sidechainRpcUrl, REGTEST_CHAIN_ID, { staticNetwork: true })
  try {
    const wallet = new DemoWallet({ seed: setup.demo.bitcoinSeed })
    for (const c of await scanCoins(rpc, wallet.scriptPubKey)) wallet.track(c)
    const recipient = setup.demo.sidechainAddress
    const funding: PegInFunding = {
      rpc,
      wallet,
      fed: createFederation(bridge.federation.pubkeys.map((k) => hexToBytes(k, 'pubkey', 33)), bridge.federation.threshold),
      chainId: REGTEST_CHAIN_ID,
      recipient: hexToBytes(recipient, 'demo address', 20),
      sats: DEMO_FUNDING_SATS,
      confirmations: bridge.bitcoin.confirmations ?? 6,
      balance: () => provider.getBalance(recipient),
      mine: (n) => rpc.generateToAddress(n, wallet.address),
      progress,
      timeoutMs: 300_000,
    }
    progress(`funding the demo account ${recipient} by a peg-in of ${Number(DEMO_FUNDING_SATS) / 1e8} regtest BTC (no coin exists at genesis)`)
    let txid: string
    let before: bigint
    if (record === undefined) {
      before = await provider.getBalance(recipient)
      const paid = await fundByPegIn({
        ...funding,
        onPaid: (id) => writeRecord(file, { txid: id, sats: DEMO_FUNDING_SATS.toString(), balanceBefore: before.toString(), minted: false }),
      })
      txid = paid.txid
    } else {
      // Paid before the last stop: only wait for the mint.
      txid = record.txid
      before = BigInt(record.balanceBefore)
      await waitForPegIn(funding, txid, before)
    }
    await writeRecord(file, { txid, sats: DEMO_FUNDING_SATS.toString(), balanceBefore: before.toString(), minted: true })
    progress(`the demo account holds ${(await provider.getBalance(recipient)) / WEI_PER_SAT} sats of pegged BTC`)
    return true
  } finally {
    provider.destroy()
  }
}
