#!/usr/bin/env node
// @ts-check
// `pnpm test:node20`: @latchkey/protocol and @latchkey/sdk are libraries that promise Node
// 20.19+, while the workspace itself runs on Node 24, so their whole suites (vitest 4 runs on
// 20.19+) run once more under a Node 20: NODE20 if set, else the first `node` on PATH that
// is one. Without one it says so and skips, so that a machine without Node 20 is not a failure.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['packages/protocol', 'packages/sdk'];
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/** @param {string} path @returns {string | undefined} its version when it is a Node 20.19+ */
function node20Version(path) {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return undefined;
  }
  const run = spawnSync(path, ['-p', 'process.versions.node'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const version = run.stdout?.trim() ?? '';
  const [major, minor] = version.split('.').map(Number);
  return major === 20 && (minor ?? 0) >= 19 ? version : undefined;
}

/** @returns {{ path: string, version: string } | undefined} */
function findNode20() {
  const asked = process.env.NODE20;
  if (asked) {
    const version = node20Version(asked);
    if (version === undefined) {
      process.stderr.write(`test:node20: NODE20=${asked} is not a Node 20.19+ binary\n`);
      process.exit(1);
    }
    return { path: asked, version };
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, 'node');
    const version = node20Version(path);
    if (version !== undefined) return { path, version };
  }
  return undefined;
}

const node20 = findNode20();
if (node20 === undefined) {
  process.stdout.write('test:node20: no Node 20.19+ on PATH (set NODE20 to one); skipped\n');
  process.exit(0);
}

let failed = false;
for (const dir of PACKAGES) {
  process.stdout.write(`\n${dir} on Node ${node20.version} (${node20.path})\n`);
  const run = spawnSync(node20.path, [VITEST, 'run'], { cwd: join(ROOT, dir), stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
