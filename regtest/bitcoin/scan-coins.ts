// Finds a wallet's coins again from the chain itself: every output paying its script, in every block from a start
// height and in the mempool, less every output something spends. Bitcoin Core's `scantxoutset` is not in bcoin,
// and bcoin's address index returns nothing with this project's LevelDB binding (its range reads use options the
// binding no longer knows), so the demo wallet of a long-running world scans. Regtest blocks are small: a few
// thousand take seconds.
import { Block, Transaction } from 'bitcoinjs-lib'
import type { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'
import { equalBytes } from '../../spv/base/bytes.js'
import type { WalletUtxo } from './demo-wallet.js'

const PARALLEL = 16

export async function scanCoins(rpc: BitcoinRpcClient, scriptPubKey: Uint8Array, fromHeight = 1): Promise<WalletUtxo[]> {
  const coins = new Map<string, WalletUtxo>()
  const apply = (tx: Transaction, height: number | null) => {
    if (!tx.isCoinbase()) for (const i of tx.ins) coins.delete(`${Buffer.from(i.hash).reverse().toString('hex')}:${i.index}`)
    const txid = tx.getId()
    tx.outs.forEach((o, vout) => {
      if (equalBytes(o.script, scriptPubKey)) coins.set(`${txid}:${vout}`, { txid, vout, valueSats: BigInt(o.value), height, coinbase: tx.isCoinbase() })
    })
  }
  const tip = await rpc.getBlockCount()
  for (let h = fromHeight; h <= tip; h += PARALLEL) {
    const heights = Array.from({ length: Math.min(PARALLEL, tip - h + 1) }, (_, i) => h + i)
    const raws = await Promise.all(heights.map(async (x) => rpc.getBlock(await rpc.getBlockHash(x), false) as Promise<Uint8Array>))
    raws.forEach((raw, i) => {
      for (const tx of Block.fromBuffer(Buffer.from(raw)).transactions ?? []) apply(tx, heights[i]!)
    })
  }
  // Mempool transactions, parents before children (a child's input may spend a parent's output).
  const pool = await Promise.all((await rpc.getRawMempool()).map(async (id) => Transaction.fromBuffer(Buffer.from(await rpc.getRawTransaction(id)))))
  const pending = new Set(pool.map((t) => t.getId()))
  while (pending.size > 0) {
    const ready = pool.filter((t) => pending.has(t.getId()) && t.ins.every((i) => !pending.has(Buffer.from(i.hash).reverse().toString('hex'))))
    if (ready.length === 0) break
    for (const t of ready) {
      apply(t, null)
      pending.delete(t.getId())
    }
  }
  return [...coins.values()]
}
