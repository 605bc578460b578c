// Test runner configuration: unit tests mirror the source folders under test/unit, integration tests under
// test/integration start real processes on loopback and need longer time limits.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
