// Regenerates the Hardhat vectors in this folder: `npx tsx test/vectors/evm/capture.ts`. Each file holds one
// block of a fresh Hardhat 2.29.1 node (EDR) filled by test/helpers/evm-traffic.ts, with all of its receipts.
import { writeFile } from 'node:fs/promises'
import { fillBlock, trafficKinds } from '../../helpers/evm-traffic.js'
import { startHardhat } from '../../../regtest/evm/hardhat.js'

for (const hardfork of ['berlin', 'london', 'shanghai', 'cancun', 'prague']) {
  const node = await startHardhat({ hardfork })
  try {
    const filled = await fillBlock(node, trafficKinds(hardfork))
    const block = await node.rpc('eth_getBlockByNumber', [`0x${filled.blockNumber.toString(16)}`, false])
    const receipts = []
    for (const hash of filled.txHashes) receipts.push(await node.rpc('eth_getTransactionReceipt', [hash]))
    const source = `hardhat 2.29.1 node, hardfork ${hardfork}, chainId 31337, block ${block.number} filled by test/helpers/evm-traffic.ts (capture.ts)`
    const file = new URL(`./hardhat-${hardfork}.json`, import.meta.url)
    await writeFile(file, JSON.stringify({ source, hardfork, block, receipts }, null, 1) + '\n')
    console.log(`${hardfork}: block ${block.number} with ${receipts.length} receipts`)
  } finally {
    await node.stop()
  }
}
