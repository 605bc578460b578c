// What a user and an auditor do on an EVM peg world (peg-world.ts with `evm`): main-chain deposits and sends (viem,
// waited for to their receipts), side-chain pegOutToken, wrapped-token reads, and the reserves checked against the
// vault's real balance on the main chain (PROTOCOL.md "Reserves").
import { Contract, type Signer } from 'ethers'
import { createWalletClient, encodeFunctionData, erc20Abi, http, type Abi, type Account, type Hex, type TransactionReceipt } from 'viem'
import * as Vault from '../../peg/evm/contracts/Vault.artifact.js'
import * as Wrapped from '../../peg/evm/contracts/WrappedToken.artifact.js'
import { bridgeAbiJson } from '../../sidechain/bridge/abi.js'
import { BRIDGE_ADDRESS } from '../../sidechain/chain/params.js'
import { toHex } from '../../spv/base/bytes.js'
import type { PegWorld } from './peg-world.js'
import type { PegWorldEvm } from './peg-world-evm.js'

export const ZERO: Hex = '0x0000000000000000000000000000000000000000'

export interface Reserves {
  readonly locked: bigint
  readonly supply: bigint
  readonly pending: bigint
}

export class EvmPegDriver {
  readonly evm: PegWorldEvm
  /** Every withdrawal this driver opened. */
  readonly ids: bigint[] = []
  constructor(readonly w: PegWorld) {
    this.evm = w.evm!
  }

  /** Sends one main-chain transaction from `account` and waits for its receipt (a reverted one is returned too). */
  async send(account: Account, to: Hex, data: Hex, value = 0n, gas?: bigint): Promise<TransactionReceipt> {
    const wallet = createWalletClient({ account, chain: this.evm.deployer.wallet.chain, transport: http(this.evm.rpc) })
    const hash = await wallet.sendTransaction({ to, data, value, ...(gas === undefined ? {} : { gas }) })
    return this.evm.deployer.client.waitForTransactionReceipt({ hash, timeout: 60_000 })
  }

  depositEth(account: Account, recipient: string, amount: bigint, vault: Hex = this.evm.vault, abi: Abi = Vault.abi as Abi): Promise<TransactionReceipt> {
    return this.send(account, vault, encodeFunctionData({ abi, functionName: 'depositEth', args: [recipient as Hex] }), amount)
  }

  /** approve + depositToken: both receipts. */
  async depositToken(account: Account, token: Hex, recipient: string, amount: bigint): Promise<TransactionReceipt[]> {
    const a = await this.send(account, token, encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [this.evm.vault, amount] }))
    const d = await this.send(account, this.evm.vault, encodeFunctionData({ abi: Vault.abi as Abi, functionName: 'depositToken', args: [token, amount, recipient as Hex] }))
    return [a, d]
  }

  mainBalance(address: Hex, token: Hex = ZERO): Promise<bigint> {
    if (token === ZERO) return this.evm.deployer.client.getBalance({ address })
    return this.evm.deployer.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] })
  }

  async wrappedOf(mainToken: Hex): Promise<string> {
    return ((await this.w.bridge.getWrappedToken!(this.evm.chainId, mainToken)) as [string, boolean])[0]
  }

  wrapped(address: string, signer?: Signer): Contract {
    return new Contract(address, Wrapped.abi as never, signer ?? this.w.provider)
  }

  async reserves(wrapped: string): Promise<Reserves> {
    const [locked, supply, pending] = (await this.w.bridge.getEvmReserves!(wrapped)) as [bigint, bigint, bigint]
    return { locked, supply, pending }
  }

  /**
   * locked = supply + pending on the bridge, and the vault really holds at least supply + pending of `mainToken`, less
   * what it already paid for withdrawals the bridge has not yet seen proven (vault `used(id)`, bridge status not 3):
   * between the payout and its Withdrawn proof, `pending` still counts an amount that has left the vault.
   */
  async checkReserves(mainToken: Hex): Promise<Reserves> {
    const r = await this.reserves(await this.wrappedOf(mainToken))
    if (r.locked !== r.supply + r.pending) throw new Error(`reserves unbalanced for ${mainToken}: ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`)
    let paidUnproven = 0n
    for (const id of this.ids) {
      const v = (await this.w.bridge.getEvmWithdrawal!(id)) as { mainToken: string; amount: bigint; status: bigint }
      if (v.mainToken.toLowerCase() !== mainToken.toLowerCase() || Number(v.status) === 3) continue
      const used = await this.evm.deployer.client.readContract({ address: this.evm.vault, abi: Vault.abi as Abi, functionName: 'used', args: [id] })
      if (used === true) paidUnproven += v.amount
    }
    const held = await this.mainBalance(this.evm.vault, mainToken)
    if (held < r.supply + r.pending - paidUnproven) throw new Error(`the vault holds ${held} of ${mainToken}, less than supply + pending ${r.supply + r.pending} less paid, unproven ${paidUnproven}`)
    return r
  }

  /** Whether the bridge has a wrapped token for `mainToken` yet. */
  async exists(mainToken: Hex): Promise<boolean> {
    return ((await this.w.bridge.getWrappedToken!(this.evm.chainId, mainToken)) as [string, boolean])[1]
  }

  /** `from` burns `amount` of `wrapped` for `mainRecipient`; returns the withdrawal id. */
  async pegOut(from: Signer, wrapped: string, amount: bigint, mainRecipient: Hex): Promise<bigint> {
    const c = new Contract(toHex(BRIDGE_ADDRESS), bridgeAbiJson, from)
    const receipt = await (await c.pegOutToken!(wrapped, amount, mainRecipient)).wait()
    for (const l of receipt.logs) {
      const p = this.w.bridge.interface.parseLog(l)
      if (p?.name === 'EvmWithdrawalRequested') {
        this.ids.push(p.args.id as bigint)
        return p.args.id as bigint
      }
    }
    throw new Error('pegOutToken emitted no EvmWithdrawalRequested')
  }

  async withdrawalStatus(id: bigint): Promise<number> {
    return Number(((await this.w.bridge.getEvmWithdrawal!(id)) as { status: bigint }).status)
  }
}
