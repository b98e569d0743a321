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
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: 'http://idp.localhost:4000',
        jwks_uri: 'http://idp.localhost:4000/jwks',
        authorization_endpoint: 'http://idp.localhost:4000/authorize',
        token_endpoint: 'http://idp.localhost:4000/token',
        userinfo_endpoint: 'http://idp.localhost:4000/userinfo',
        revocation_endpoint: 'http://idp.localhost:4000/revoke',
        introspection_endpoint: 'http://idp.localhost:4000/introspect',
        end_session_endpoint: 'http://idp.localhost:4000/logout',
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        device_authorization_endpoint: 'http://idp.localhost:4000/device_authorization',
        pushed_authorization_request_endpoint: 'http://idp.localhost:4000/par',
        require_pushed_authorization_requests: false,
        code_challenge_methods_supported: ['S256'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'none',
        ],
        introspection_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
        ],
        prompt_values_supported: ['none', 'login'],
        authorization_response_iss_parameter_supported: true,
        claims_parameter_supported: true,
        request_parameter_supported: false,
      });
      expect(metadata.scopes_supported).toEqual(
        expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
      );
      expect(metadata.claims_supported).toEqual(
        expect.arrayContaining(['sub', 'sid', 'auth_time', 'nonce', 'at_hash', 'roles']),
      );
      // OIDC Core §2 acr/amr: the levels a client may ask for, and the claims that report them.
      expect(metadata.acr_values_supported).toEqual([
        'urn:latchkey:acr:pwd',
        'urn:latchkey:acr:mfa',
      ]);
      expect(metadata.claims_supported).toEqual(expect.arrayContaining(['amr', 'acr']));
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
      const post = ['/token', '/revoke', '/introspect'].includes(path);
      const response = await fetch(`${idp.url}${path}`, { method: post ? 'POST' : 'GET' });
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
