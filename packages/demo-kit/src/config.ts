import 'server-only';
import { checkHttpUrl, createEnvReader, parseUrl, type Env, type EnvReader } from './env-reader.js';
import type { DemoLog } from './log.js';
import { processDevSecret, readSessionSecret } from './session-secret.js';

export type { Env, EnvReader };

/** The variables every demo app reads; an app's own ones are added by its `readOwn`. */
export interface DemoConfig {
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
}

/** What differs between the demo apps in the common variables. */
export interface DemoApp {
  /** `shop`, `wiki`: names the app in the error and keys its dev session secret. */
  name: string;
  /** Default of APP_URL. */
  appUrl: string;
  /** Defaults of CLIENT_ID and CLIENT_SECRET: the app's client in apps/idp/demo/clients.json. */
  demoClientId: string;
  /** Refused when LATCHKEY_ENV=production. */
  demoClientSecret: string;
  /** Told once when a random dev session secret is made. */
  log: Pick<DemoLog, 'warn'>;
}

/**
 * A demo app's configuration, read from `env` once. Every variable, the app's own ones
 * (read by `readOwn` into the same problems list) included, is checked before any is used, and
 * a bad value throws with one line per problem naming the variable, rather than falling back
 * silently to a default the operator did not ask for. The result is frozen.
 */
export function readDemoConfig<Own extends object>(
  env: Env,
  app: DemoApp,
  readOwn: (read: EnvReader) => Own,
): Readonly<DemoConfig & Own> {
  const problems: string[] = [];
  const read = createEnvReader(env, problems);
  const production = env.LATCHKEY_ENV === 'production';

  // Compared as an exact string with `iss` in tokens, so it is kept exactly as written.
  const issuer = env.ISSUER ?? 'http://idp.localhost:4000';
  const issuerProblem = checkHttpUrl(issuer);
  if (issuerProblem) problems.push(`ISSUER: ${issuerProblem} (got ${JSON.stringify(issuer)})`);
  const idpInternalUrl = read.url('IDP_INTERNAL_URL', 'http://127.0.0.1:4000');
  const appUrl = read.url('APP_URL', app.appUrl);
  const own = readOwn(read);

  const allowHttpIdp = read.boolean('ALLOW_HTTP_IDP');

  const clientId = env.CLIENT_ID ?? app.demoClientId;
  if (clientId === '') problems.push('CLIENT_ID: must not be empty');
  const clientSecret = env.CLIENT_SECRET ?? app.demoClientSecret;
  if (clientSecret === '') problems.push('CLIENT_SECRET: must not be empty');
  if (production && clientSecret === app.demoClientSecret) {
    problems.push('CLIENT_SECRET: the demo secret is refused when LATCHKEY_ENV=production');
  }

  const givenSessionSecret = readSessionSecret(env.SESSION_SECRET, production, problems);

  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // The SDK reads the URL fully (the IdP's forms: one server, Sentinel, Cluster); this catches
  // what is plainly no Redis URL with a line naming the variable.
  const redisScheme = /^(rediss?(?:\+sentinel|\+cluster)?):\/\//i.exec(redisUrl)?.[1];
  const plainRedis = redisScheme !== undefined && !redisScheme.includes('+');
  if (redisScheme === undefined || (plainRedis && parseUrl(redisUrl) === undefined)) {
    problems.push(
      `REDIS_URL: must be a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (got ${JSON.stringify(redisUrl)})`,
    );
  }

  checkPort(env.PORT, problems);

  if (problems.length > 0) {
    throw new Error(`Invalid ${app.name} configuration:\n  ${problems.join('\n  ')}`);
  }
  // Made only once the rest is known to be good, so its warning never precedes an error.
  const sessionSecret =
    givenSessionSecret ??
    processDevSecret(app.name, env.NEXT_PHASE === 'phase-production-build', app.log);
  return Object.freeze({
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
    ...own,
  });
}

/** PORT is consumed by `next start`; checking it here gives the same one-line error. */
function checkPort(value: string | undefined, problems: string[]): void {
  if (value === undefined) return;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    problems.push(`PORT: must be a port number 1-65535 (got ${JSON.stringify(value)})`);
  }
}
