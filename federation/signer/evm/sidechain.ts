// The EVM duty's view of its OWN side-chain node: the bridge's EvmWithdrawalRequested events of FINALIZED blocks
// only, each with the wrapped token's burn (Transfer(requester, 0, amount)) looked up in the same transaction's
// receipt, and the bridge's stored view of a withdrawal, headers and deposits (client/evm-bridge.ts, typed).
import { Interface, id as eventTopic, zeroPadValue, type InterfaceAbi, type JsonRpcProvider } from 'ethers'
import { bytesToBigIntBE, hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { fail } from '../../../spv/base/errors.js'
import { evmBridgeAbi } from '../../../peg/evm/evm-bridge-abi.js'
import { evmBridgeReaderAt, type EvmBridgeReader } from '../../../client/evm-bridge.js'
import { BRIDGE } from '../bridge-client.js'
import { readSplitting } from '../log-ranges.js'
import type { RequestedWithdrawal, StoredWithdrawal } from './review.js'

const evmAbi = new Interface(evmBridgeAbi as unknown as InterfaceAbi)
const REQUESTED_TOPIC = evmAbi.getEvent('EvmWithdrawalRequested')!.topicHash
const TRANSFER_TOPIC = eventTopic('Transfer(address,address,uint256)')
const ZERO_TOPIC = zeroPadValue('0x', 32)
const addr = (v: unknown, what: string): Uint8Array => hexToBytes(String(v), what, 20)

export class SideChain {
  readonly read: EvmBridgeReader

  constructor(
    private readonly provider: JsonRpcProvider,
    rpcUrl: string,
  ) {
    this.read = evmBridgeReaderAt(rpcUrl)
  }

  /** The newest finalized side-chain block (every block there is final once committed; the tag says so). */
  async finalizedHead(): Promise<number> {
    const b = await this.provider.getBlock('finalized')
    if (b === null) fail('SIGNER_SIDECHAIN_UNREACHABLE', 'the side-chain node has no finalized block')
    return b.number
  }

  /** The withdrawal requests of blocks [from, to] (finalized), each with its burn, in chain order. */
  async requests(from: number, to: number): Promise<RequestedWithdrawal[]> {
    const logs = await readSplitting(from, to, (a, b) => this.provider.getLogs({ address: BRIDGE, topics: [REQUESTED_TOPIC], fromBlock: a, toBlock: b }))
    const out: RequestedWithdrawal[] = []
    for (const l of logs) {
      const ev = evmAbi.parseLog({ topics: [...l.topics], data: l.data })
      if (ev === null) continue
      const a = ev.args
      const requester = addr(a.requester, 'requester')
      const wrappedToken = addr(a.wrappedToken, 'wrapped token')
      out.push({
        id: a.id as bigint,
        requester,
        wrappedToken,
        mainChainId: a.mainChainId as bigint,
        mainToken: addr(a.mainToken, 'main token'),
        mainRecipient: addr(a.mainRecipient, 'main recipient'),
        amount: a.amount as bigint,
        epoch: a.epoch as bigint,
        burn: await this.burnIn(l.transactionHash, wrappedToken, requester),
      })
    }
    return out
  }

  /** The wrapped token's Transfer(requester, 0, amount) in the transaction, if any. */
  private async burnIn(txHash: string, token: Uint8Array, from: Uint8Array): Promise<RequestedWithdrawal['burn']> {
    const r = await this.provider.getTransactionReceipt(txHash)
    if (r === null || r.status !== 1) return undefined
    const fromTopic = zeroPadValue(toHex(from), 32).toLowerCase()
    for (const l of r.logs) {
      if (l.address.toLowerCase() !== toHex(token) || l.topics.length !== 3) continue
      if (l.topics[0] !== TRANSFER_TOPIC || l.topics[1]!.toLowerCase() !== fromTopic || l.topics[2] !== ZERO_TOPIC) continue
      return { token, from, amount: bytesToBigIntBE(hexToBytes(l.data, 'amount', 32)) }
    }
    return undefined
  }

  /** The bridge's stored request `id`. */
  async stored(id: bigint): Promise<StoredWithdrawal & { readonly signers: bigint }> {
    const v = await this.read.getEvmWithdrawal([id])
    return {
      status: Number(v.status),
      requester: addr(v.requester, 'requester'),
      mainChainId: v.mainChainId,
      mainToken: addr(v.mainToken, 'main token'),
      wrappedToken: addr(v.wrappedToken, 'wrapped token'),
      mainRecipient: addr(v.mainRecipient, 'main recipient'),
      amount: v.amount,
      epoch: v.epoch,
      digest: hexToBytes(v.digest, 'digest', 32),
      signers: v.signers,
    }
  }

  /** The federation epoch the bridge gives its withdrawals. */
  async epoch(): Promise<bigint> {
    const [, , epoch] = await this.read.getEvmChains()
    return epoch
  }
}
