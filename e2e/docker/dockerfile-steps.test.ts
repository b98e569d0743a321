import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { replayDockerfile, type ReplayedImage } from './replay-dockerfile.js';

// The Dockerfiles' build steps run for real, outside Docker (no engine on this machine):
// turbo prune, pnpm install --frozen-lockfile from the pruned lockfile, the turbo build, the
// runner stage's copies. Then what the runner image would hold is started, with the
// environment the image sets, and must answer over HTTP and pass its own HEALTHCHECK.
// Slow: a few minutes per image on two cores.

const BUILD_TIMEOUT_MS = 6 * 60_000;
const ISSUER = 'http://idp.localhost:4000';
const secret = () => randomBytes(32).toString('base64url');

const work = mkdtempSync(join(tmpdir(), 'latchkey-docker-steps-'));
const services: ServiceProcess[] = [];
let redis: TestRedis;
let idpUrl: string;

const localTools = {
  pnpm: spawnSync('sh', ['-c', 'command -v pnpm'], { encoding: 'utf8' }).stdout.trim(),
  turbo: join(ROOT, 'node_modules/turbo/bin/turbo'),
};

function build(dockerfile: string, name: string): Promise<ReplayedImage> {
  return replayDockerfile({
    context: ROOT,
    dockerfile,
    workDir: join(work, name),
    localTools,
    runTimeoutMs: BUILD_TIMEOUT_MS,
  });
}

/** Starts the image's CMD in its WORKDIR with its ENV, as `docker run` would, plus `env`. */
function start(name: string, image: ReplayedImage, env: Record<string, string>): ServiceProcess {
  const [command, ...args] = image.cmd;
  const service = startService(name, command === 'node' ? process.execPath : command!, args, {
    cwd: image.workdir,
    env: { ...image.env, ...env },
  });
  services.push(service);
  return service;
}

/** Runs the image's HEALTHCHECK command as Docker would, in the container's environment. */
function healthcheck(image: ReplayedImage, env: Record<string, string>): number | null {
  const [command, ...args] = image.healthcheck!;
  return spawnSync(command === 'node' ? process.execPath : command!, args, {
    cwd: image.workdir,
    env: { PATH: process.env.PATH, ...image.env, ...env },
    timeout: 10_000,
  }).status;
}

function report(name: string, image: ReplayedImage): void {
  const steps = image.timings.map(
    ({ stage, step, ms }) => `  ${stage}: ${(ms / 1000).toFixed(1)} s  ${step}`,
  );
  process.stderr.write(`[docker-steps] ${name}\n${steps.join('\n')}\n`);
}

const output = () => services.map((s) => `--- ${s.name}\n${s.output()}`).join('\n');

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await redis?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('apps/idp/Dockerfile', () => {
  let image: ReplayedImage;
  let port: number;

  it(
    'builds a runner holding only the production deployment',
    async () => {
      image = await build('apps/idp/Dockerfile', 'idp');
      report('idp', image);
      expect(image.user).toBe('1000:1000');
      expect(readdirSync(image.workdir).sort()).toEqual([
        'demo',
        'dist',
        'node_modules',
        'package.json',
      ]);
      // Production dependencies only: no compiler, test runner or dev-only package.
      for (const devOnly of ['typescript', 'vitest', '@latchkey/testing']) {
        expect(existsSync(join(image.workdir, 'node_modules', devOnly)), devOnly).toBe(false);
      }
      // The workspace packages it runs on, built: the wire formats, and the SDK with which the
      // admin API verifies its callers' tokens.
      for (const built of ['@latchkey/protocol', '@latchkey/sdk']) {
        const entry = join(image.workdir, 'node_modules', built, 'dist/index.js');
        expect(existsSync(entry), built).toBe(true);
      }
    },
    BUILD_TIMEOUT_MS,
  );

  it('starts, with argon2 from the pruned deployment, and answers /healthz, /readyz, /jwks', async () => {
    port = await freePort();
    idpUrl = `http://127.0.0.1:${port}`;
    const idp = start('idp', image, {
      // As docker-compose.yml runs it, but on loopback (the image listens on 0.0.0.0).
      NODE_ENV: 'development',
      ISSUER,
      IDP_HOST: '127.0.0.1',
      IDP_PORT: String(port),
      REDIS_URL: redis.url,
      // Compose gives it a PostgreSQL server; here the embedded one, from the pruned deployment.
      DATABASE_URL: 'pglite://memory',
      KEY_ENCRYPTION_KEY: secret(),
      CLIENTS_FILE: join(image.rootDir, 'app/demo/clients.json'),
      USERS_FILE: join(image.rootDir, 'app/demo/users.json'),
    });
    await waitFor('the IdP to be ready', async () => (await fetch(`${idpUrl}/readyz`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${output()}`);
    });
    expect((await fetch(`${idpUrl}/healthz`)).status).toBe(200);
    const jwks = (await (await fetch(`${idpUrl}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    const discovery = (await (
      await fetch(`${idpUrl}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(ISSUER);
    // Seeding the demo users hashes their passwords with Argon2id: the native module loads.
    await waitFor('the demo users to be seeded', () => idp.output().includes('"users.seeded"'), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }, 60_000);

  it('passes its own HEALTHCHECK, which fails when nothing answers', async () => {
    expect(healthcheck(image, { IDP_PORT: String(port) })).toBe(0);
    expect(healthcheck(image, { IDP_PORT: String(await freePort()) })).toBe(1);
  }, 30_000);
});

for (const [app, appUrl] of [
  ['shop', 'http://shop.localhost:3001'],
  ['wiki', 'http://wiki.localhost:3002'],
] as const)
  describe(`apps/${app}/Dockerfile`, () => {
    let image: ReplayedImage;
    let port: number;

    it(
      "builds a runner holding Next's standalone server, its static files and public/",
      async () => {
        image = await build(`apps/${app}/Dockerfile`, app);
        report(app, image);
        expect(image.user).toBe('1000:1000');
        expect(existsSync(join(image.workdir, `apps/${app}/server.js`))).toBe(true);
        expect(readdirSync(join(image.workdir, `apps/${app}/.next/static`)).length).toBeGreaterThan(
          0,
        );
        expect(readdirSync(join(image.workdir, `apps/${app}/public`))).toEqual(
          readdirSync(join(ROOT, `apps/${app}/public`)),
        );
        // The server's traced files only: no sources, no compiler.
        expect(existsSync(join(image.workdir, `apps/${app}/src`))).toBe(false);
        expect(existsSync(join(image.workdir, 'node_modules/typescript'))).toBe(false);
      },
      BUILD_TIMEOUT_MS,
    );

    it('starts and sends a visitor without a session to sign in', async () => {
      expect(idpUrl, 'the IdP image runs first').toBeDefined();
      port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      start(app, image, {
        // As docker-compose.yml runs it, but on loopback (the image listens on 0.0.0.0).
        HOSTNAME: '127.0.0.1',
        PORT: String(port),
        ISSUER,
        IDP_INTERNAL_URL: idpUrl,
        APP_URL: appUrl,
        CLIENT_ID: app,
        CLIENT_SECRET: `${app}-demo-secret`,
        SESSION_SECRET: secret(),
        REDIS_URL: redis.url,
        WIKI_INTERNAL_URL: 'http://127.0.0.1:9',
      });
      let home: Response | undefined;
      await waitFor(
        `the ${app} server`,
        async () => {
          home = await fetch(`${url}/`, { redirect: 'manual' });
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output()}`);
      });
      expect(home!.status, output()).toBe(307);
      expect(home!.headers.get('location')).toMatch(/\/auth\/login\?returnTo=%2F$/);

      const login = await fetch(`${url}/auth/login?returnTo=%2F`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      const authorize = new URL(login.headers.get('location')!);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ISSUER}/authorize`);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${appUrl}/auth/callback`);

      // The static files the runner stage copies next to the standalone server are served.
      const chunk = readdirSync(join(image.workdir, `apps/${app}/.next/static/chunks`)).find((f) =>
        f.endsWith('.js'),
      );
      expect((await fetch(`${url}/_next/static/chunks/${chunk}`)).status).toBe(200);
    }, 60_000);

    it('passes its own HEALTHCHECK, which fails when nothing answers', async () => {
      expect(healthcheck(image, { PORT: String(port) })).toBe(0);
      expect(healthcheck(image, { PORT: String(await freePort()) })).toBe(1);
    }, 30_000);
  });
