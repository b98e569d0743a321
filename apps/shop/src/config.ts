import 'server-only';
import { randomBytes } from 'node:crypto';
import { log } from './lib/log';

/**
 * The shop's configuration, read from the environment once. Every variable is checked before
 * any is used, and a bad value stops start-up with one line per problem naming the variable,
 * rather than falling back silently to a default the operator did not ask for.
 */
export interface ShopConfig {
  /** `LATCHKEY_ENV=production`: demo secrets and a missing SESSION_SECRET are refused. */
  production: boolean;
  /** Running under `next dev` (React's error overlay needs eval). */
  devServer: boolean;
  issuer: string;
  idpInternalUrl: string;
  /** Plain http to a non-loopback IdP (a container network's http://idp:4000). */
  allowHttpIdp: boolean;
  appUrl: string;
  clientId: string;
  clientSecret: string;
  /** base64url of 32 bytes. */
  sessionSecret: string;
  redisUrl: string;
  wikiUrl: string;
  wikiInternalUrl: string;
}

const DEV_SECRET = Symbol.for('@latchkey/demo-shop#dev-session-secret');

const DEMO_CLIENT_ID = 'shop';
const DEMO_CLIENT_SECRET = 'shop-demo-secret';

export const config: Readonly<ShopConfig> = Object.freeze(readConfig(process.env));

function readConfig(env: NodeJS.ProcessEnv): ShopConfig {
  const problems: string[] = [];
  const production = env.LATCHKEY_ENV === 'production';
  const url = (name: string, fallback: string): string => {
    const value = env[name] ?? fallback;
    const problem = checkHttpUrl(value);
    if (problem) problems.push(`${name}: ${problem} (got ${JSON.stringify(value)})`);
    return value.replace(/\/+$/, '');
  };

  // Compared as an exact string with `iss` in tokens, so it is kept exactly as written.
  const issuer = env.ISSUER ?? 'http://idp.localhost:4000';
  const issuerProblem = checkHttpUrl(issuer);
  if (issuerProblem) problems.push(`ISSUER: ${issuerProblem} (got ${JSON.stringify(issuer)})`);
  const idpInternalUrl = url('IDP_INTERNAL_URL', 'http://127.0.0.1:4000');
  const appUrl = url('APP_URL', 'http://shop.localhost:3001');
  const wikiUrl = url('WIKI_URL', 'http://wiki.localhost:3002');
  const wikiInternalUrl = url('WIKI_INTERNAL_URL', 'http://127.0.0.1:3002');

  const allowHttpIdp = readBoolean('ALLOW_HTTP_IDP', env.ALLOW_HTTP_IDP, problems);

  const clientId = env.CLIENT_ID ?? DEMO_CLIENT_ID;
  if (clientId === '') problems.push('CLIENT_ID: must not be empty');
  const clientSecret = env.CLIENT_SECRET ?? DEMO_CLIENT_SECRET;
  if (clientSecret === '') problems.push('CLIENT_SECRET: must not be empty');
  if (production && clientSecret === DEMO_CLIENT_SECRET) {
    problems.push('CLIENT_SECRET: the demo secret is refused when LATCHKEY_ENV=production');
  }

  const givenSessionSecret = readSessionSecret(env.SESSION_SECRET, production, problems);

  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:$/.test(parseUrl(redisUrl)?.protocol ?? '')) {
    problems.push(
      `REDIS_URL: must be a redis:// or rediss:// URL (got ${JSON.stringify(redisUrl)})`,
    );
  }

  checkPort(env.PORT, problems);

  if (problems.length > 0) {
    throw new Error(`Invalid shop configuration:\n  ${problems.join('\n  ')}`);
  }
  // Made only once the rest is known to be good, so its warning never precedes an error.
  const sessionSecret =
    givenSessionSecret ?? processDevSecret(env.NEXT_PHASE === 'phase-production-build');
  return {
    production,
    devServer: env.NODE_ENV === 'development',
    issuer,
    idpInternalUrl,
    allowHttpIdp,
    appUrl,
    clientId,
    clientSecret,
    sessionSecret,
    redisUrl,
    wikiUrl,
    wikiInternalUrl,
  };
}

/**
 * The session cookie is encrypted under this key, so it must be a real 256-bit key. In dev a
 * random one is generated per process (undefined here; sessions then end on restart);
 * production refuses that.
 */
function readSessionSecret(
  value: string | undefined,
  production: boolean,
  problems: string[],
): string | undefined {
  if (value === undefined || value === '') {
    if (production) {
      problems.push(
        'SESSION_SECRET: required when LATCHKEY_ENV=production (32 random bytes, base64url)',
      );
    }
    return undefined;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(value) || Buffer.from(value, 'base64url').length !== 32) {
    problems.push('SESSION_SECRET: must be 32 random bytes encoded as base64url (43 characters)');
  }
  return value;
}

/**
 * Next bundles proxy.ts and the app's routes separately, so this module runs once per bundle;
 * the dev key lives on globalThis so that both halves of the process seal and open the same
 * cookies (two keys would send every sign-in round in circles).
 */
function processDevSecret(building: boolean): string {
  const slot = globalThis as { [DEV_SECRET]?: string };
  if (slot[DEV_SECRET] === undefined) {
    slot[DEV_SECRET] = randomBytes(32).toString('base64url');
    // `next build` evaluates this module too; the key it makes there is never used.
    if (!building) {
      log.warn(
        'SESSION_SECRET is not set: using a random key for this process; sessions end when it restarts',
      );
    }
  }
  return slot[DEV_SECRET];
}

function checkHttpUrl(value: string): string | undefined {
  const parsed = parseUrl(value);
  if (!parsed) return 'not a valid URL';
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be http(s)';
  if (parsed.search !== '' || parsed.hash !== '') return 'must not have a query or fragment';
  return undefined;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function readBoolean(name: string, value: string | undefined, problems: string[]): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  problems.push(`${name}: must be true or false (got ${JSON.stringify(value)})`);
  return false;
}

/** PORT is consumed by `next start`; checking it here gives the same one-line error. */
function checkPort(value: string | undefined, problems: string[]): void {
  if (value === undefined) return;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    problems.push(`PORT: must be a port number 1-65535 (got ${JSON.stringify(value)})`);
  }
}
