import { printOutputOnFailure } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP_API_MACHINE } from '../support/clients-file.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';

/**
 * What an attacker can send the running apps without a browser: forged Next.js internal
 * headers, tokens for another API, forged callbacks. Plain fetch, no redirects followed.
 */
describe('the demo apps under hostile requests', () => {
  let stack: DemoStack;
  beforeAll(async () => {
    stack = await startDemoStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  const get = (app: 'shop' | 'wiki', path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.internal[app]}${path}`, { headers, redirect: 'manual' });

  /** A real access token from the IdP for a machine client (client_credentials). */
  async function machineToken(client: { id: string; secret: string }): Promise<string> {
    const response = await fetch(`${stack.internal.idp}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'wiki:read' }),
    });
    const body = (await response.json()) as { access_token?: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.access_token!;
  }

  describe('CVE-2025-29927: a forged x-middleware-subrequest does not skip the session check', () => {
    const forged = [
      'middleware',
      'proxy',
      'src/proxy',
      'middleware:middleware:middleware:middleware:middleware',
      'proxy:proxy:proxy:proxy:proxy',
      'src/proxy:src/proxy:src/proxy:src/proxy:src/proxy',
    ];
    const protectedPages = [
      ['shop', '/'],
      ['wiki', '/'],
      ['wiki', '/pages/single-sign-on'],
    ] as const;
    const cases = protectedPages.flatMap(([app, path]) =>
      forged.flatMap((value) => [
        { app, path, value, cookie: undefined },
        { app, path, value, cookie: 'latchkey_session=forged.garbage.value' },
      ]),
    );

    it.each(cases)(
      '$app $path with "$value" (cookie: $cookie)',
      async ({ app, path, value, cookie }) => {
        const headers: Record<string, string> = { 'x-middleware-subrequest': value };
        if (cookie) headers.cookie = cookie;
        const response = await get(app, path, headers);
        const body = await response.text();
        expect(response.status).toBeGreaterThanOrEqual(300);
        expect(response.status).toBeLessThan(400);
        const location = new URL(response.headers.get('location') ?? '', stack.urls[app]);
        expect(location.pathname).toBe('/auth/login');
        // Neither page's signed-in markup, whatever the redirect carries.
        expect(body).not.toContain('data-testid="username"');
        expect(body).not.toContain('data-testid="token-inspector"');
      },
    );
  });

  describe("the wiki's API (bearer tokens, RFC 6750)", () => {
    it('answers 401 with WWW-Authenticate without a token', async () => {
      const response = await get('wiki', '/api/pages');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(await response.text()).not.toContain('"pages"');
    });

    it('answers 200 to a token for its own API (the control for the next case)', async () => {
      const token = await machineToken({ id: 'reports', secret: 'reports-demo-secret' });
      const response = await get('wiki', '/api/pages', { authorization: `Bearer ${token}` });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { pages: unknown[] }).pages.length).toBeGreaterThan(0);
    });

    it("answers 401 invalid_token to a valid token for another API (the shop's)", async () => {
      const token = await machineToken(SHOP_API_MACHINE);
      const response = await get('wiki', '/api/pages', { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await response.text()).not.toContain('"pages"');
    });

    it('answers 401 to a garbage token', async () => {
      const response = await get('wiki', '/api/pages', { authorization: 'Bearer not.a.token' });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    });
  });

  describe('the auth routes', () => {
    it.each(['shop', 'wiki'] as const)(
      '%s: a callback with a state it never issued is a readable 400 page',
      async (app) => {
        const response = await get(app, '/auth/callback?code=stolen-code&state=forged-state');
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        const body = await response.text();
        expect(body).toMatch(/<html/i);
        expect(response.headers.getSetCookie().join('\n')).not.toMatch(/latchkey_session=[^;]/);
        // Readable for a person, with nothing of the server's insides.
        expect(body).not.toMatch(/\bat [\w.<>]+ \(/);
      },
    );

    it.each(['shop', 'wiki'] as const)(
      '%s: a callback carrying an error from the IdP is a readable 400 page',
      async (app) => {
        const response = await get(app, '/auth/callback?error=access_denied&state=whatever');
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      },
    );

    it.each(['shop', 'wiki'] as const)(
      '%s: GET /auth/logout is refused with 405 (a link or image must not log anyone out)',
      async (app) => {
        const response = await get(app, '/auth/logout');
        expect(response.status).toBe(405);
        expect(response.headers.get('allow') ?? '').toMatch(/POST/);
      },
    );
  });
});
