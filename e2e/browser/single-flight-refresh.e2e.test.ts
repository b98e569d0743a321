import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, printOutputOnFailure } from '@latchkey/testing';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { logIn, shownTokenClaims, shownUsername } from '../support/pages.js';

/** The SDK refreshes an access token that expires within this window (the API brief). */
const REFRESH_WINDOW_S = 60;
/** Short enough that a fresh token enters the window after 15 s; the IdP's minimum is 60 s. */
const ACCESS_TOKEN_TTL_S = 75;
const TABS = 8;

interface LogLine {
  event?: string;
  method?: string;
  path?: string;
  status?: number;
  reason?: string;
}

function idpLog(stack: DemoStack): LogLine[] {
  return stack.idp
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

describe('silent refresh when many tabs load at once', () => {
  let stack: DemoStack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    stack = await startDemoStack({ idpEnv: { ACCESS_TOKEN_TTL: `${ACCESS_TOKEN_TTL_S}s` } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  it(`${TABS} tabs loading the shop together cause exactly one refresh, and all get its token`, async () => {
    const { context } = browser;
    const first = context.pages()[0] ?? (await context.newPage());
    await first.goto(`${stack.urls.shop}/`);
    await logIn(
      first,
      { issuer: stack.urls.idp, app: stack.urls.shop },
      'alice',
      'wonderland-alice',
    );
    const before = await shownTokenClaims(first);

    // Into the refresh window, with a margin for clock rounding (exp is in whole seconds).
    const enterWindowAt = (before.exp - REFRESH_WINDOW_S + 1) * 1000;
    await sleep(Math.max(0, enterWindowAt - Date.now()));
    expect(Date.now() / 1000).toBeLessThan(before.exp); // still valid: a refresh, not a re-login

    const tokenCallsBefore = idpLog(stack).filter(isTokenCall).length;
    const tabs: Page[] = [];
    for (let i = 0; i < TABS; i += 1) tabs.push(await context.newPage());
    const started = Date.now();
    await Promise.all(tabs.map((tab) => tab.goto(`${stack.urls.shop}/`)));
    const burstMs = Date.now() - started;

    const shown = await Promise.all(
      tabs.map(async (tab) => ({
        user: await shownUsername(tab),
        ...(await shownTokenClaims(tab)),
      })),
    );
    expect(shown.map(({ user }) => user)).toEqual(Array(TABS).fill('alice'));
    const jtis = new Set(shown.map(({ jti }) => jti));
    expect(jtis.size).toBe(1); // every tab got the same new token
    expect(jtis.has(before.jti)).toBe(false);
    expect(shown[0]!.exp).toBeGreaterThan(before.exp);

    const tokenCalls = idpLog(stack).filter(isTokenCall).slice(tokenCallsBefore);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.status).toBe(200);
    // A second refresh with the same refresh token would be reuse, which revokes the session.
    expect(idpLog(stack).filter((line) => line.event === 'session.revoked')).toEqual([]);

    // The session lives on: a later load is still signed in, with the refreshed token.
    await first.reload();
    expect(await shownUsername(first)).toBe('alice');
    expect((await shownTokenClaims(first)).jti).toBe(shown[0]!.jti);
    process.stdout.write(`${TABS} concurrent shop loads with a refresh: ${burstMs} ms\n`);
  });
});

function isTokenCall(line: LogLine): boolean {
  return line.event === 'request' && line.method === 'POST' && line.path === '/token';
}
