// Test runner configuration: unit tests mirror the source folders under test/unit, integration tests under
// test/integration start real processes on loopback and need longer time limits.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on two cores: the integration files mostly wait (for blocks, confirmations, other
    // processes), so overlapping them cuts the suite from about 10.5 to about 8 minutes on the 2-core machine. Three
    // (tried in issue 15: 876–913 s against 935 s) made processes miss their start-up deadlines under the load.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
