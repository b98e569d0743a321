import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  sessionCookieKey,
  sessionCookieValue,
} from '@latchkey/idp/dist/sessions/session-cookie.js';
import { freePort, waitFor } from '@latchkey/testing';
import { nextMessage, spawnNode, type Child } from '../runner/child.js';
import type { ProbeReply, ProbeRequest } from './probe-protocol.js';

export const IDP_DIR = fileURLToPath(new URL('../../../apps/idp/', import.meta.url));
const MAIN = `${IDP_DIR}dist/main.js`;
const PROBE = fileURLToPath(new URL('./idp-probe.ts', import.meta.url));
/** The Contract's demo clients and users: the same ids and secrets the peers are given. */
export const CLIENTS_FILE = `${IDP_DIR}demo/clients.json`;
export const USERS_FILE = `${IDP_DIR}demo/users.json`;

/**
 * A Shared Signals receiver registered besides the demo clients (case 3's SSF rows): its
 * resource is `<issuer>/ssf`, and the issuer is known only once the port is.
 */
export const SSF_RECEIVER = { id: 'bench-ssf', secret: 'bench-ssf-receiver-secret' };

async function clientsWithReceiver(issuer: string): Promise<{ file: string; dir: string }> {
  // The shop asks for ES256 ID tokens here (the demo's asks for RS256, the default), and so
  // does oidc-provider's (peers/oidc-provider-server.ts): an RS256 signature costs ~10 times
  // an ES256 one, and both servers would spend most of a code redemption on it.
  const demo = (JSON.parse(await readFile(CLIENTS_FILE, 'utf8')) as { client_id: string }[]).map(
    (client) =>
      client.client_id === 'shop' ? { ...client, id_token_signed_response_alg: 'ES256' } : client,
  );
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-clients-'));
  const file = join(dir, 'clients.json');
  const receiver = {
    client_id: SSF_RECEIVER.id,
    client_secret: SSF_RECEIVER.secret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    scope: 'ssf.manage',
    resources: [`${issuer}/ssf`],
  };
  await writeFile(file, JSON.stringify([...demo, receiver]));
  return { file, dir };
}

/** The built IdP (apps/idp/dist/main.js) as its own process, on a private Redis. */
export interface BenchIdp {
  url: string;
  /** Also the issuer: tokens carry this `iss`. */
  issuer: string;
  pid: number;
  /** The session cookie a browser signed in to session `sid` holds (sid and its MAC). */
  sessionCookie(sid: string): string;
  /** Event-loop delay since the last reset, and memory (after a GC when asked). */
  probe(
    type: ProbeRequest['type'],
    gc?: boolean,
    patterns?: string[],
    profile?: { categorise?: boolean; saveTo?: string },
  ): Promise<ProbeReply>;
  stop(): Promise<void>;
}

export interface BenchIdpOptions {
  /** DATABASE_URL; default `pglite://memory`. */
  databaseUrl?: string;
  /** Another entry point wiring the built IdP (the directory case's Redis-users baseline). */
  main?: string;
  /** CLIENTS_FILE; default the demo clients. */
  clientsFile?: string;
  /** More environment (e.g. DELIVERY_* for the back-channel row). */
  env?: Record<string, string>;
  /** ISSUER; default the IdP's own URL. Instances behind one balancer share one. */
  issuer?: string;
  /**
   * KEY_ENCRYPTION_KEY; default a fresh random one. Instances on one database must share it:
   * the signing keys are sealed under it.
   */
  kek?: Buffer;
}

export async function startBenchIdp(
  redisUrl: string,
  options: BenchIdpOptions = {},
): Promise<BenchIdp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const kek = options.kek ?? randomBytes(32);
  const issuer = options.issuer ?? url;
  const clients = await clientsWithReceiver(issuer);
  const child: Child = spawnNode(options.main ?? MAIN, {
    nodeArgs: ['--expose-gc', '--import', 'tsx', '--import', PROBE],
    env: {
      PATH: process.env.PATH,
      IDP_PORT: String(port),
      ISSUER: issuer,
      REDIS_URL: redisUrl,
      CLIENTS_FILE: options.clientsFile ?? clients.file,
      USERS_FILE,
      // The directory in memory: each run starts from the demo users, leaves nothing behind.
      DATABASE_URL: options.databaseUrl ?? 'pglite://memory',
      KEY_ENCRYPTION_KEY: kek.toString('base64url'),
      LOG_LEVEL: 'warn',
      // The limits would cap a load test at ~200 tokens/s per client (see the IdP README);
      // the benchmark measures the work behind them.
      RATE_LIMIT_TOKEN_PER_CLIENT: 'off',
      RATE_LIMIT_TOKEN_PER_ADDRESS: 'off',
      RATE_LIMIT_LOGIN_PER_ADDRESS: 'off',
      RATE_LIMIT_AUTHORIZE_PER_ADDRESS: 'off',
      // Benchmarks contact loopback addresses only (back-channel logout tokens included).
      DELIVERY_LOOPBACK_ONLY: 'true',
      // One process, which the probe above watches; a case that measures workers says so.
      IDP_WORKERS: '1',
      ...options.env,
    },
  });
  try {
    await Promise.race([
      child.exited.then((code) => {
        throw new Error(`the IdP exited (${code}) while starting`);
      }),
      waitFor(
        `the IdP at ${url}`,
        async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok === true,
        { timeoutMs: 30_000, intervalMs: 50 },
      ),
    ]);
  } catch (error) {
    await child.stop();
    await rm(clients.dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  let nextId = 0;
  return {
    url,
    issuer,
    pid: child.process.pid ?? -1,
    sessionCookie: (sid) => `latchkey_session=${sessionCookieValue(sessionCookieKey(kek), sid)}`,
    probe(type, gc = false, patterns, profile) {
      const id = (nextId += 1);
      const request: ProbeRequest = {
        id,
        type,
        gc,
        ...(patterns && { patterns }),
        ...(profile?.categorise && { categorise: true }),
        ...(profile?.saveTo && { saveTo: profile.saveTo }),
      };
      child.process.send(request);
      return nextMessage(
        child,
        (message): message is ProbeReply => (message as ProbeReply | null)?.id === id,
        10_000,
      );
    },
    async stop() {
      await child.stop();
      await rm(clients.dir, { recursive: true, force: true });
    },
  };
}
