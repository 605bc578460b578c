// The `causeway` command line: parses arguments with commander and dispatches to each command group.
// Exit codes: 0 (ok), 1 (invalid data, a refusal, an audit mismatch: the error's code says which) or 2 (usage
// error). The spv, federation and regtest commands print JSON on stdout; the user commands (pegin, pegout, status,
// audit, keys) print a readable report on stdout, or one JSON object with --json. Progress goes to stderr.
import { Command, CommanderError } from 'commander'
import { CausewayError } from '../../spv/base/errors.js'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, printJson, processIo, type Io } from './output.js'
import { registerSpv } from './spv.js'
import { registerNode } from './node.js'
import { registerFederation } from './federation.js'
import { registerPegin } from './pegin.js'
import { registerPegout } from './pegout.js'
import { registerStatus } from './status.js'
import { registerAudit } from './audit.js'
import { registerKeys } from './keys.js'
import { registerRegtest } from './regtest.js'

export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('causeway')
    .description('Causeway: a contract-capable side chain with a federated two-way peg')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: () => {} })
  registerSpv(program, io, exit)
  registerNode(program, io, exit)
  registerFederation(program, io, exit)
  registerPegin(program, io, exit)
  registerPegout(program, io, exit)
  registerStatus(program, io, exit)
  registerAudit(program, io, exit)
  registerKeys(program, io, exit)
  registerRegtest(program, io, exit)
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
  const program = buildProgram(io, (c) => {
    code = c
  })
  try {
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
