import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: the fault-injection suite (issue 5, item 9); `FAULT_SEEDS=1,2,3` picks the seeds. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // The tables are the point of the run: show console output as it comes.
    silent: false,
    reporters: ['default'],
  },
});
