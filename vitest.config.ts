import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/reporters/plain-summary.ts'],
    // Starts the shared mock server for the e2e tests (skipped when the run names only other files).
    globalSetup: ['test/setup/mock-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The suites spawn linters, Prism and browsers: two cores, two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
