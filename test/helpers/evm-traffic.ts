// Fills one block of a Hardhat node with every kind of transaction a receipt proof must handle (legacy, EIP-2930,
// EIP-1559, EIP-7702, contract creations, a failed one, calls that emit logs), signed locally with ethers v6.
import { type BaseWallet, HDNodeWallet, Mnemonic, type TransactionRequest } from 'ethers'
import { HARDHAT_MNEMONIC, type HardhatNode } from '../../regtest/evm/hardhat.js'

/**
 * Runtime code of a tiny contract, hand-assembled so no compiler is needed:
 *   CALLDATACOPY(0, 0, CALLDATASIZE); LOG1(0, CALLDATASIZE, 0x2a); LOG2(0, 0, 0x2b, CALLER); STOP
 */
export const LOGGER_RUNTIME =
  '0x' + ['36', '6000', '6000', '37', '602a', '36', '6000', 'a1', '33', '602b', '6000', '6000', 'a2', '00'].join('')

/** Init code returning `runtime`: CODECOPY(0, 11, len); RETURN(0, len). The prefix is 11 bytes long. */
export function deployCode(runtimeHex: string): string {
  const body = runtimeHex.slice(2)
  const len = body.length / 2
  if (len > 0xff) throw new Error('deployCode: runtime too long for this prefix')
  const lenHex = len.toString(16).padStart(2, '0')
  return `0x60${lenHex}80600b6000396000f3${body}`
}

/** Init code that reverts: REVERT(0, 0). Its creation transaction is mined with status 0. */
export const REVERTING_INIT = '0x60006000fd'

export function hardhatWallets(count: number): BaseWallet[] {
  const mnemonic = Mnemonic.fromPhrase(HARDHAT_MNEMONIC)
  return Array.from({ length: count }, (_, i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`))
}

export interface FilledBlock {
  readonly blockNumber: bigint
  /** The block's transaction hashes in block order. */
  readonly txHashes: readonly string[]
  readonly logger: string
}

const GWEI = 1_000_000_000n

/** What the node's hard fork accepts: EIP-2930 from Berlin, EIP-1559 from London, EIP-7702 from Prague. */
export interface TrafficKinds {
  readonly accessList: boolean
  readonly eip1559: boolean
  readonly setCode: boolean
}

/** Hardhat 2's hard forks, oldest first (byzantium is the oldest it runs). */
export const HARDHAT_HARDFORKS = [
  'byzantium', 'constantinople', 'petersburg', 'istanbul', 'muirGlacier', 'berlin', 'london', 'arrowGlacier',
  'grayGlacier', 'merge', 'shanghai', 'cancun', 'prague', 'osaka',
] as const

export function trafficKinds(hardfork: string): TrafficKinds {
  const order: readonly string[] = HARDHAT_HARDFORKS
  const at = order.indexOf(hardfork)
  if (at < 0) throw new Error(`trafficKinds: unknown hardfork ${hardfork}`)
  return { accessList: at >= order.indexOf('berlin'), eip1559: at >= order.indexOf('london'), setCode: at >= order.indexOf('prague') }
}

/**
 * Deploys the logger contract (its own block), then turns automine off, sends a batch of transactions of every
 * kind the fork accepts, mines them into one block and turns automine back on.
 */
export async function fillBlock(node: HardhatNode, kinds: TrafficKinds): Promise<FilledBlock> {
  const chainId = BigInt(await node.rpc('eth_chainId'))
  const w = hardhatWallets(9)
  const nonces = new Map<string, number>()
  const nonceOf = async (wallet: BaseWallet): Promise<number> => {
    const known = nonces.get(wallet.address) ?? Number(BigInt(await node.rpc('eth_getTransactionCount', [wallet.address, 'pending'])))
    nonces.set(wallet.address, known + 1)
    return known
  }
  const send = async (wallet: BaseWallet, tx: TransactionRequest): Promise<string> => {
    const raw = await wallet.signTransaction({ chainId, nonce: await nonceOf(wallet), ...tx })
    return (await node.rpc('eth_sendRawTransaction', [raw])) as string
  }
  // Before London every transaction pays a plain gas price (type 0 or 1).
  const eip1559 = kinds.eip1559 ? { type: 2, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 1n * GWEI } : { type: 0, gasPrice: 20n * GWEI }

  const deployHash = await send(w[0]!, { ...eip1559, data: deployCode(LOGGER_RUNTIME), gasLimit: 200_000n })
  const deployReceipt = await node.rpc('eth_getTransactionReceipt', [deployHash])
  const logger = deployReceipt.contractAddress as string

  await node.rpc('evm_setAutomine', [false])
  try {
    const hashes: string[] = []
    // Legacy (type 0, EIP-155): two transfers from one sender, then a call with logs.
    hashes.push(await send(w[1]!, { type: 0, gasPrice: 20n * GWEI, to: w[8]!.address, value: 12345n, gasLimit: 21_000n }))
    hashes.push(await send(w[1]!, { type: 0, gasPrice: 20n * GWEI, to: w[8]!.address, value: 1n, gasLimit: 21_000n }))
    hashes.push(await send(w[1]!, { type: 0, gasPrice: 20n * GWEI, to: logger, data: '0xdeadbeef', gasLimit: 100_000n }))
    // EIP-2930 (type 1) with an access list, calling the logger (a legacy call before Berlin).
    const accessList = [{ address: logger, storageKeys: ['0x' + '00'.repeat(31) + '01'] }]
    const type1 = kinds.accessList ? { type: 1, accessList } : { type: 0 }
    hashes.push(await send(w[2]!, { ...type1, gasPrice: 20n * GWEI, to: logger, data: '0x' + 'ab'.repeat(100), gasLimit: 100_000n }))
    // EIP-1559 (type 2; legacy before London): a transfer, a call with logs, a contract creation and a creation
    // that reverts (status 0).
    hashes.push(await send(w[3]!, { ...eip1559, to: w[8]!.address, value: 10n ** 18n, gasLimit: 21_000n }))
    hashes.push(await send(w[3]!, { ...eip1559, to: logger, data: '0x01', gasLimit: 100_000n }))
    hashes.push(await send(w[4]!, { ...eip1559, data: deployCode(LOGGER_RUNTIME), gasLimit: 200_000n }))
    hashes.push(await send(w[5]!, { ...eip1559, data: REVERTING_INIT, gasLimit: 100_000n }))
    if (kinds.setCode) {
      // EIP-7702 (type 4): w[6] delegates its code to the logger, w[7] pays and calls w[6], which now logs.
      const auth = await w[6]!.authorize({ address: logger, nonce: await nonceOf(w[6]!), chainId })
      hashes.push(
        await send(w[7]!, { ...eip1559, type: 4, to: w[6]!.address, data: '0xc0ffee', gasLimit: 200_000n, authorizationList: [auth] }),
      )
    }
    await node.rpc('evm_mine')
    const block = await node.rpc('eth_getBlockByNumber', ['latest', false])
    const txHashes = block.transactions as string[]
    const missing = hashes.filter((h) => !txHashes.includes(h))
    if (missing.length > 0) throw new Error(`fillBlock: ${missing.length} transactions were not mined: ${missing.join(', ')}`)
    return { blockNumber: BigInt(block.number), txHashes, logger }
  } finally {
    await node.rpc('evm_setAutomine', [true])
  }
}
