import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, printOutputOnFailure, waitFor } from '@latchkey/testing';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { logIn, waitForIdpLogin } from '../support/pages.js';
import { ROOT } from '../support/paths.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

/**
 * The example browser app (examples/spa, oidc-client-ts) against the demo stack: a public
 * client whose code exchange, refreshes and revocation are fetched by the page itself, so they
 * work only if the IdP answers CORS for its origin, and for no other.
 */
describe('example SPA (oidc-client-ts, a public client over CORS)', () => {
  let stack: DemoStack;
  let spa: ServiceProcess;
  let spaUrl: string;
  let spaPort: number;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    spaPort = await freePort();
    spaUrl = `http://spa.localhost:${spaPort}`;
    stack = await startDemoStack({ spaUrl });
    spa = startService('spa', process.execPath, [`${ROOT}examples/spa/server.mjs`], {
      cwd: `${ROOT}examples/spa`,
      env: { ISSUER: stack.urls.idp, SPA_PORT: String(spaPort), APP_URL: spaUrl },
    });
    await waitFor('the SPA server', async () => {
      try {
        return (await fetch(`http://127.0.0.1:${spaPort}/`)).status === 200;
      } catch {
        return false;
      }
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await spa?.stop();
    await stack?.stop();
  });
  printOutputOnFailure(() => `${stack?.output()}\n[spa] ${spa?.output()}`);

  const shownJti = (page: Page) => page.locator('[data-field="jti"]').textContent();

  it('signs in as bob, refreshes (a new access token), and logs out', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${spaUrl}/`);
    await page.locator('[data-action="login"]').click();
    await logIn(page, { issuer: stack.urls.idp, app: spaUrl }, 'bob', 'builder-bob');
    await page.locator('[data-state="signed-in"]').waitFor();
    expect(await page.locator('[data-field="username"]').textContent()).toBe('bob');
    const first = await shownJti(page);
    expect(first).toMatch(/.+/);

    // signinSilent with the refresh token: a refresh_token grant fetched by the page (CORS).
    await page.locator('[data-action="refresh"]').click();
    await page.waitForFunction(
      (before) => document.querySelector('[data-field="jti"]')?.textContent !== before,
      first,
    );
    expect(await page.locator('[data-field="error"]').textContent()).toBe('');
    expect(await page.locator('[data-field="username"]').textContent()).toBe('bob');

    // signoutRedirect: /revoke (fetched by the page), then the IdP's /logout and back.
    await page.locator('[data-action="logout"]').click();
    await page.waitForURL(`${spaUrl}/`);
    await page.locator('[data-state="signed-out"]').waitFor();
    expect(await page.locator('[data-field="error"]').textContent()).toBe('');
    // The IdP session ended: signing in again asks for the password.
    await page.locator('[data-action="login"]').click();
    await waitForIdpLogin(page, stack.urls.idp);
    // The access log line is written as the answer leaves: give the pipe a moment.
    await waitFor('/logout in the IdP log', () => stack.idp.output().includes('"path":"/logout"'));
    const requests = stack.idp
      .output()
      .split('\n')
      .filter((line) => line.includes('"event":"request"'))
      .map((line) => JSON.parse(line) as { method: string; path: string; status: number });
    const calls = (method: string, path: string) =>
      requests.filter((line) => line.method === method && line.path === path);
    // The code exchange and one refresh, both answered; the refresh token revoked; the
    // session ended at /logout (a redirect back to the app).
    expect(calls('POST', '/token').map(({ status }) => status)).toEqual([200, 200]);
    expect(calls('POST', '/revoke').map(({ status }) => status)).toEqual([200]);
    expect(calls('GET', '/logout').map(({ status }) => status)).toEqual([303]);
  });

  it('a page on an unregistered origin cannot read /token; its preflight gets no CORS headers', async () => {
    // The same static server under another name: an origin no client registered.
    const elsewhere = `http://elsewhere.localhost:${spaPort}`;
    const page = await browser.context.newPage();
    const tryToken = (withPreflight: boolean) =>
      page.evaluate(
        async ({ url, withPreflight }) => {
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: {
                'Content-Type': 'application/x-www-form-urlencoded',
                // A header outside the CORS-safelisted ones makes the browser preflight.
                ...(withPreflight && { DPoP: 'x' }),
              },
              body: 'grant_type=refresh_token&refresh_token=x&client_id=spa',
            });
            return `read ${response.status}`;
          } catch (error) {
            return `refused: ${(error as Error).name}`;
          }
        },
        { url: `${stack.urls.idp}/token`, withPreflight },
      );
    await page.goto(`${elsewhere}/`);
    expect(await tryToken(false)).toBe('refused: TypeError');
    expect(await tryToken(true)).toBe('refused: TypeError');
    // The registered origin reads the same (refused) grant's answer: it is CORS that refused.
    await page.goto(`${spaUrl}/`);
    expect(await tryToken(false)).toBe('read 400');

    const preflight = await fetch(`${stack.internal.idp}/token`, {
      method: 'OPTIONS',
      headers: {
        Origin: elsewhere,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'dpop',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
