import { freePort, startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser, signIn } from '../test-support/browser.js';
import { SHOP } from '../test-support/grants.js';
import { startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { basicAuth } from '../test-support/test-idp.js';

/**
 * GET /metrics of a real IdP process (METRICS_PORT), before and after a scripted mix of
 * grants, failures, a refresh and a revocation: each counter moved by exactly what happened.
 */

let redis: TestRedis;
let idp: IdpProcess;
let metricsUrl: string;
beforeAll(async () => {
  redis = await startTestRedis();
  const port = await freePort();
  idp = await startIdp({ REDIS_URL: redis.url, METRICS_PORT: String(port) });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
}, 60_000);
afterAll(async () => {
  await idp?.kill();
  await redis?.kill();
});

/** The value of one sample, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) {
      return Number(match[3]);
    }
  }
  return 0;
}

const scrape = async () => (await fetch(metricsUrl)).text();

const token = (auth: string, body: Record<string, string>) =>
  fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { Authorization: auth },
    body: new URLSearchParams(body),
  });

describe('Prometheus metrics on METRICS_PORT', () => {
  it('only GET /metrics, and only on its own port', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(`${idp.url}/metrics`)).status).toBe(404);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counters move by exactly what a scripted mix did', async () => {
    const before = await scrape();
    const reports = basicAuth('reports', 'reports-demo-secret');
    for (let i = 0; i < 3; i += 1) {
      expect((await token(reports, { grant_type: 'client_credentials' })).status).toBe(200);
    }
    for (let i = 0; i < 2; i += 1) {
      const wrong = basicAuth('reports', 'not-the-secret');
      expect((await token(wrong, { grant_type: 'client_credentials' })).status).toBe(401);
    }
    const signedIn = await signIn(createBrowser(), idp.url, {
      clientId: SHOP.id,
      redirectUri: SHOP.redirectUri,
      scope: 'openid offline_access',
      username: 'alice',
      password: 'wonderland-alice',
    });
    const redeemed = await token(SHOP.auth, {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: SHOP.redirectUri,
      code_verifier: signedIn.verifier,
    });
    const tokens = (await redeemed.json()) as { access_token: string; refresh_token: string };
    const refreshed = await token(SHOP.auth, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const pkce = await token(SHOP.auth, {
      grant_type: 'authorization_code',
      code: 'no-such-code',
      redirect_uri: SHOP.redirectUri,
      code_verifier: 'x'.repeat(43),
    });
    expect(pkce.status).toBe(400);
    const revoked = await fetch(`${idp.url}/revoke`, {
      method: 'POST',
      headers: { Authorization: SHOP.auth },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(revoked.status).toBe(200);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    const issued = 'latchkey_tokens_issued_total';
    expect(moved(issued, { grant_type: 'client_credentials', client: 'reports' })).toBe(3);
    expect(moved(issued, { grant_type: 'authorization_code', client: 'shop' })).toBe(1);
    expect(moved(issued, { grant_type: 'refresh_token', client: 'shop' })).toBe(1);
    const refusals = 'latchkey_refusals_total';
    expect(moved(refusals, { kind: 'client_authentication', error: 'invalid_client' })).toBe(2);
    expect(moved(refusals, { kind: 'grant', error: 'invalid_grant' })).toBe(1);
    expect(moved('latchkey_logins_total', { outcome: 'succeeded' })).toBe(1);
    const revocations = 'latchkey_revocations_published_total';
    expect(moved(revocations, { reason: 'token_revoked' })).toBe(1);
    // Eight answers from /token: 3 + 2 + 1 + 1 + 1, each timed once, with its status.
    const duration = 'latchkey_http_request_duration_seconds_count';
    expect(moved(duration, { route: '/token', method: 'POST', status: '200' })).toBe(5);
    expect(moved(duration, { route: '/token', method: 'POST', status: '401' })).toBe(2);
    expect(moved(duration, { route: '/token', method: 'POST', status: '400' })).toBe(1);
    // Read at scrape time: a key that signs, and a Redis that answers.
    expect(
      sample(after, 'latchkey_signing_key_age_seconds', { alg: 'ES256' }),
    ).toBeGreaterThanOrEqual(0);
    expect(
      sample(after, 'latchkey_signing_key_next_rotation_seconds', { alg: 'RS256' }),
    ).toBeGreaterThan(0);
    expect(sample(after, 'latchkey_redis_ping_seconds')).toBeGreaterThan(0);
    expect(
      moved('latchkey_database_query_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
  });

  it('counts live sessions at scrape time, across logins and a logout', async () => {
    const active = async () => sample(await scrape(), 'latchkey_active_sessions');
    const before = await active();
    const login = (browser: ReturnType<typeof createBrowser>, username: string, password: string) =>
      signIn(browser, idp.url, {
        clientId: SHOP.id,
        redirectUri: SHOP.redirectUri,
        scope: 'openid',
        username,
        password,
      });
    const alice = createBrowser();
    const signedIn = await login(alice, 'alice', 'wonderland-alice');
    await login(createBrowser(), 'bob', 'builder-bob');
    expect((await active()) - before).toBe(2);

    const redeemed = await token(SHOP.auth, {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: SHOP.redirectUri,
      code_verifier: signedIn.verifier,
    });
    const { id_token: hint } = (await redeemed.json()) as { id_token: string };
    const ended = await alice.fetch(
      `${idp.url}/logout?${new URLSearchParams({ id_token_hint: hint }).toString()}`,
    );
    expect(ended.status).toBeLessThan(400);
    expect((await active()) - before).toBe(1);
  });
});
