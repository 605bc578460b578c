// How the CLI speaks: one JSON object per command on stdout, exit codes 0 (valid / done), 1 (invalid input
// data, with the error code in the JSON), 2 (usage error).
import { CausewayError } from '../spv/base/errors.js'

export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2

/** A usage error: the command line itself is wrong (missing option, unreadable file, malformed argument). */
export class UsageError extends CausewayError {
  constructor(message: string, code = 'CLI_USAGE', cause?: unknown) {
    super(code, message, { cause })
  }
}

/** A whole-number option or argument in [min, max], or a UsageError naming it. */
export function wholeNumber(name: string, v: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(max === Number.MAX_SAFE_INTEGER ? `${name}: not a whole number: ${v}` : `${name}: expected a whole number from ${min} to ${max}, got ${v}`)
  }
  return Number(v)
}

export interface Io {
  out(text: string): void
  err(text: string): void
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

/** JSON with bigint written as 0x-hex (chain work, targets) so no precision is lost. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)) + '\n')
}
