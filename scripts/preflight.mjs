#!/usr/bin/env node
// @ts-check
// `pnpm test` runs this before turbo. Without redis-server on PATH, dozens of suites would each
// fail on their own after their timeouts; this says what is missing in one line, at once.
import { spawnSync } from 'node:child_process';

const MIN_NODE_MAJOR = 22;

/** @type {string[]} */
const missing = [];

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < MIN_NODE_MAJOR) {
  missing.push(
    `pnpm test needs Node ${MIN_NODE_MAJOR} or later (24 LTS recommended); this is ${process.version}`,
  );
}

// Run it rather than look for the file: a broken install fails here, not in forty suites.
const redis = spawnSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5_000 });
if (redis.error !== undefined || redis.status !== 0) {
  missing.push(
    'pnpm test needs redis-server on PATH (the tests start private ones): install Redis 7, e.g. `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS)',
  );
}

// The Sentinel and Cluster suites make their topologies with it (`redis-cli --cluster create`);
// it comes with redis-server in Debian's and Homebrew's packages, but not in every build.
const cli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore', timeout: 5_000 });
if (cli.error !== undefined || cli.status !== 0) {
  missing.push(
    'pnpm test needs redis-cli on PATH (the Sentinel and Cluster tests build their topologies with it): it comes with Redis, e.g. `sudo apt-get install redis-server` or `brew install redis`',
  );
}

if (missing.length > 0) {
  process.stderr.write(`${missing.join('\n')}\n`);
  process.exit(1);
}
