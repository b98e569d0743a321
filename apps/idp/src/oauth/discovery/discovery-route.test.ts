import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

describe('provider metadata (OIDC Discovery §4, RFC 8414 §3)', () => {
  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])(
    '%s names the issuer and the implemented endpoints',
    async (path) => {
      const response = await fetch(`${idp.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const metadata = await response.json();
      expect(metadata).toMatchObject({
        issuer: 'http://idp.localhost:4000',
        jwks_uri: 'http://idp.localhost:4000/jwks',
        token_endpoint: 'http://idp.localhost:4000/token',
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    },
  );

  it('advertises no endpoint that does not answer', async () => {
    const metadata = (await (
      await fetch(`${idp.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    const endpoints = Object.entries(metadata).filter(
      ([name]) => name.endsWith('_endpoint') || name === 'jwks_uri',
    );
    for (const [, url] of endpoints) {
      const path = new URL(url as string).pathname;
      const response = await fetch(`${idp.url}${path}`, {
        method: path === '/token' ? 'POST' : 'GET',
      });
      expect(response.status, path).not.toBe(404);
    }
  });
});

describe('health', () => {
  it('/healthz answers while the process lives', async () => {
    const response = await fetch(`${idp.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers once the store answers and keys are loaded', async () => {
    const response = await fetch(`${idp.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('unknown paths get a JSON 404', async () => {
    const response = await fetch(`${idp.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toBe('not_found');
  });

  it('every response carries the security headers', async () => {
    const response = await fetch(`${idp.url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
