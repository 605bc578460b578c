// How the user commands (pegin, pegout, status, audit, keys) speak, one convention for all of them: a human-readable
// report on stdout, or with --json one JSON object on stdout instead; progress and errors always on stderr (so
// stdout stays clean for pipes). An error is also a JSON object `{ error: { code, message } }` on stdout with
// --json. Exit 0 done, 1 refused/invalid/mismatch (a coded CausewayError), 2 usage error.
import type { Command } from 'commander'
import { bridgeRefusal } from '../federation/signer/bridge-client.js'
import { CausewayError } from '../spv/base/errors.js'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, printJson, type Io } from './output.js'

export interface Report {
  /** Lines for people (stdout without --json). */
  readonly text: string
  /** The same facts for programs (stdout with --json). */
  readonly json: unknown
  /** Exit code (default 0); a report can still be printed with 1, e.g. an audit that found a mismatch. */
  readonly exitCode?: number
}

export interface Progress {
  /** One line of progress on stderr. */
  (line: string): void
}

/** Turns what went wrong into a coded error: bridge refusals keep the bridge's code; lost connections say so. */
export function asCausewayError(e: unknown): CausewayError | undefined {
  if (e instanceof CausewayError) return e
  const refusal = bridgeRefusal(e)
  if (refusal !== undefined) return new CausewayError(refusal.code, `the bridge refused: ${refusal.message}`, { cause: e })
  const text = `${(e as Error)?.message ?? ''} ${String((e as { cause?: { code?: string } })?.cause?.code ?? '')}`
  if ((e as { code?: unknown })?.code === 'INSUFFICIENT_FUNDS' || /insufficient funds/i.test(text)) {
    return new CausewayError('CLI_INSUFFICIENT_FUNDS', 'the signing account cannot pay for this (value plus gas)', { cause: e })
  }
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed/.test(text)) {
    return new CausewayError('CLI_NODE_UNREACHABLE', `lost the connection to a node: ${(e as Error).message.split('\n')[0]}`, { cause: e })
  }
  return undefined
}

/**
 * Runs one user command: `body` gets the merged options (a subcommand sees its parent's too) and a progress
 * printer, and returns its report; errors are printed by the convention above.
 */
export async function runReport(io: Io, exit: (code: number) => void, cmd: Command, body: (flags: Record<string, unknown>, progress: Progress) => Promise<Report>): Promise<void> {
  const flags = cmd.optsWithGlobals()
  const json = flags['json'] === true
  const progress: Progress = (line) => io.err(`${line}\n`)
  try {
    const r = await body(flags, progress)
    if (json) printJson(io, r.json)
    else io.out(r.text.endsWith('\n') ? r.text : `${r.text}\n`)
    exit(r.exitCode ?? EXIT_OK)
  } catch (e) {
    const err = asCausewayError(e)
    if (err === undefined) throw e
    if (json) printJson(io, { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } })
    io.err(`error: ${err.message} [${err.code}]\n`)
    exit(err instanceof UsageError ? EXIT_USAGE : EXIT_INVALID)
  }
}

/** Aligned "label: value" lines. */
export function lines(rows: readonly (readonly [string, string | number | bigint | boolean])[]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${String(v)}`).join('\n')
}
