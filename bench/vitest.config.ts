import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A test that asserts nothing fails, so no test can pass by doing nothing.
  test: { expect: { requireAssertions: true } },
});
