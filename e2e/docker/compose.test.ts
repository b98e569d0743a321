import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/paths.js';
import {
  commandOf,
  dependsOnProblems,
  environmentOf,
  environmentProblems,
  healthcheckProblems,
  loopbackPortProblems,
  missingDockerfileProblems,
  missingServiceProblems,
  profileProblems,
  publishedPortProblems,
  redisPersistenceProblems,
  services,
  untaggedImageProblems,
} from './compose-checks.js';
import { dockerIgnoreMatcher } from './docker-ignore.js';
import { parseDockerfile } from './dockerfile.js';
import {
  argDefault,
  recipeProblems,
  runnerProblems,
  stageReferenceProblems,
} from './dockerfile-checks.js';

// The containerised demo, checked without a Docker engine: the compose file and the
// Dockerfiles it builds. dockerfile-steps.test.ts runs the Dockerfiles' steps for real.

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const compose: unknown = parse(read('docker-compose.yml'));
const hasHealthcheck = (path: string) =>
  parseDockerfile(read(path))
    .stages.at(-1)
    ?.instructions.some((i) => i.keyword === 'HEALTHCHECK' && !/^NONE$/i.test(i.rest)) ?? false;

const ISSUER = 'http://idp.localhost:4000';
const PORTS = { idp: 4000, shop: 3001, wiki: 3002, console: 3003 };
const ENVIRONMENT = {
  idp: { ISSUER, REDIS_URL: 'redis://redis:6379' },
  shop: {
    ISSUER,
    IDP_INTERNAL_URL: 'http://idp:4000',
    APP_URL: 'http://shop.localhost:3001',
    REDIS_URL: 'redis://redis:6379',
    WIKI_INTERNAL_URL: 'http://wiki:3002',
  },
  wiki: {
    ISSUER,
    IDP_INTERNAL_URL: 'http://idp:4000',
    APP_URL: 'http://wiki.localhost:3002',
    REDIS_URL: 'redis://redis:6379',
  },
  console: {
    ISSUER,
    IDP_INTERNAL_URL: 'http://idp:4000',
    APP_URL: 'http://console.localhost:3003',
    REDIS_URL: 'redis://redis:6379',
  },
};
const IMAGES = [
  { service: 'idp', dockerfile: 'apps/idp/Dockerfile', packageName: '@latchkey/idp' },
  { service: 'shop', dockerfile: 'apps/shop/Dockerfile', packageName: '@latchkey/demo-shop' },
  { service: 'wiki', dockerfile: 'apps/wiki/Dockerfile', packageName: '@latchkey/demo-wiki' },
  { service: 'console', dockerfile: 'apps/console/Dockerfile', packageName: '@latchkey/console' },
];

describe('docker-compose.yml', () => {
  it('has redis, idp, shop, wiki and console', () => {
    expect(missingServiceProblems(compose, ['redis', 'idp', 'shop', 'wiki', 'console'])).toEqual(
      [],
    );
  });

  it("publishes the Contract's ports 4000, 3001, 3002 and 3003", () => {
    expect(publishedPortProblems(compose, PORTS)).toEqual([]);
  });

  it('gives every service a health check and starts each after its dependencies are healthy', () => {
    expect(healthcheckProblems(compose, hasHealthcheck)).toEqual([]);
    expect(dependsOnProblems(compose)).toEqual([]);
  });

  it('keeps Redis data in an append-only file on a named volume', () => {
    expect(redisPersistenceProblems(compose)).toEqual([]);
  });

  it("keeps the Contract's public issuer and points servers at each other by service name", () => {
    expect(environmentProblems(compose, ENVIRONMENT)).toEqual([]);
  });

  it('builds from Dockerfiles that exist', () => {
    expect(missingDockerfileProblems(compose, ROOT)).toEqual([]);
  });

  it('pulls images by version tag and publishes every port on loopback only', () => {
    expect(untaggedImageProblems(compose)).toEqual([]);
    expect(loopbackPortProblems(compose)).toEqual([]);
  });

  it('takes the secrets that guard data from the environment, never from the file', () => {
    const text = read('docker-compose.yml');
    for (const name of [
      'KEY_ENCRYPTION_KEY',
      'SHOP_SESSION_SECRET',
      'WIKI_SESSION_SECRET',
      'CONSOLE_SESSION_SECRET',
    ]) {
      expect(text).toMatch(new RegExp(`: \\$\\{${name}:\\?[^}]+\\}`));
    }
  });
});

// Issue 15: Redis under Sentinel and two IdP instances behind a proxy, an optional profile.
const HA = {
  sentinels: ['sentinel-1', 'sentinel-2', 'sentinel-3'],
  redis: ['redis-ha-master', 'redis-ha-replica'],
  idps: ['idp-ha-1', 'idp-ha-2'],
  proxy: 'idp-ha-proxy',
  masterName: 'latchkey',
};
const HA_SERVICES = [...HA.redis, ...HA.sentinels, 'postgres-ha', ...HA.idps, HA.proxy];
const SENTINEL_URL = `redis+sentinel://${HA.sentinels.map((name) => `${name}:26379`).join(',')}/${HA.masterName}`;

describe("docker-compose.yml's profile ha", () => {
  const all = services(compose);

  it('adds the sentinel set, two IdPs and their proxy, and leaves the default services alone', () => {
    expect(missingServiceProblems(compose, HA_SERVICES)).toEqual([]);
    expect(profileProblems(compose, 'ha', HA_SERVICES)).toEqual([]);
    // Nothing of the default services depends on the profile's, or `up` would need it.
    for (const [name, service] of all) {
      if (HA_SERVICES.includes(name)) continue;
      const needs = Object.keys((service.depends_on as object | undefined) ?? {});
      expect(
        needs.filter((need) => HA_SERVICES.includes(need)),
        name,
      ).toEqual([]);
    }
  });

  it('keeps both Redis nodes on append-only files, the replica following the master', () => {
    for (const name of HA.redis) expect(redisPersistenceProblems(compose, name)).toEqual([]);
    expect(commandOf(all.get('redis-ha-replica'))).toMatch(/--replicaof redis-ha-master 6379\b/);
  });

  it('runs three sentinels watching the master under one name, with a quorum of two', () => {
    for (const name of HA.sentinels) {
      const command = commandOf(all.get(name));
      expect(command, name).toContain(`sentinel monitor ${HA.masterName} redis-ha-master 6379 2`);
      expect(command, name).toContain('port 26379');
      expect(command, name).toContain('--sentinel');
    }
  });

  it('points both IdPs at the sentinels and waits for a replica; one issuer, one database', () => {
    const proxyAddress = (
      all.get(HA.proxy)?.networks as Record<string, { ipv4_address?: string }> | undefined
    )?.ha?.ipv4_address;
    expect(proxyAddress).toMatch(/^172\.28\.15\.\d+$/);
    const expected = {
      ISSUER: 'http://idp.localhost:4100',
      IDP_PORT: '4000',
      REDIS_URL: SENTINEL_URL,
      REDIS_WAIT_REPLICAS: '1',
      TRUSTED_PROXIES: proxyAddress!,
    };
    expect(
      environmentProblems(compose, Object.fromEntries(HA.idps.map((name) => [name, expected]))),
    ).toEqual([]);
    const [first, second] = HA.idps.map((name) => environmentOf(all.get(name)));
    expect(first).toEqual(second);
    expect(first!.get('DATABASE_URL')).toMatch(/@postgres-ha:5432\/latchkey$/);
    expect(first!.get('KEY_ENCRYPTION_KEY')).toMatch(/^\$\{KEY_ENCRYPTION_KEY:\?/);
  });

  it('publishes only the proxy, on loopback port 4100, balancing over both IdPs', () => {
    expect(publishedPortProblems(compose, { [HA.proxy]: 4100 })).toEqual([]);
    for (const name of HA_SERVICES.filter((name) => name !== HA.proxy)) {
      expect(all.get(name)?.ports, name).toBeUndefined();
    }
    const configs = (compose as { configs?: Record<string, { content?: string }> }).configs;
    const nginx = configs?.['idp-ha-nginx']?.content ?? '';
    for (const name of HA.idps) expect(nginx).toContain(`server ${name}:4000;`);
    expect(nginx).toContain('listen 4100;');
    expect(nginx).toMatch(/X-Forwarded-For \$\$proxy_add_x_forwarded_for;/);
  });
});

describe.each(IMAGES)('$dockerfile', ({ dockerfile, packageName }) => {
  const parsed = parseDockerfile(read(dockerfile));

  it('names only stages that exist, and tagged images', () => {
    expect(stageReferenceProblems(parsed)).toEqual([]);
  });

  it('prunes, installs from the lockfile, builds, and runs a small non-root image', () => {
    expect(recipeProblems(parsed, packageName)).toEqual([]);
    expect(runnerProblems(parsed)).toEqual([]);
  });

  it("builds and runs on Node 24, the Contract's LTS", () => {
    expect(argDefault(parsed, 'NODE_IMAGE')).toBe('node:24-bookworm-slim');
  });

  it('installs the pnpm and turbo versions the repository pins', () => {
    const packageManager = (JSON.parse(read('package.json')) as { packageManager: string })
      .packageManager;
    expect(`pnpm@${argDefault(parsed, 'PNPM_VERSION')}`).toBe(packageManager);
    const lockfile = parse(read('pnpm-lock.yaml')) as {
      importers: Record<string, { devDependencies: Record<string, { version: string }> }>;
    };
    expect(argDefault(parsed, 'TURBO_VERSION')).toBe(
      lockfile.importers['.']!.devDependencies.turbo!.version,
    );
  });
});

it("keeps the shop's and the wiki's Dockerfiles the same but for the app's name and port", () => {
  const shop = read('apps/shop/Dockerfile');
  expect(shop.replaceAll('shop', 'wiki').replaceAll('3001', '3002')).toBe(
    read('apps/wiki/Dockerfile'),
  );
});

it("keeps the console's Dockerfile the shop's but for the app's name, package and port", () => {
  const shop = read('apps/shop/Dockerfile')
    .replaceAll('@latchkey/demo-shop', '@latchkey/console')
    .replaceAll('shop', 'console')
    .replaceAll('3001', '3003')
    .replace("# The console demo app's image.", "# The admin console's image.")
    .replace(
      "# The console's and the wiki's Dockerfiles differ only in the app's name and port",
      "# The console's Dockerfile is the shop's but for the app's name, package and port",
    );
  expect(shop).toBe(read('apps/console/Dockerfile'));
});

it('keeps build output, installed packages, git and secrets out of the build context', () => {
  const ignored = dockerIgnoreMatcher(read('.dockerignore'));
  for (const path of [
    'node_modules/.pnpm/koa@3.3.0/package.json',
    'apps/idp/node_modules/koa',
    'apps/shop/.next/standalone/server.js',
    'packages/sdk/dist/index.js',
    'apps/idp/.turbo/turbo-build.log',
    '.git/HEAD',
    'bench/results/latest.json',
    '.env',
    '.env.local',
  ]) {
    expect(ignored(path), path).toBe(true);
  }
  for (const path of ['pnpm-lock.yaml', 'apps/idp/src/main.ts', 'apps/idp/demo/users.json']) {
    expect(ignored(path), path).toBe(false);
  }
});

describe('the checks themselves, on broken files', () => {
  const broken: unknown = parse(`
services:
  redis:
    image: redis
    command: redis-server --save ''
    volumes: ['/tmp/redis:/data']
  idp:
    build: { context: ., dockerfile: apps/idp/Dockerfile.missing }
    ports: ['4001:4000']
    environment: ['ISSUER=http://127.0.0.1:4000']
    depends_on: [redis]
  shop:
    image: nginx
    healthcheck: { disable: true }
    depends_on: { idp: { condition: service_started }, ghost: { condition: service_healthy } }
  wiki:
    image: redis:latest
    profiles: [ha, other]
    ports: [{ target: 3002, published: 3002 }, '127.0.0.1:3003:3003']
`);

  it('find what is missing or wrong in a compose file', () => {
    expect(missingServiceProblems(broken, ['redis', 'idp', 'shop', 'wiki', 'console'])).toEqual([
      'no service console',
    ]);
    expect(untaggedImageProblems(broken)).toEqual([
      'redis: image "redis" has no version tag',
      'shop: image "nginx" has no version tag',
      'wiki: image "redis:latest" has no version tag',
    ]);
    expect(loopbackPortProblems(broken)).toEqual([
      'idp: port "4001:4000" is not bound to 127.0.0.1',
      'wiki: port {"target":3002,"published":3002} is not bound to 127.0.0.1',
    ]);
    expect(profileProblems(broken, 'ha', ['wiki', 'shop'])).toEqual([
      'shop: profiles are [], not [ha]',
      'wiki: profiles are [ha, other], not [ha]',
    ]);
    expect(publishedPortProblems(broken, { idp: 4000, shop: 3001 })).toEqual([
      'idp does not publish port 4000 as 4000',
      'shop does not publish port 3001 as 3001',
    ]);
    expect(healthcheckProblems(broken, () => false)).toEqual([
      'redis: no healthcheck in the compose file or in its Dockerfile',
      'idp: no healthcheck in the compose file or in its Dockerfile',
      'shop: health check disabled',
      'wiki: no healthcheck in the compose file or in its Dockerfile',
    ]);
    expect(dependsOnProblems(broken)).toEqual([
      'idp: depends_on is a list, which waits only for the start',
      'shop: depends on idp without condition: service_healthy',
      'shop: depends on unknown service ghost',
    ]);
    expect(redisPersistenceProblems(broken)).toEqual([
      'redis: command does not turn on --appendonly yes',
      'redis: no named volume (declared under volumes:) at /data',
    ]);
    expect(environmentProblems(broken, { idp: { ISSUER } })).toEqual([
      `idp: ISSUER is http://127.0.0.1:4000, not ${ISSUER}`,
    ]);
    expect(missingDockerfileProblems(broken, ROOT)).toEqual([
      'idp: apps/idp/Dockerfile.missing does not exist',
    ]);
  });

  it('find wrong stage names, a root runner and a missing health check in a Dockerfile', () => {
    const dockerfile = parseDockerfile(`
ARG IMAGE=node:24-bookworm-slim
FROM \${IMAGE} AS base
FROM bsae AS pruner
RUN turbo prune @latchkey/idp
FROM base AS builder
COPY --from=prunner /repo/out/json/ ./
RUN --mount=type=cache,target=/x \\
    --mount=type=bind,from=ghost,target=/y \\
    pnpm install
FROM node AS runner
COPY --from=builder /repo/deploy ./
USER root
CMD ["node", "dist/main.js"]
`);
    expect(stageReferenceProblems(dockerfile)).toEqual([
      'line 4: FROM bsae: neither an earlier stage nor a tagged image',
      'line 7: COPY --from=prunner: no earlier stage has that name',
      'line 8: RUN --from=ghost: no earlier stage has that name',
      'line 11: FROM node: neither an earlier stage nor a tagged image',
    ]);
    expect(recipeProblems(dockerfile, '@latchkey/idp')).toEqual([
      'no pruner stage running "turbo prune @latchkey/idp --docker"',
      'no builder stage running "pnpm install --frozen-lockfile"',
      'no builder stage running "turbo run build --filter=@latchkey/idp"',
    ]);
    expect(runnerProblems(dockerfile)).toEqual([
      'the runner stage runs as root',
      'the runner stage has no HEALTHCHECK',
    ]);
    expect(runnerProblems(parseDockerfile('FROM node:24 AS runner\nCMD ["node"]\n'))).toContain(
      'the runner stage has no USER: it would run as root',
    );
  });
});
