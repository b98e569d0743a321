import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({ KEY_ROTATION_INTERVAL: '1h' });
});
afterAll(() => idp.close());

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('GET /jwks (RFC 7517 §5)', () => {
  it('publishes the active and pending key of each algorithm, public members only', async () => {
    const response = await fetch(`${idp.url}/jwks`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    const states = Object.fromEntries(idp.keys.list().map((key) => [key.kid, key.state]));
    expect(keys.map((key) => `${String(key.alg)}:${states[key.kid as string]}`).sort()).toEqual([
      'ES256:active',
      'ES256:pending',
      'RS256:active',
      'RS256:pending',
    ]);
    for (const key of keys) {
      expect(key.use).toBe('sig');
      expect(typeof key.kid).toBe('string');
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it('lets verifiers cache it no longer than the pre-publication window', async () => {
    const response = await fetch(`${idp.url}/jwks`);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge * 1000).toBeLessThanOrEqual(idp.config.keyRotationIntervalMs / 4);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const etag = (await fetch(`${idp.url}/jwks`)).headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const response = await fetch(`${idp.url}/jwks`, { headers: { 'If-None-Match': header } });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe('');
    }
    const changed = await fetch(`${idp.url}/jwks`, { headers: { 'If-None-Match': '"stale"' } });
    expect(changed.status).toBe(200);
  });

  it('changes its ETag when the key set changes', async () => {
    const before = (await fetch(`${idp.url}/jwks`)).headers.get('etag');
    await idp.keys.rotateNow();
    const after = (await fetch(`${idp.url}/jwks`)).headers.get('etag');
    expect(after).not.toBe(before);
  });
});
