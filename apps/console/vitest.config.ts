import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Next resolves `server-only` under the react-server condition to an empty module on the
// server and to a throwing one elsewhere; tests run as the server does.
const serverOnly = join(dirname(createRequire(import.meta.url).resolve('server-only')), 'empty.js');

export default defineConfig({
  resolve: { alias: { 'server-only': serverOnly } },
  // A test that asserts nothing fails, so no test can pass by doing nothing.
  test: { include: ['src/**/*.test.ts'], expect: { requireAssertions: true } },
});
