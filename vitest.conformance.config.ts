import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/conformance/require-shared.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
