import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findTestPostgres,
  freePort,
  sleep,
  startTestRedis,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import { writeClientsFile } from './clients-file.js';
import {
  appDir,
  DEMO_USERS,
  IDP_MAIN,
  IDP_SESSIONS_CLI,
  IDP_USERS_CLI,
  nextBin,
  ROOT,
  type AppName,
} from './paths.js';
import { runCommand, startService, type ServiceProcess } from './service-process.js';

const START_TIMEOUT_MS = 60_000;

type Urls = { idp: string; shop: string; wiki: string; console: string };

/**
 * A private Redis, the built IdP and both built demo apps (and the admin console when asked),
 * on free loopback ports.
 */
export interface DemoStack {
  /** Public origins, as the browser sees them (`http://shop.localhost:<port>`). */
  readonly urls: Urls;
  /** The same servers by address, for plain fetch from the tests (Node does not map *.localhost). */
  readonly internal: Urls;
  readonly redis: TestRedis;
  readonly idp: ServiceProcess;
  readonly shop: ServiceProcess;
  readonly wiki: ServiceProcess;
  /** The admin console, when started with `console: true`. */
  readonly console: ServiceProcess | undefined;
  /** Every process's output, each line tagged with its name. */
  output(): string;
  /** The IdP's operator command `sessions revoke-user <username>`, on this stack's Redis. */
  /** Whether the IdP's directory is on a server the admin command reaches too. */
  readonly sharedDirectory: boolean;
  revokeUser(username: string): Promise<{ code: number | null; output: string }>;
  /** The IdP's operator command `users …` (disable, enable, …), on this stack's stores. */
  users(...args: string[]): Promise<{ code: number | null; output: string }>;
  stop(): Promise<void>;
}

export interface DemoStackOptions {
  /** More IdP environment (ACCESS_TOKEN_TTL, …). */
  idpEnv?: Record<string, string>;
  /** Also start the admin console (apps/console), with CONSOLE_REQUIRE_MFA=false. */
  console?: boolean;
  /** Where the example SPA (examples/spa) will be: its demo client is moved there. */
  spaUrl?: string;
  /** Where the third-party demo client (`partner`) will be: its redirect URIs move there. */
  partnerUrl?: string;
}

/**
 * A free port can be taken by another process between the moment it is chosen and the moment
 * a server listens on it (other test suites run on this machine too): start again then.
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startDemoStackOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error as Error).message.includes('EADDRINUSE')) throw error;
    }
  }
}

async function startDemoStackOnce(options: DemoStackOptions): Promise<DemoStack> {
  // Redis first: it chooses its own free port, which must not be one of ours.
  const redis = await startTestRedis();
  const [idpPort, shopPort, wikiPort, consolePort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const urls: Urls = {
    idp: `http://idp.localhost:${idpPort}`,
    shop: `http://shop.localhost:${shopPort}`,
    wiki: `http://wiki.localhost:${wikiPort}`,
    console: `http://console.localhost:${consolePort}`,
  };
  const internal: Urls = {
    idp: `http://127.0.0.1:${idpPort}`,
    shop: `http://127.0.0.1:${shopPort}`,
    wiki: `http://127.0.0.1:${wikiPort}`,
    console: `http://127.0.0.1:${consolePort}`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  // The admin command must see the IdP's directory: a database of the stack's own on the
  // PostgreSQL server when one answers; else the embedded one in memory, which only the IdP
  // process sees (revokeUser then cannot find anyone: see `sharedDirectory`).
  const postgres = await findTestPostgres();
  const directory: TestPostgresDatabase | undefined = postgres.available
    ? await postgres.createDatabase()
    : undefined;
  const idpEnv = {
    ISSUER: urls.idp,
    REDIS_URL: redis.url,
    DATABASE_URL: directory?.url ?? 'pglite://memory',
    CLIENTS_FILE: writeClientsFile(dir, {
      ...urls,
      ...(options.spaUrl !== undefined && { spa: options.spaUrl }),
      ...(options.partnerUrl !== undefined && { partner: options.partnerUrl }),
    }),
    USERS_FILE: DEMO_USERS,
    // Back-channel logout tokens go to the demo apps on loopback, and nowhere else.
    DELIVERY_LOOPBACK_ONLY: 'true',
    // The access log (one line per request) explains most failures, and counts /token calls.
    LOG_LEVEL: 'debug',
    ...options.idpEnv,
  };
  const idp = startService('idp', process.execPath, [IDP_MAIN], {
    cwd: ROOT,
    env: { ...idpEnv, IDP_PORT: String(idpPort) },
  });
  const appEnv = {
    ISSUER: urls.idp,
    IDP_INTERNAL_URL: internal.idp,
    REDIS_URL: redis.url,
    HOST: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const startApp = (app: AppName, port: number, env: Record<string, string>) =>
    startService(
      app,
      process.execPath,
      [nextBin(app), 'start', '-H', '127.0.0.1', '-p', `${port}`],
      {
        cwd: appDir(app),
        env: {
          ...appEnv,
          ...env,
          PORT: String(port),
          APP_URL: urls[app],
          CLIENT_ID: app,
          CLIENT_SECRET: `${app}-demo-secret`,
          SESSION_SECRET: randomBytes(32).toString('base64url'),
        },
      },
    );
  const shop = startApp('shop', shopPort, {
    WIKI_URL: urls.wiki,
    WIKI_INTERNAL_URL: internal.wiki,
  });
  const wiki = startApp('wiki', wikiPort, { SHOP_URL: urls.shop });
  // The demo users have no second factor: the console lets an admin in on a password.
  const consoleApp = options.console
    ? startApp('console', consolePort, { CONSOLE_REQUIRE_MFA: 'false' })
    : undefined;
  const services = [idp, shop, wiki, ...(consoleApp ? [consoleApp] : [])];

  const output = () =>
    services
      .map((service) =>
        service
          .output()
          .split('\n')
          .filter(Boolean)
          .map((line) => `[${service.name}] ${line}`)
          .join('\n'),
      )
      .join('\n');
  const stop = async () => {
    await Promise.all(services.map((service) => service.stop()));
    await redis.kill();
    await directory?.drop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.all([
      waitUntilAnswering(idp, `${internal.idp}/readyz`, (status) => status === 200),
      waitUntilAnswering(shop, `${internal.shop}/auth/login`, (status) => status < 500),
      waitUntilAnswering(wiki, `${internal.wiki}/auth/login`, (status) => status < 500),
      ...(consoleApp
        ? [waitUntilAnswering(consoleApp, `${internal.console}/auth/login`, (s) => s < 500)]
        : []),
    ]);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output()}`);
  }

  return {
    urls,
    internal,
    redis,
    idp,
    shop,
    wiki,
    console: consoleApp,
    output,
    sharedDirectory: directory !== undefined,
    revokeUser: (username) =>
      runCommand(process.execPath, [IDP_SESSIONS_CLI, 'revoke-user', username], {
        cwd: ROOT,
        env: idpEnv,
      }),
    users: (...args) =>
      runCommand(process.execPath, [IDP_USERS_CLI, ...args], { cwd: ROOT, env: idpEnv }),
    stop,
  };
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < 20; attempt += 1) {
    ports.add(await freePort());
  }
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports`);
  return [...ports];
}

async function waitUntilAnswering(
  service: ServiceProcess,
  url: string,
  good: (status: number) => boolean,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  // Bounded by time and, at one attempt per 200 ms at least, by count.
  for (let attempt = 0; attempt < START_TIMEOUT_MS / 200; attempt += 1) {
    // A crash at start-up is reported at once, not after the whole timeout.
    if (service.exited()) throw new Error(`${service.name} exited before answering at ${url}`);
    if (Date.now() > deadline) break;
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (good(response.status)) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${service.name} did not answer at ${url} within ${START_TIMEOUT_MS} ms`);
}
