// Peg benchmark: a real world (bcoin regtest, three validators, three signers; test/helpers/peg-world.ts) and
//   - mintSeconds / mintBlocks: from the block giving a deposit its last required confirmation to its mint on the
//     side chain (seconds, and side-chain blocks made in between), median of BENCH_PEG_RUNS deposits;
//   - pegOutSeconds: from a peg-out request's receipt to its batch transaction in bcoin's mempool (includes the
//     batch interval), median of the same number of runs;
//   - batch100Seconds: a batch of 100 peg-outs, from the bridge's PegOutBatched event to its PegOutSigned event
//     (the signers' recomputation, signatures, submissions, and the bridge's checks and assembly);
//   - batch100ComputeSeconds: the same work done in one process with peg/ (build, two members sign, verify,
//     assemble), without the network;
//   - batch400Seconds: 400 federation UTXOs (one Bitcoin payment of 400 × 0.0002 BTC to a deposit address) to one
//     paid peg-out of nearly all of it, from the peg-out's receipt to its batch confirmed on Bitcoin and registered
//     (four consolidations, then the payment; a Bitcoin block mined every second meanwhile). Run first, on the
//     fresh world, so the 400 UTXOs are the whole reserve.
// Prints a line per measurement and, last, one JSON object.
import { Contract, Wallet, parseUnits } from 'ethers'
import { payments } from 'bitcoinjs-lib'
import * as ecc from 'tiny-secp256k1'
import { bridgeAbiJson } from '../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../sidechain/chain/params.js'
import { hexToBytes, toHex } from '../spv/base/bytes.js'
import {
  assembleBatch,
  buildBatch,
  createFederation,
  depositScriptPubKey,
  encodePegInMemo,
  federationScriptPubKey,
  signBatch,
  verifyBatchSignatures,
  type FederationUtxo,
  type PegOutRequest,
} from '../peg/bitcoin/index.js'
import { bcoinRegtest } from '../regtest/bitcoin/network.js'
import { startPegWorld, type PegWorld } from '../test/helpers/peg-world.js'

const RUNS = Number(process.env.BENCH_PEG_RUNS ?? 3)
/** BENCH_PEG_ONLY=batch skips the mint and peg-out runs (a diagnostic knob). */
const ONLY = process.env.BENCH_PEG_ONLY
/** BENCH_PEG_TRACE=1 prints the signers' log lines about the 100-request batch. */
const TRACE = process.env.BENCH_PEG_TRACE === '1'
const WEI = 10n ** 10n
const started = performance.now()
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round = (x: number) => Math.round(x * 1000) / 1000

async function mintRun(w: PegWorld, fed: ReturnType<typeof createFederation>, i: number): Promise<{ seconds: number; blocks: number }> {
  const user = Wallet.createRandom()
  const value = 10_000_000n + BigInt(i)
  await w.wallet.pay(w.bcoin.rpc, {
    outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: value }],
    opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(user.address, 'user', 20) }).subarray(2),
  })
  await w.mine(5)
  await new Promise((r) => setTimeout(r, 3000)) // let the relayers settle on 5 confirmations
  const b0 = await w.provider.getBlockNumber()
  const t0 = performance.now()
  await w.mine(1)
  await w.waitFor('the mint', async () => (await w.provider.getBalance(user.address)) === value * WEI, 120_000)
  const seconds = (performance.now() - t0) / 1000
  if (TRACE) {
    const since = Date.now() - seconds * 1000 - 500
    for (const s of w.signers) {
      for (const line of s.output().split('\n')) {
        const m = /"time":(\d+)/.exec(line)
        if (m !== null && Number(m[1]) >= since) console.log(`  signer ${s.index} +${Number(m[1]) - since - 500} ms: ${line.slice(0, 200)}`)
      }
    }
  }
  const logs = await w.bridge.queryFilter(w.bridge.filters.PegInMinted!(), b0)
  const mine = logs.find((l) => 'args' in l && (l.args.recipient as string).toLowerCase() === user.address.toLowerCase())!
  if (TRACE) {
    for (let n = b0 + 1; n <= mine.blockNumber; n++) {
      const blk = (await w.provider.getBlock(n, true))!
      const txs = blk.prefetchedTransactions.map((t) => `${t.from.slice(0, 8)}:${t.data.slice(0, 10)}`)
      console.log(`  block ${n} t=${blk.timestamp} txs=[${txs.join(' ')}]`)
    }
  }
  return { seconds, blocks: mine.blockNumber - b0 }
}

async function batch400Run(w: PegWorld, fed: ReturnType<typeof createFederation>): Promise<number> {
  const user = Wallet.createRandom().connect(w.provider)
  await (await w.funded.sendTransaction({ to: user.address, value: parseUnits('0.01', 18) }))!.wait()
  const bridge = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, user)
  await (await bridge.registerDepositAddress!(user.address)).wait()
  const script = depositScriptPubKey(fed, w.fed.chainId, hexToBytes(user.address, 'user', 20))
  await w.wallet.pay(w.bcoin.rpc, { outputs: Array.from({ length: 400 }, () => ({ scriptPubKey: script, valueSats: 20_000n })) })
  await w.mine(6)
  const r0 = performance.now()
  await w.waitFor('the 400 deposits', async () => (await w.provider.getBalance(user.address)) >= 8_000_000n * WEI, 300_000)
  log(`400 deposits registered and minted ${((performance.now() - r0) / 1000).toFixed(2)} s after their sixth confirmation`)
  const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x40), network: bcoinRegtest })
  const receipt = await (await bridge.pegOut!(payee.address!, { value: 7_990_000n * WEI })).wait()
  const t0 = performance.now()
  const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
  const done = await w.waitFor('the 400-UTXO peg-out paid', async () => {
    await w.mine(1)
    await new Promise((r) => setTimeout(r, 1000))
    const q = await w.bridge.getPegOut!(id)
    return Number(q.status) === 4 ? q : undefined
  }, 600_000)
  const seconds = (performance.now() - t0) / 1000
  const consolidations = (await w.bridge.queryFilter(w.bridge.filters.PegOutConsolidated!())).length
  log(`400 UTXOs → ${consolidations} consolidations and one payment, confirmed ${seconds.toFixed(2)} s after the peg-out (fee ${done.feeSats} sats)`)
  return seconds
}

async function main(): Promise<void> {
  log('starting bcoin, 3 validators and 3 signers')
  const w = await startPegWorld({ fundSats: 2_100_000n }) // gas for the bench accounts; the 400 small UTXOs then make up nearly all of the reserve
  const stop = async () => w.close()
  process.once('SIGINT', () => void stop().then(() => process.exit(130)))
  try {
    const fed = createFederation(w.federation.pubkeys.map((p) => hexToBytes(p, 'pubkey', 33)), 2)
    const batch400Seconds = ONLY === 'batch' ? null : await batch400Run(w, fed)
    const mints: { seconds: number; blocks: number }[] = []
    for (let i = 0; i < (ONLY === 'batch' ? 0 : RUNS); i++) {
      const r = await mintRun(w, fed, i)
      mints.push(r)
      log(`mint ${i + 1}: ${r.seconds.toFixed(2)} s, ${r.blocks} side-chain blocks after the last confirmation`)
    }

    // Pegged BTC for the peg-outs: one deposit of 2 BTC to a bench account, spread over ten senders.
    const owner = Wallet.createRandom().connect(w.provider)
    await (await w.funded.sendTransaction({ to: owner.address, value: parseUnits('0.01', 18) }))!.wait() // gas only: its BTC comes by peg-in below
    await w.wallet.pay(w.bcoin.rpc, {
      outputs: [{ scriptPubKey: federationScriptPubKey(fed), valueSats: 200_000_000n }],
      opReturn: encodePegInMemo({ chainId: w.fed.chainId, recipient: hexToBytes(owner.address, 'owner', 20) }).subarray(2),
    })
    await w.mine(6)
    await w.waitFor('the bench deposit', async () => (await w.provider.getBalance(owner.address)) >= 200_000_000n * WEI, 120_000)
    const asOwner = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, owner)

    const pegOuts: number[] = []
    for (let i = 0; i < (ONLY === 'batch' ? 0 : RUNS); i++) {
      const payee = payments.p2wpkh({ hash: Buffer.alloc(20, 0x30 + i), network: bcoinRegtest })
      const receipt = await (await asOwner.pegOut!(payee.address!, { value: 1_000_000n * WEI })).wait()
      const t0 = performance.now()
      const id = w.bridge.interface.parseLog(receipt.logs[0])!.args.id as bigint
      const batchId = await w.waitFor('the batch', async () => {
        const q = await w.bridge.getPegOut!(id)
        return Number(q.status) >= 2 ? (q.batchId as bigint) : undefined
      }, 120_000)
      const txid = Buffer.from(((await w.bridge.getBatch!(batchId)).txid as string).slice(2), 'hex').reverse().toString('hex')
      await w.waitFor('the broadcast', async () => (await w.bcoin.rpc.getMempoolEntry(txid)) !== null, 120_000)
      const seconds = (performance.now() - t0) / 1000
      pegOuts.push(seconds)
      log(`peg-out ${i + 1}: request to broadcast in ${seconds.toFixed(2)} s`)
      await w.mine(6)
      await w.waitFor('the confirmation', async () => Number((await w.bridge.getPegOut!(id)).status) === 4, 120_000)
    }

    // 100 peg-outs in one interval from ten senders.
    const senders = Array.from({ length: 10 }, () => Wallet.createRandom().connect(w.provider))
    let nonce = await w.provider.getTransactionCount(owner.address)
    await Promise.all(
      (await Promise.all(senders.map((s) => owner.sendTransaction({ to: s.address, value: 10n * 200_000n * WEI + parseUnits('0.01', 18), nonce: nonce++ })))).map((t) => t.wait()),
    )
    const sent = await Promise.all(
      senders.flatMap((s, si) => {
        const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, s)
        // A fixed gas limit (no estimate round trip each), so all hundred reach one batch interval.
        return Array.from({ length: 10 }, (_, j) =>
          c.pegOut!(payments.p2wpkh({ hash: Buffer.alloc(20, si * 10 + j + 1), network: bcoinRegtest }).address!, { value: 200_000n * WEI, nonce: j, gasLimit: 500_000n }),
        )
      }),
    )
    const receipts = await Promise.all(sent.map((t) => t.wait()))
    const firstId = w.bridge.interface.parseLog(receipts[0]!.logs[0])!.args.id as bigint
    const batchId = await w
      .waitFor('the 100-request batch', async () => {
        const q = await w.bridge.getPegOut!(firstId)
        return Number(q.status) >= 2 ? (q.batchId as bigint) : undefined
      }, 120_000)
      .catch(async (e: unknown) => {
        log(`reserves ${String(await w.bridge.getReserves!())}`)
        for (const ev of await w.bridge.queryFilter('*')) if ('args' in ev) log(`event ${ev.blockNumber} ${ev.fragment.name}`)
        log(`head ${await w.provider.getBlockNumber()}, first request ${JSON.stringify((await w.bridge.getPegOut!(firstId)).toObject(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`)
        throw e
      })
    const batchedAt = performance.now()
    if (TRACE) log(`batch ${batchId} seen (wall clock ${Date.now()})`)
    await w.waitFor('its signatures', async () => Number((await w.bridge.getBatch!(batchId)).status) >= 3, 120_000)
    const signedAt = performance.now()
    const batch = await w.bridge.getBatch!(batchId)
    if (TRACE) {
      for (const s of w.signers) {
        for (const line of s.output().split('\n')) if (line.includes(`"batchId":"${batchId}"`) || line.includes('round failed')) console.log(`signer ${s.index}: ${line}`)
      }
    }
    const [batchedEv] = await w.bridge.queryFilter(w.bridge.filters.PegOutBatched!(batchId))
    const [signedEv] = await w.bridge.queryFilter(w.bridge.filters.PegOutSigned!(batchId))
    const tBatched = (await w.provider.getBlock(batchedEv!.blockNumber))!.timestamp
    const tSigned = (await w.provider.getBlock(signedEv!.blockNumber))!.timestamp
    // From the block that made the batch (its timestamp, whole seconds) to seeing it signed.
    const batch100Seconds = (Date.now() - (performance.now() - signedAt) - tBatched * 1000) / 1000
    void batchedAt
    log(`batch of ${batch.requestCount} requests: signed and assembled ${batch100Seconds.toFixed(2)} s after the block that made it (block ${batchedEv!.blockNumber} → ${signedEv!.blockNumber}, timestamps ${tSigned - tBatched} s apart)`)

    // The same work in one process.
    const keys = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x20 + i))
    const local = createFederation(keys.map((k) => ecc.pointFromScalar(k, true)!), 2)
    const utxos: FederationUtxo[] = Array.from({ length: 5 }, (_, i) => ({ txid: new Uint8Array(32).fill(i + 1), vout: i, valueSats: 10_000_000n, recipient: i % 2 ? new Uint8Array(20).fill(i) : null }))
    const requests: PegOutRequest[] = Array.from({ length: 100 }, (_, i) => ({ id: BigInt(i + 1), scriptPubKey: payments.p2wpkh({ hash: Buffer.alloc(20, i + 1) }).output!, valueSats: 200_000n }))
    const c0 = performance.now()
    const b = buildBatch(utxos, requests, { fed: local, chainId: w.fed.chainId, feeRateSatPerVb: 5n })
    const sigs = new Map<number, Uint8Array[]>()
    for (const m of [0, 1]) {
      const s = signBatch(b, keys[m]!, local, w.fed.chainId)
      if (!verifyBatchSignatures(b, local, w.fed.chainId, m, s).every(Boolean)) throw new Error('bad signature')
      sigs.set(m, s)
    }
    const signedTx = assembleBatch(b, local, w.fed.chainId, sigs)
    const batch100ComputeSeconds = (performance.now() - c0) / 1000
    log(`in-process: build, two signers, verify, assemble a 100-output batch (${b.inputs.length} inputs, ${signedTx.length} bytes): ${batch100ComputeSeconds.toFixed(3)} s`)

    const result = {
      mintSeconds: mints.length === 0 ? null : round(median(mints.map((m) => m.seconds))),
      mintBlocks: mints.length === 0 ? null : median(mints.map((m) => m.blocks)),
      pegOutSeconds: pegOuts.length === 0 ? null : round(median(pegOuts)),
      batch100Seconds: round(batch100Seconds),
      batch100ComputeSeconds: round(batch100ComputeSeconds),
      batch400Seconds: batch400Seconds === null ? null : round(batch400Seconds),
      runs: RUNS,
      mintRuns: mints,
    }
    console.log(JSON.stringify(result))
  } finally {
    await stop()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
