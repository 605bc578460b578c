// EVM peg benchmark: a real world (anvil at 1 s blocks with the Vault, three validators, three signers with their EVM
// duty; test/helpers/peg-world.ts with `evm`) and
//   - mintSeconds / mintBlocks: from the main-chain block that gives a deposit's block its required depth (the
//     signers' `confirmations`) to its mint on the side chain (seconds, and side-chain blocks made in between), median
//     of BENCH_EVM_RUNS deposits (default 3);
//   - withdrawSeconds: from a pegOutToken receipt to the vault's payout reaching the recipient, median of the runs;
//   - ethDepositGas, tokenDepositGas, withdraw2of3Gas, withdraw10of15Gas: regtest/evm/vault-gas.ts on the same anvil;
//   - acceptedToMintBlocks: side-chain blocks from the one where the deposit's header became accepted to its mint;
//   - receiptProofsPerSec: spv/evm verifyReceiptProof over the real proofs of a block of anvil receipts, timed after
//     the world has stopped.
// Prints a line per measurement and, last, one JSON object.
import { Wallet } from 'ethers'
import type { Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { ANVIL_MNEMONIC } from '../regtest/evm/anvil.js'
import { measureVaultGas } from '../regtest/evm/vault-gas.js'
import { createReceiptProof, verifyReceiptProof } from '../spv/evm/index.js'
import { fetchCheckedBlockOfTx } from '../client/evm.js'
import { EvmPegDriver, ZERO } from '../test/helpers/evm-peg-driver.js'
import { startPegWorld } from '../test/helpers/peg-world.js'

const RUNS = Number(process.env['BENCH_EVM_RUNS'] ?? 3)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

async function main(): Promise<void> {
  const w = await startPegWorld({ evm: { chain: 'anvil' } })
  let figures: Record<string, unknown>
  let sample: { root: Uint8Array; proofs: Uint8Array[][] }
  try {
    const d = new EvmPegDriver(w)
    const evm = w.evm!
    const client = evm.deployer.client
    const user = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 5 })
    const mintSeconds: number[] = []
    const mintBlocks: number[] = []
    const acceptedToMintBlocks: number[] = []
    const withdrawSeconds: number[] = []
    const amount = 10n ** 17n
    for (let run = 0; run < RUNS; run++) {
      // Minted to the world's funded account, which has side-chain gas for the withdrawals after.
      const holder = w.funded.address
      const cwNow = await d.wrappedOf(ZERO)
      const before = (await w.provider.getCode(cwNow)) === '0x' ? 0n : ((await d.wrapped(cwNow).balanceOf!(holder)) as bigint)
      // Mining paused, so the moment the deposit's block reaches its required depth is the moment this bench mines
      // the block that gives it (a receipt polled at 1 s blocks would arrive after the mint).
      await evm.node.rpc('evm_setIntervalMining', [0])
      const sent = d.depositEth(user, holder, amount)
      while (((await evm.node.rpc('txpool_status', [])) as { pending: string }).pending === '0x0') await new Promise((res) => setTimeout(res, 20))
      await evm.node.rpc('evm_mine', [])
      await sent
      await new Promise((res) => setTimeout(res, 1000))
      const b0 = await w.provider.getBlockNumber()
      const t0 = performance.now()
      await evm.node.rpc('anvil_mine', [`0x${(evm.confirmations - 1).toString(16)}`])
      await evm.node.rpc('evm_setIntervalMining', [1])
      const cw = await d.wrappedOf(ZERO)
      await w.waitFor('minted', async () => (await w.provider.getCode(cw)) !== '0x' && ((await d.wrapped(cw).balanceOf!(holder)) as bigint) === before + amount, 120_000)
      mintSeconds.push((performance.now() - t0) / 1000)
      const ev = await w.bridge.queryFilter!(w.bridge.filters!.EvmDepositMinted!(null, null, holder), b0)
      mintBlocks.push(ev.at(-1)!.blockNumber - b0)
      // The goal's reference point: the side-chain block in which the deposit's header became accepted.
      const accepted = await w.bridge.queryFilter!(w.bridge.filters!.EvmHeaderAccepted!(), b0)
      if (accepted.length > 0) acceptedToMintBlocks.push(ev.at(-1)!.blockNumber - accepted.at(-1)!.blockNumber)
      console.log(`deposit ${run + 1}: minted ${round(mintSeconds.at(-1)!)} s, ${mintBlocks.at(-1)} side-chain blocks after its required depth`)
    }
    const cw = await d.wrappedOf(ZERO)
    for (let run = 0; run < RUNS; run++) {
      const to = Wallet.createRandom().address as Hex
      const t0 = performance.now()
      await d.pegOut(w.funded, cw, amount, to)
      const t1 = performance.now()
      await w.waitFor('paid', async () => (await d.mainBalance(to)) === amount, 120_000)
      withdrawSeconds.push((performance.now() - t1) / 1000)
      console.log(`withdrawal ${run + 1}: paid ${round(withdrawSeconds.at(-1)!)} s after the pegOutToken receipt (${round((t1 - t0) / 1000)} s to that receipt)`)
    }
    const gas = await measureVaultGas(evm.rpc, evm.deployerKey)
    console.log(`vault gas: ETH deposit ${gas.ethDepositGas}, token deposit ${gas.tokenDepositGas}, withdraw 2/3 ${gas.withdraw2of3Gas}, 10/15 ${gas.withdraw10of15Gas}`)
    // Real receipt proofs: a block of several deposits.
    await evm.node.rpc('evm_setIntervalMining', [0])
    const { createWalletClient, http, encodeFunctionData } = await import('viem')
    const Vault = await import('../peg/evm/contracts/Vault.artifact.js')
    const wallet = createWalletClient({ account: user, chain: evm.deployer.wallet.chain, transport: http(evm.rpc) })
    const hashes: Hex[] = []
    for (let i = 0; i < 16; i++) hashes.push(await wallet.sendTransaction({ to: evm.vault, data: encodeFunctionData({ abi: Vault.abi, functionName: 'depositEth', args: [w.funded.address as Hex] }), value: 1n }))
    await evm.node.rpc('evm_mine', [])
    await evm.node.rpc('evm_setIntervalMining', [1])
    const c = await fetchCheckedBlockOfTx(client as never, hashes[0]!)
    const proofs = await Promise.all(c.receipts.map((_, i) => createReceiptProof(c.receipts, i)))
    sample = { root: c.block.header.receiptsRoot, proofs }
    figures = {
      runs: RUNS,
      confirmations: evm.confirmations,
      mainBlockSeconds: 1,
      mintSeconds: round(median(mintSeconds)),
      mintBlocks: median(mintBlocks),
      acceptedToMintBlocks: acceptedToMintBlocks.length === 0 ? null : median(acceptedToMintBlocks),
      withdrawSeconds: round(median(withdrawSeconds)),
      ethDepositGas: Number(gas.ethDepositGas),
      tokenDepositGas: Number(gas.tokenDepositGas),
      withdraw2of3Gas: Number(gas.withdraw2of3Gas),
      withdraw10of15Gas: Number(gas.withdraw10of15Gas),
    }
  } finally {
    await w.close()
  }
  // Timed with the world stopped, so the figure is the verifier's, not what is left of two cores beside it.
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < 2000) {
    const i = n % sample.proofs.length
    await verifyReceiptProof(sample.root, i, sample.proofs[i]!)
    n++
  }
  const receiptProofsPerSec = Math.round(n / ((performance.now() - t0) / 1000))
  console.log(`verifyReceiptProof: ${receiptProofsPerSec}/s over ${sample.proofs.length} real anvil receipts`)
  console.log(JSON.stringify({ ...figures, receiptProofsPerSec }))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
