// The one error class of the project: a stable string `code` that tests and callers match on, a short message a
// user can act on, optional structured details and the `cause` chain (STYLE.md, "Errors").

export type ErrorDetails = Readonly<Record<string, unknown>>

export class CausewayError extends Error {
  override readonly name = 'CausewayError'
  readonly code: string
  readonly details: ErrorDetails | undefined

  constructor(code: string, message: string, options: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
  }

  /** A plain object for JSON output at the edges (CLI, RPC). */
  toJSON(): { code: string; message: string; details?: ErrorDetails } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isCausewayError(e: unknown, code?: string): e is CausewayError {
  return e instanceof CausewayError && (code === undefined || e.code === code)
}

/** Throws a CausewayError; typed `never` so it reads as a statement in guards. */
export function fail(code: string, message: string, details?: ErrorDetails, cause?: unknown): never {
  throw new CausewayError(code, message, { details, cause })
}

/** A labelled assertion: throws `code` with `message` when `condition` is false. */
export function ensure(condition: unknown, code: string, message: string, details?: ErrorDetails): asserts condition {
  if (!condition) throw new CausewayError(code, message, { details })
}
