// `causeway evm …`: the user commands of the two-way peg to EVM main chains (peg/evm/PROTOCOL.md) — deposit,
// status, withdraw, register — one file each; the EVM part of `causeway audit` is audit.ts.
import type { Command } from 'commander'
import type { Io } from '../output.js'
import { registerEvmDeposit } from './deposit.js'
import { registerEvmStatus } from './status.js'
import { registerEvmWithdraw } from './withdraw.js'
import { registerEvmRegister } from './register.js'

export function registerEvm(program: Command, io: Io, exit: (code: number) => void): void {
  const evm = program.command('evm').description('The peg to EVM main chains: deposit ETH or ERC-20s, follow them, withdraw, relay a proof')
  registerEvmDeposit(evm, io, exit)
  registerEvmStatus(evm, io, exit)
  registerEvmWithdraw(evm, io, exit)
  registerEvmRegister(evm, io, exit)
}
