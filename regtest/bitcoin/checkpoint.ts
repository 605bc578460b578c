// The bridge's starting point on a Bitcoin node: its tip header, height and chain work, with the times of the ten
// blocks before it (the bridge needs them for the median time past of the next headers). A deployment starts
// from a recent block, not from genesis; the local world and the test worlds start from the tip.
import type { BitcoinRpcClient } from '../../federation/bitcoin/rpc-client.js'

export interface BridgeCheckpoint {
  readonly height: number
  readonly header: string
  readonly chainWork: string
  readonly prevTimes: number[]
}

export async function tipCheckpoint(rpc: BitcoinRpcClient): Promise<BridgeCheckpoint> {
  const tipHash = await rpc.getBestBlockHash()
  const tip = await rpc.call<{ height: number; chainwork: string }>('getblockheader', [tipHash, true])
  const prevTimes: number[] = []
  for (let h = Math.max(0, tip.height - 10); h < tip.height; h++) {
    prevTimes.push((await rpc.call<{ time: number }>('getblockheader', [await rpc.getBlockHash(h), true])).time)
  }
  return {
    height: tip.height,
    header: Buffer.from(await rpc.getBlockHeaderRaw(tipHash)).toString('hex'),
    chainWork: BigInt('0x' + tip.chainwork).toString(),
    prevTimes,
  }
}
