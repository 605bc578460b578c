// Test runner configuration: unit tests mirror the source folders under test/unit, integration tests under
// test/integration start real processes on loopback and need longer time limits.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at a time on two cores: the integration files mostly wait (for blocks, confirmations, other
    // processes). Two overlapping cut the suite from about 10.5 to about 8 minutes; with the EVM peg's worlds (issue
    // 15) two made 15.6 minutes, three keep it under 15.
    maxWorkers: 3,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
