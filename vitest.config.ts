import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The suites spawn linters, Prism and browsers: two cores, two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
