// Issue 13 finding 5: losing the sign log (a wiped or restored data directory) turned an honest validator into a
// double signer — it came back with no record of what it had signed at the height in progress, and signed again.
// Now such a validator only watches until a block proposed after its start is final, then signs again; the chain
// goes on meanwhile, and afterwards it is needed (one of the others stopped) and does its part.
import { rmSync } from 'node:fs'
import { JsonRpcProvider, Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_PREFUND_WEI, startFederation, type Federation } from '../../helpers/federation.js'
import { pollUntil } from '../../../io/poll.js'

let fed: Federation

beforeAll(async () => {
  // 2 of 3, trusting every validator: the test is about an honest validator's lost sign log, and with three the
  // wiped one is needed for every block once another stops; a fourth process would only cost CI time.
  fed = await startFederation({ validators: 3, threshold: 2, toleratesNoByzantineValidator: true, testPrefundWei: TEST_PREFUND_WEI })
}, 120_000)

afterAll(async () => {
  await fed?.close()
})

async function transfer(rpcUrl: string): Promise<number> {
  const p = new JsonRpcProvider(rpcUrl, Number(fed.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 })
  try {
    const r = await (await new Wallet(fed.fundedKey, p).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait(1, 60_000)
    return r!.blockNumber
  } finally {
    p.destroy()
  }
}

const until = async (what: string, probe: () => boolean, ms = 60_000): Promise<void> => {
  await pollUntil(what, () => probe() || undefined, { timeoutMs: ms, intervalMs: 100 })
}

describe('a validator whose data directory was wiped (issue 13 finding 5)', () => {
  it('watches until a block proposed after its start is final, then signs again', async () => {
    expect(await transfer(fed.validators[0]!.rpcUrl)).toBeGreaterThan(0)
    const v2 = fed.validators[2]!
    await v2.stop()
    rmSync(v2.datadir, { recursive: true, force: true })
    const mark = v2.output().length
    await v2.start()
    await until('the wiped validator to say it only watches', () => v2.output().slice(mark).includes('watching, signing nothing'))
    // The other two go on; a block proposed now ends the watch.
    await transfer(fed.validators[0]!.rpcUrl)
    await until('the wiped validator to sign again', () => v2.output().slice(mark).includes('signing again'))
    // Now it is needed: with validator 0 stopped, validators 1 and 2 are the quorum.
    await fed.validators[0]!.stop()
    expect(await transfer(fed.validators[1]!.rpcUrl)).toBeGreaterThan(0)
    await fed.validators[0]!.start()
  }, 240_000)
})
