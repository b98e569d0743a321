import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const PREFLIGHT = new URL('./preflight.mjs', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'latchkey-preflight-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function preflight(path: string) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [PREFLIGHT], {
    env: { PATH: path },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { ...run, ms: Date.now() - started };
}

/** A folder holding a `redis-server` that exits with `status`. */
function fakeRedis(status: number): string {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  const file = join(dir, 'redis-server');
  writeFileSync(file, `#!/bin/sh\nexit ${status}\n`);
  chmodSync(file, 0o755);
  return dir;
}

describe('the preflight that pnpm test runs first', () => {
  it('stops at once with one line saying how to get redis-server when it is not on PATH', () => {
    const run = preflight(mkdtempSync(join(scratch, 'empty-')));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/redis-server on PATH.*apt-get install redis-server/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('stops when the redis-server found cannot run', () => {
    const run = preflight(fakeRedis(127));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/redis-server/);
  });

  it('lets the tests start when redis-server runs', () => {
    const run = preflight(fakeRedis(0));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs before anything else in the root test script', () => {
    const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(root.scripts.test).toMatch(/^node scripts\/preflight\.mjs && turbo run test\b/);
  });
});
