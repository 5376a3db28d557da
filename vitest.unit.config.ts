import { defineConfig } from 'vitest/config';

// The fast tier: pure domain decisions and the engine over in-memory ports. No DynamoDB Local, no fauxqs.
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/engine/**/*.test.ts'],
    testTimeout: 5_000,
  },
});
