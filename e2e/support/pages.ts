import { copyFileSync, mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { DOC_SCREENSHOTS, SCREENSHOTS } from './paths.js';

const NAVIGATION_TIMEOUT_MS = 30_000;

/** True when the page shows the IdP's login form (`/login` on the issuer's origin). */
export function onIdpLogin(page: Page, issuer: string): boolean {
  const url = new URL(page.url());
  return url.origin === new URL(issuer).origin && url.pathname === '/login';
}

export async function waitForIdpLogin(page: Page, issuer: string): Promise<void> {
  const origin = new URL(issuer).origin;
  await page.waitForURL((url) => url.origin === origin && url.pathname === '/login', {
    timeout: NAVIGATION_TIMEOUT_MS,
  });
  await page.locator('input[name="username"]').waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
}

/** Fills the IdP's login form and waits until the browser is back on `app`'s origin. */
export async function logIn(
  page: Page,
  { issuer, app }: { issuer: string; app: string },
  username: string,
  password: string,
): Promise<void> {
  await waitForIdpLogin(page, issuer);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  const appOrigin = new URL(app).origin;
  await Promise.all([
    page.waitForURL((url) => url.origin === appOrigin && !url.pathname.startsWith('/auth/'), {
      timeout: NAVIGATION_TIMEOUT_MS,
    }),
    page.click('button[type="submit"]'),
  ]);
}

/** The signed-in user's name as the app's page shows it. */
export async function shownUsername(page: Page): Promise<string> {
  const text = await page.getByTestId('username').first().textContent({
    timeout: NAVIGATION_TIMEOUT_MS,
  });
  return (text ?? '').trim();
}

/** The access token's claims as the page's token inspector decodes them. */
export async function shownTokenClaims(page: Page): Promise<{ jti: string; exp: number }> {
  const json = await page
    .getByTestId('token-inspector')
    .locator('.part-payload pre')
    .textContent({ timeout: NAVIGATION_TIMEOUT_MS });
  const claims = JSON.parse(json ?? '{}') as { jti?: unknown; exp?: unknown };
  if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
    throw new Error(`the token inspector shows no jti/exp: ${json}`);
  }
  return { jti: claims.jti, exp: claims.exp };
}

/** Every URL the page's main frame went to, redirects included, from now on. */
export function recordNavigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      urls.push(request.url());
    }
  });
  return urls;
}

/**
 * A screenshot with the test output. `docs` ones (the pages the README shows) are also copied
 * into docs/screenshots when UPDATE_DOC_SCREENSHOTS=1, so that an ordinary run never changes
 * files git tracks.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { docs?: boolean; fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  if (options.docs && process.env.UPDATE_DOC_SCREENSHOTS === '1') {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    copyFileSync(file, `${DOC_SCREENSHOTS}${name}.png`);
  }
}
