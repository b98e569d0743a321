import { Redis } from 'ioredis';
import { revocationKeys } from '@latchkey/protocol';
import { startTestRedis, waitFor, type TestRedis, printOutputOnFailure } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser } from '../src/test-support/browser.js';
import type { IdpProcess } from '../src/test-support/idp-process.js';
import { startResourceServer, type ResourceServer } from '../src/test-support/resource-server.js';
import {
  redeemCode,
  refreshAt,
  shopCode,
  userTokens,
  type TokenAnswer,
} from './support/http-grants.js';
import { idpCluster, ISSUER, WIKI_API } from './support/idp-cluster.js';

/**
 * Promise 9: single use under concurrency, against IdP processes over real HTTP with a real
 * Redis: one IdP, then two sharing the Redis with the requests split between them (the
 * single-use checks must hold in Redis, not in one process's memory). An API in a process of
 * its own verifies tokens with the SDK and its Redis revocation source.
 */

const BURST = 20;

let redis: TestRedis;
let inspect: Redis;
let api: ResourceServer;
let idps: IdpProcess[];
const cluster = idpCluster(() => redis.url);

beforeAll(async () => {
  redis = await startTestRedis();
  idps = await Promise.all([cluster.start(), cluster.start()]);
  api = await startResourceServer({
    ISSUER,
    JWKS_URI: `${idps[0]!.url}/jwks`,
    AUDIENCE: WIKI_API,
    REDIS_URL: redis.url,
  });
  inspect = new Redis(redis.url);
});

afterAll(async () => {
  inspect?.disconnect();
  await api?.stop();
  await cluster.killAll();
  await redis?.kill();
});

printOutputOnFailure(() => cluster.output());

const sidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

/** Every answer that is not the winner's: `invalid_grant`, or a rate limit (promise 7). */
function isRefusal(answer: TokenAnswer): boolean {
  return (answer.status === 400 && answer.body.error === 'invalid_grant') || answer.status === 429;
}

describe.each([
  { instances: 1, label: 'one IdP' },
  { instances: 2, label: 'two IdPs sharing Redis, requests split' },
])('promise 9: concurrency, $label', ({ instances }) => {
  const targets = () => idps.slice(0, instances).map((idp) => idp.url);
  const at = (i: number) => targets()[i % instances]!;

  it('9: twenty simultaneous redemptions of one authorization code give exactly one success', async () => {
    const browser = createBrowser();
    const code = await shopCode(browser, at(0), 'alice');

    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) => redeemCode(at(i), code)),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners, JSON.stringify(answers.map((a) => [a.status, a.body.error]))).toHaveLength(1);
    expect(answers.filter((answer) => answer.status !== 200).every(isRefusal)).toBe(true);
    // The losers were replays (RFC 6749 §4.1.2): the session is revoked, in Redis and at the API.
    const winner = winners[0]!.body;
    const sid = sidOf(winner.access_token as string);
    expect(await inspect.zscore(revocationKeys.set, `sid:${sid}`)).not.toBeNull();
    await waitFor(
      'the API to refuse the winner’s access token',
      async () => (await api.statusFor(winner.access_token as string)) === 401,
      { timeoutMs: 2_000, intervalMs: 10 },
    );
    for (const url of targets()) {
      const again = await refreshAt(url, winner.refresh_token as string);
      expect(again.body.error).toBe('invalid_grant');
    }
    expect((await shopCode(browser, at(0), 'alice')).loginFormShown).toBe(true);
  });

  it('9: twenty simultaneous uses of one refresh token give at most one new token pair and revoke the family and its session', async () => {
    const first = await userTokens(at(0), 'bob');
    expect(await api.statusFor(first.access_token)).toBe(200);

    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) => refreshAt(at(i), first.refresh_token)),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(answers.filter((answer) => answer.status !== 200).every(isRefusal)).toBe(true);
    expect(answers.filter(isRefusal).length).toBeGreaterThanOrEqual(BURST - 1);
    const sid = sidOf(first.access_token);
    expect(await inspect.zscore(revocationKeys.set, `sid:${sid}`)).not.toBeNull();

    // The family is revoked: the winner's refresh token is refused on every instance ...
    for (const winner of winners) {
      for (const url of targets()) {
        const again = await refreshAt(url, winner.body.refresh_token as string);
        expect(again.body.error).toBe('invalid_grant');
      }
    }
    // ... and so is the session: the API refuses every access token issued in it ...
    const accessTokens = [first.access_token, ...winners.map((w) => w.body.access_token as string)];
    await waitFor(
      'the API to refuse every access token of the session',
      async () =>
        (await Promise.all(accessTokens.map((token) => api.statusFor(token)))).every(
          (status) => status === 401,
        ),
      { timeoutMs: 2_000, intervalMs: 10 },
    );
    // ... and the browser must log in again.
    expect((await shopCode(first.browser, at(0), 'bob')).loginFormShown).toBe(true);
    const userinfo = await fetch(`${at(1)}/userinfo`, {
      headers: { Authorization: `Bearer ${first.access_token}` },
    });
    expect(userinfo.status).toBe(401);
  });
});
