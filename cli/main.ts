// cli/: the `causeway` command line users and operators run (spv, node, signer, federation, pegin, pegout, status,
// evm, audit, keys), the executable (bin/causeway.mjs) and the world.json reader its commands default to. The one
// group about a local world, `causeway regtest …`, lives in regtest/ and is loaded only when used.
// This file parses arguments with commander and dispatches to each command group.
// Exit codes: 0 (ok), 1 (invalid data, a refusal, an audit mismatch: the error's code says which) or 2 (usage
// error). The spv, federation and regtest commands print JSON on stdout; the user commands (pegin, pegout, status,
// audit, keys) print a readable report on stdout, or one JSON object with --json. Progress goes to stderr.
import { Command, CommanderError } from 'commander'
import { CausewayError } from '../spv/base/errors.js'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, printJson, processIo, type Io } from './output.js'

type Register = (program: Command, io: Io, exit: (code: number) => void) => void

/**
 * The command groups in help order, each loaded only when used: a group's modules (ethers, bitcoinjs-lib, the
 * EVM) cost up to a second and a half of start-up, which `causeway spv …` or `--help` need not pay.
 */
const GROUPS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['spv', async () => (await import('./spv.js')).registerSpv],
  ['node', async () => (await import('./node.js')).registerNode],
  ['federation', async () => (await import('./federation.js')).registerFederation],
  ['pegin', async () => (await import('./pegin.js')).registerPegin],
  ['pegout', async () => (await import('./pegout.js')).registerPegout],
  ['status', async () => (await import('./status.js')).registerStatus],
  ['evm', async () => (await import('./evm/index.js')).registerEvm],
  ['audit', async () => (await import('./audit.js')).registerAudit],
  ['keys', async () => (await import('./keys.js')).registerKeys],
  ['regtest', async () => (await import('../regtest/index.js')).registerRegtest],
]

/**
 * The program with every command group, or with only `group` when it names one (what `main` runs: the other
 * groups are not needed to parse a command of that group).
 */
export async function buildProgram(io: Io, exit: (code: number) => void, group?: string): Promise<Command> {
  const program = new Command('causeway')
    .description('Causeway: a contract-capable side chain with a federated two-way peg')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: () => {} })
  const chosen = GROUPS.filter(([name]) => name === group)
  for (const [, load] of chosen.length === 1 ? chosen : GROUPS) (await load())(program, io, exit)
  // Subcommands inherit the same error handling.
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: () => {} })
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: () => {} })
  }
  return program
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number | undefined
  try {
    const program = await buildProgram(
      io,
      (c) => {
        code = c
      },
      argv[0],
    )
    await program.parseAsync([...argv], { from: 'user' })
    return code ?? EXIT_OK
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK
      printJson(io, { error: { code: 'CLI_USAGE', message: e.message.replace(/^error: /, '') } })
      io.err(`${e.message}\n(see --help)\n`)
      return EXIT_USAGE
    }
    if (e instanceof UsageError) {
      printJson(io, { error: e.toJSON() })
      io.err(`error: ${e.message}\n`)
      return EXIT_USAGE
    }
    if (e instanceof CausewayError) {
      printJson(io, { valid: false, code: e.code, message: e.message })
      io.err(`error: ${e.message}\n`)
      return EXIT_INVALID
    }
    io.err(`internal error: ${(e as Error).stack ?? String(e)}\n`)
    return 70
  }
}
