import { randomBytes } from 'node:crypto';
import type { DemoLog } from './log.js';

/**
 * The session cookie is encrypted under this key, so it must be a real 256-bit key. In dev a
 * random one is generated per process (undefined here; sessions then end on restart);
 * production refuses that.
 */
export function readSessionSecret(
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
 * Next bundles proxy.ts and the app's routes separately, so the config module runs once per
 * bundle; the dev key lives on globalThis so that both halves of the process seal and open the
 * same cookies (two keys would send every sign-in round in circles).
 */
export function processDevSecret(
  app: string,
  building: boolean,
  log: Pick<DemoLog, 'warn'>,
): string {
  const key = Symbol.for(`@latchkey/demo-${app}#dev-session-secret`);
  const slot = globalThis as unknown as Record<symbol, string | undefined>;
  let secret = slot[key];
  if (secret === undefined) {
    secret = slot[key] = randomBytes(32).toString('base64url');
    // `next build` evaluates the config too; the key it makes there is never used.
    if (!building) {
      log.warn(
        'SESSION_SECRET is not set: using a random key for this process; sessions end when it restarts',
      );
    }
  }
  return secret;
}
