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

/** A folder holding Redis's programs (`redis-server`, `redis-cli`), each exiting with its status. */
function fakeRedis(status: number, programs: readonly string[] = ['redis-server', 'redis-cli']) {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  for (const program of programs) {
    const file = join(dir, program);
    writeFileSync(file, `#!/bin/sh\nexit ${status}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

describe('the preflight that pnpm test runs first', () => {
  it('stops at once with one line per missing program saying how to get it', () => {
    const run = preflight(mkdtempSync(join(scratch, 'empty-')));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/redis-server on PATH.*apt-get install redis-server/);
    expect(lines[1]).toMatch(/redis-cli on PATH.*apt-get install redis-server/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('stops when redis-cli alone is missing (the topology suites need it)', () => {
    const run = preflight(fakeRedis(0, ['redis-server']));
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^pnpm test needs redis-cli/),
    ]);
  });

  it('stops when the redis-server found cannot run', () => {
    const run = preflight(fakeRedis(127));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/redis-server/);
  });

  it('lets the tests start when redis-server and redis-cli run', () => {
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
