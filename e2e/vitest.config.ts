import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A test that asserts nothing fails, so no test can pass by doing nothing.
    expect: { requireAssertions: true },
    include: [
      'browser/**/*.e2e.test.ts',
      'demo/**/*.test.ts',
      'docker/**/*.test.ts',
      'support/**/*.test.ts',
    ],
    // One file at a time: each starts its own Redis, IdP and two Next.js servers, and the
    // timing promises (revocation reaches the other app at once) must not be measured while
    // another file loads a 2-core machine.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
