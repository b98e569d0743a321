import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader } from 'jose';
import { createVerifier } from '@latchkey/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@latchkey/testing';
import { runScript, startIdp, type IdpProcess } from './test-support/idp-process.js';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { basicAuth } from './test-support/test-idp.js';

/** The IdP as an operator runs it: the built dist/main.js in its own process. */
const KEK = Buffer.alloc(32, 9).toString('base64url');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function started(idp: Promise<IdpProcess>): Promise<IdpProcess> {
  const process_ = await idp;
  cleanups.push(() => process_.kill('SIGKILL'));
  return process_;
}

async function redisServer(): Promise<TestRedis> {
  const redis = await startTestRedis();
  cleanups.push(() => redis.kill());
  return redis;
}

const runMain = (env: Record<string, string>) => runScript('main.js', [], env);

// Each test spawns an IdP process; on a shared 2-core CI machine that alone can take seconds.
describe('the IdP process', { timeout: 30_000 }, () => {
  it('runs on the in-memory store', async () => {
    const idp = await started(startIdp({ REDIS_URL: 'memory://' }));
    const response = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(200);
    // Dev mode without KEY_ENCRYPTION_KEY says so, in a structured log line.
    expect(idp.output()).toContain('"event":"config.ephemeral_key_encryption_key"');
  });

  it('signs access tokens with EdDSA when configured', async () => {
    const idp = await started(
      startIdp({ REDIS_URL: 'memory://', ACCESS_TOKEN_SIGNING_ALG: 'EdDSA' }),
    );
    const response = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
    const verifier = createVerifier({
      issuer: 'http://idp.localhost:4000',
      audience: 'http://wiki.localhost:3002/api',
      jwksUri: `${idp.url}/jwks`,
    });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'reports' });
  });

  it('refuses to start on bad configuration, one line per bad variable', async () => {
    const { code, stderr } = await runMain({
      IDP_PORT: 'abc',
      ACCESS_TOKEN_TTL: 'soon',
      KEY_ENCRYPTION_KEY: 'x',
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n').slice(1);
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'IDP_PORT',
      'KEY_ENCRYPTION_KEY',
      'ACCESS_TOKEN_TTL',
    ]);
  });

  it('refuses the demo client secrets in production', async () => {
    const { code, stderr } = await runMain({
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      KEY_ENCRYPTION_KEY: KEK,
      CLIENTS_FILE: fileURLToPath(new URL('../demo/clients.json', import.meta.url)),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/client #0: uses a demo secret/);
    expect(stderr).not.toContain('shop-demo-secret');
  });

  it('is live but not ready while Redis is unreachable, and becomes ready when it returns', async () => {
    const redis = await redisServer();
    await redis.kill();
    const idp = await started(
      startIdp({ REDIS_URL: redis.url, KEY_ENCRYPTION_KEY: KEK }, { ready: false }),
    );
    expect((await fetch(`${idp.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${idp.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { reasons: string[] }).reasons).toContain(
      'store unreachable: Redis did not answer',
    );
    // Never a silent fallback to memory: no token without the shared store.
    const token = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(token.status).toBe(503);
    expect(token.headers.get('retry-after')).toBeTruthy();

    await redis.start();
    await waitFor(
      'readiness after Redis returns',
      async () => (await fetch(`${idp.url}/readyz`)).ok,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  }, 30_000);

  it('stops cleanly on SIGTERM', async () => {
    const idp = await startIdp({ REDIS_URL: 'memory://' });
    expect(await idp.kill('SIGTERM')).toBe(0);
    expect(idp.output()).toContain('"event":"idp.stopped"');
  });
});
