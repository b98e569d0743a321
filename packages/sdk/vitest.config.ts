import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A test that asserts nothing fails, so no test can pass by doing nothing.
    expect: { requireAssertions: true },
    projects: [
      { extends: true, test: { name: 'sdk', include: ['src/**/*.test.ts'] } },
      {
        // Packs both published packages (their prepack rebuilds dist) and installs them into a
        // project outside the workspace. After the other tests, alone: a rebuild must not pull
        // the protocol's dist from under a test that imports it.
        extends: true,
        test: {
          name: 'packaging',
          include: ['test/packaging/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
