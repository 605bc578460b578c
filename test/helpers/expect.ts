// Assertions on coded errors: tests match CausewayError codes, never message text (STYLE.md, "Errors").
import { expect } from 'vitest'
import { CausewayError } from '../../spv/base/errors.js'

/** The code `f` fails with, or undefined when it passes. Errors other than CausewayError are rethrown. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    if (e instanceof CausewayError) return e.code
    throw e
  }
  return undefined
}

/** Asserts that `f` throws a CausewayError with `code`, and returns it for further checks. */
export function expectCode(f: () => unknown, code: string): CausewayError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(CausewayError)
    expect((e as CausewayError).code).toBe(code)
    return e as CausewayError
  }
  return expect.fail(`expected ${code}, but it passed`)
}
