import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A test that asserts nothing fails, so no test can pass by doing nothing.
    // expect.poll waits for pages that re-render after a server action: its 1 s default is
    // shorter than one such round trip on a loaded 2-core CI machine (a console action once
    // took longer there). A hang still fails, after this.
    expect: { requireAssertions: true, poll: { timeout: 15_000 } },
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
