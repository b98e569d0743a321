import { startIdp, type IdpProcess } from '../../src/test-support/idp-process.js';

/**
 * IdP processes for reliability tests: every one on the same Redis with the same key
 * encryption key (instances of one deployment, or one instance restarted), warnings only.
 */
export const ISSUER = 'http://idp.localhost:4000';
export const WIKI_API = 'http://wiki.localhost:3002/api';
export const KEK = Buffer.alloc(32, 7).toString('base64url');

export function idpEnv(
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { REDIS_URL: redisUrl, KEY_ENCRYPTION_KEY: KEK, LOG_LEVEL: 'warn', ...extra };
}

/** Starts IdPs and remembers them, so that `killAll` stops every one a test started. */
export function idpCluster(redisUrl: () => string) {
  const running = new Set<IdpProcess>();
  return {
    async start(extra: Record<string, string> = {}): Promise<IdpProcess> {
      const idp = await startIdp(idpEnv(redisUrl(), extra));
      running.add(idp);
      return idp;
    },
    /** SIGKILL, as a crash; the process is forgotten once gone. */
    async crash(idp: IdpProcess): Promise<void> {
      await idp.kill('SIGKILL');
      running.delete(idp);
    },
    async killAll(): Promise<void> {
      const all = [...running];
      running.clear();
      await Promise.all(all.map((idp) => idp.kill('SIGKILL')));
    },
    /** What every running IdP printed, for a failing test's message. */
    output: () => [...running].map((idp) => idp.output()).join('\n'),
  };
}
