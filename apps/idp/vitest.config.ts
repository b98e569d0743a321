import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One migrated embedded PostgreSQL, dumped for every test file to load (see the file).
    globalSetup: ['src/test-support/pglite-snapshot.ts'],
    // A test that asserts nothing fails, so no test can pass by doing nothing.
    expect: { requireAssertions: true },
    projects: [
      {
        extends: true,
        test: {
          name: 'idp',
          include: ['src/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          // The embedded PostgreSQL starts once per worker, in the first hook that needs it:
          // initdb inside WebAssembly takes 2-6 s on the 2-core machines here.
          hookTimeout: 30_000,
          // CI's 2 cores run this suite beside its own Redis and PostgreSQL servers: a test
          // that takes 1 s alone has taken over 5 s there. A hang still fails, later.
          testTimeout: 15_000,
        },
      },
      {
        // Latchkey's promises under faults and hostile input (see reliability/README.md):
        // real Redis servers stopped and started, IdP processes killed, floods and fuzzing.
        extends: true,
        test: {
          name: 'reliability',
          include: ['reliability/**/*.test.ts'],
          // After the other project, one file at a time: these tests load the machine on
          // purpose, and a promise like "fails fast" must not be measured under another
          // file's load.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
