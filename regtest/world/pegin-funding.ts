// Funding a side-chain account the only way native coin comes to exist (ARCHITECTURE.md decision 1): a real peg-in
// of regtest BTC. The world's first start funds its demo account so (issue 11 item 2: no genesis allocation of the
// native coin); test peg worlds fund their test account the same way. The payment uses the OP_RETURN form to the
// plain federation address, which the signers' relayers register by themselves, so the recipient needs no coin.
import { encodePegInMemo, federationScriptPubKey, type Federation } from '../../peg/bitcoin/index.js'
import { CausewayError } from '../../spv/base/errors.js'
import { pollUntil } from '../../io/poll.js'
import type { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import type { DemoWallet } from '../bitcoin/demo-wallet.js'

const WEI_PER_SAT = 10n ** 10n

export interface PegInFunding {
  readonly rpc: BitcoinRpcClient
  readonly wallet: DemoWallet
  readonly fed: Federation
  readonly chainId: bigint
  /** The side-chain account to fund (20 bytes). */
  readonly recipient: Uint8Array
  readonly sats: bigint
  /** The bridge's required confirmations. */
  readonly confirmations: number
  /** The recipient's side-chain balance now. */
  readonly balance: () => Promise<bigint>
  /** Mines `n` Bitcoin blocks (to the wallet). */
  readonly mine: (n: number) => Promise<unknown>
  readonly progress?: (line: string) => void
  readonly timeoutMs?: number
  /** Called with the Bitcoin txid as soon as the payment is broadcast (so a restart can tell it was made). */
  readonly onPaid?: (txid: string) => Promise<void> | void
}

/** Pays `sats` to the federation for `recipient`, mines the confirmations and waits until the bridge minted them. */
export async function fundByPegIn(f: PegInFunding): Promise<{ txid: string }> {
  const progress = f.progress ?? (() => {})
  const before = await f.balance()
  const memo = encodePegInMemo({ chainId: f.chainId, recipient: f.recipient }).subarray(2)
  const pay = await f.wallet.pay(f.rpc, { outputs: [{ scriptPubKey: federationScriptPubKey(f.fed), valueSats: f.sats }], opReturn: memo })
  await f.onPaid?.(pay.txid)
  progress(`pegging in ${f.sats} sats of regtest BTC (Bitcoin tx ${pay.txid}); mining ${f.confirmations} confirmations`)
  return waitForPegIn(f, pay.txid, before)
}

/** Waits (mining a block now and then, so the peg-in gets deep enough) until `f.sats` more were minted. */
export async function waitForPegIn(f: PegInFunding, txid: string, before: bigint): Promise<{ txid: string }> {
  const progress = f.progress ?? (() => {})
  await f.mine(f.confirmations)
  const want = before + f.sats * WEI_PER_SAT
  const timeoutMs = f.timeoutMs ?? 180_000
  let lastMine = Date.now()
  progress('waiting for the signers to register the peg-in and the bridge to mint it')
  return pollUntil(`the peg-in ${txid}`, async () => ((await f.balance()) >= want ? { txid } : undefined), {
    timeoutMs,
    intervalMs: 250,
    onWait: async () => {
      if (Date.now() - lastMine > 10_000) {
        await f.mine(1)
        lastMine = Date.now()
      }
    },
    onTimeout: () => new CausewayError('WORLD_FUNDING_TIMEOUT', `the peg-in ${txid} was not minted after ${timeoutMs / 1000} s: see the signers' logs`),
  })
}
