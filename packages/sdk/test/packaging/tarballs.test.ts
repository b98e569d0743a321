import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSUMER_TS,
  IMPORTS_MJS,
  NEXT_CONFIG_MJS,
  NEXT_ROUTE_JS,
  TSCONFIG_NODENEXT,
} from './consumer-files.js';
import { packPackage, type PackedPackage } from './pack-package.js';
import { runCommand } from './run-command.js';

/**
 * What another team gets from a release: `@latchkey/protocol` and `@latchkey/sdk` packed as for
 * publishing, installed into an empty project outside the workspace (pnpm, from the machine's
 * store), every entry point imported under Node and type-checked under NodeNext, and
 * `@latchkey/sdk/next` run inside a minimal Next app.
 */

const SDK_DIR = fileURLToPath(new URL('../..', import.meta.url));
const PROTOCOL_DIR = fileURLToPath(new URL('../../../protocol', import.meta.url));
/** The Node the libraries promise to support (20.19+), when the machine has one. */
const OLDEST_NODE = '/usr/bin/node';

let work: string;
let consumer: string;
let sdk: PackedPackage;
let protocol: PackedPackage;

/** The versions the workspace installed, so that the install is served from the local store. */
function workspaceVersion(name: string): string {
  const require = createRequire(join(SDK_DIR, 'package.json'));
  return (require(`${name}/package.json`) as { version: string }).version;
}

function write(path: string, content: string): void {
  mkdirSync(dirname(join(consumer, path)), { recursive: true });
  writeFileSync(join(consumer, path), content);
}

function print(title: string, lines: string[]): void {
  process.stdout.write(`\n${title}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
}

describe('the published packages, installed outside the workspace', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'latchkey-pack-'));
    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    // One after the other: the SDK's clean build needs the protocol's declarations.
    protocol = await packPackage(PROTOCOL_DIR, work);
    sdk = await packPackage(SDK_DIR, work);
    print(`${protocol.tarball}`, protocol.files);
    print(`${sdk.tarball}`, sdk.files);

    const tarball = (packed: PackedPackage) => `file:${packed.tarball}`;
    write(
      'package.json',
      JSON.stringify({
        name: 'latchkey-consumer',
        private: true,
        type: 'module',
        dependencies: {
          '@latchkey/sdk': tarball(sdk),
          '@latchkey/protocol': tarball(protocol),
          ioredis: workspaceVersion('ioredis'),
          koa: workspaceVersion('koa'),
          next: workspaceVersion('next'),
          'prom-client': workspaceVersion('prom-client'),
          react: workspaceVersion('react'),
          'react-dom': workspaceVersion('react-dom'),
        },
        devDependencies: {
          typescript: workspaceVersion('typescript'),
          '@types/node': workspaceVersion('@types/node'),
          '@types/koa': workspaceVersion('@types/koa'),
        },
        // The SDK's tarball names the protocol by version; this one is not published yet.
        pnpm: { overrides: { '@latchkey/protocol': tarball(protocol) } },
      }),
    );
    const installed = await runCommand(
      'pnpm',
      ['install', '--ignore-workspace', '--prefer-offline', '--reporter=append-only'],
      // A first run on a new machine resolves every package's metadata from the registry (the
      // workspace's frozen install never fetched it): 90 s was seen to be too short there.
      { cwd: consumer, timeoutMs: 200_000 },
    );
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the build, its declarations, README and CHANGELOG: no tests, test support or sources', () => {
    for (const packed of [protocol, sdk]) {
      expect(packed.files).toContain('package.json');
      expect(packed.files).toContain('README.md');
      expect(packed.files).toContain('CHANGELOG.md');
      expect(packed.files).toContain('dist/index.js');
      expect(packed.files).toContain('dist/index.d.ts');
      const unwanted = packed.files.filter((file) =>
        /(\.test\.|test-support|\.map$|^src\/|\.tsbuildinfo$|vitest|eslint)/.test(file),
      );
      expect(unwanted).toEqual([]);
    }
    for (const entry of ['koa', 'redis', 'metrics', 'next/index']) {
      expect(sdk.files).toContain(`dist/${entry}.js`);
      expect(sdk.files).toContain(`dist/${entry}.d.ts`);
    }
  });

  it('imports every plain-Node entry point, on this Node and on the oldest supported one', async () => {
    write('imports.mjs', IMPORTS_MJS);
    const nodes = [process.execPath, ...(existsSync(OLDEST_NODE) ? [OLDEST_NODE] : [])];
    const lines: string[] = [];
    for (const node of nodes) {
      const ran = await runCommand(node, ['imports.mjs'], { cwd: consumer, timeoutMs: 30_000 });
      expect(ran.code, ran.stderr).toBe(0);
      const { node: version, results } = JSON.parse(ran.stdout) as {
        node: string;
        results: Record<string, string>;
      };
      for (const [entry, result] of Object.entries(results)) {
        expect(result, `${entry} on ${version}`).toMatch(/^\d+ exports$/);
        lines.push(`${version} ${entry}: ${result}`);
      }
    }
    print('imports under Node', lines);
  });

  it('type-checks a consumer of every entry point with tsc under NodeNext', async () => {
    write('consumer.ts', CONSUMER_TS);
    write('tsconfig.nodenext.json', TSCONFIG_NODENEXT);
    const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
    const checked = await runCommand(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], {
      cwd: consumer,
      timeoutMs: 90_000,
    });
    const errors = checked.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    // Ours: the consumer and anything in our packages' declarations.
    const ours = errors.filter(
      (line) => line.startsWith('consumer.ts') || line.includes('@latchkey'),
    );
    print('tsc --module nodenext', [
      `${errors.length - ours.length} errors in third-party declarations (ignored)`,
      `${ours.length} errors in the consumer or @latchkey declarations`,
      ...ours,
    ]);
    expect(ours).toEqual([]);
  });

  it('runs @latchkey/sdk/next inside a minimal Next app, built and started', async () => {
    write('app/check/route.js', NEXT_ROUTE_JS);
    write('next.config.mjs', NEXT_CONFIG_MJS);
    const next = join(consumer, 'node_modules/next/dist/bin/next');
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    const built = await runCommand(process.execPath, [next, 'build'], {
      cwd: consumer,
      env,
      timeoutMs: 120_000,
    });
    expect(built.code, built.stdout + built.stderr).toBe(0);

    const port = await freePort();
    const server = await import('node:child_process').then(({ spawn }) =>
      spawn(process.execPath, [next, 'start', '-H', '127.0.0.1', '-p', String(port)], {
        cwd: consumer,
        env,
        stdio: 'ignore',
      }),
    );
    try {
      let body: unknown;
      await waitFor(
        'the Next app to answer',
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/check`).catch(() => undefined);
          if (!response?.ok) return false;
          body = await response.json();
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(body).toEqual({ createLatchkeyNext: 'function', metrics: 'object' });
      print('next build + next start', [`GET /check -> ${JSON.stringify(body)}`]);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
