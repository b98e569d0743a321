import { afterAll, describe, expect, it } from 'vitest';
import {
  sleep,
  startTcpGate,
  startTestRedis,
  waitFor,
  type TcpGate,
  type TestRedis,
  printOutputOnFailure,
} from '@latchkey/testing';
import { authorizeUrl, createBrowser, loginFormFields } from '../src/test-support/browser.js';
import { startIdp, type IdpProcess } from '../src/test-support/idp-process.js';
import { form, startTestIdp, type TestIdp } from '../src/test-support/test-idp.js';
import { createStore } from '../src/store/create-store.js';
import { faultyStore, type FaultyStore } from './support/faulty-store.js';
import {
  ALICE,
  BOB,
  browserSignIn,
  fullSignIn,
  redeemCode,
  refresh,
  SHOP,
  timedFetch,
  type Answer,
  type SignedIn,
} from './support/oauth-flows.js';
import { inspectRedis, type RedisInspector } from './support/redis-inspect.js';

/**
 * Promise 2: with Redis lost while the IdP runs, every request that needs it fails fast with
 * a clean 503; no authorization code is ever redeemed twice; a login, a code redemption and
 * a refresh rotation each leave nothing half-written; and service resumes without a restart.
 */

// Generous for a loaded 2-core CI machine; the IdP's own bound is its 1 s command timeout.
const FAST_MS = 3_000;

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

let idpForLogs: IdpProcess | undefined;
printOutputOnFailure(() => idpForLogs?.output());

/** A 503 as the IdP promises it: an RFC 6749 body for JSON endpoints, a page for the others. */
function expectCleanUnavailable(answer: Answer, what: string): void {
  expect(answer.status, what).toBe(503);
  expect(answer.ms, `${what} answered in ${Math.round(answer.ms)} ms`).toBeLessThan(FAST_MS);
  if (answer.contentType.includes('json')) {
    expect(answer.json, what).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
  } else {
    expect(answer.contentType, what).toContain('text/html');
  }
}

describe('promise 2: Redis lost while the IdP runs', () => {
  it('fails fast with a clean 503 on every endpoint that needs Redis, spends nothing meanwhile, and resumes without a restart', async () => {
    const redis = await startTestRedis(undefined, { persistent: true });
    stops.push(() => redis.kill());
    const idp = await startIdp({ REDIS_URL: redis.url, LOG_LEVEL: 'warn' });
    idpForLogs = idp;
    stops.push(() => idp.kill());

    // Before the outage: a signed-in browser with tokens, a code not yet redeemed, and a
    // login form waiting to be submitted.
    const signedIn = await fullSignIn(idp.url, ALICE);
    const pendingCode = await browserSignIn(idp.url, BOB);
    const loginBrowser = createBrowser();
    const toLogin = await loginBrowser.fetch(
      authorizeUrl(idp.url, { clientId: SHOP.clientId, redirectUri: SHOP.redirectUri }).url,
    );
    const loginPage = await loginBrowser.fetch(new URL(toLogin.headers.get('location')!, idp.url));
    const fields = loginFormFields(await loginPage.text());

    await redis.kill();
    const bearer = { Authorization: `Bearer ${signedIn.tokens.access_token}` };
    const answers: [string, Answer][] = [
      ['POST /token authorization_code', await redeemCode(idp.url, pendingCode)],
      ['POST /token refresh_token', await refresh(idp.url, signedIn.tokens.refresh_token)],
      [
        'GET /authorize with a session',
        await timedFetch(
          authorizeUrl(idp.url, { clientId: SHOP.clientId, redirectUri: SHOP.redirectUri }).url,
          {},
          signedIn.browser,
        ),
      ],
      [
        'POST /login',
        await timedFetch(
          `${idp.url}/login`,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form({ ...fields, ...ALICE }),
          },
          loginBrowser,
        ),
      ],
      ['GET /userinfo', await timedFetch(`${idp.url}/userinfo`, { headers: bearer })],
      [
        'POST /introspect',
        await timedFetch(`${idp.url}/introspect`, {
          method: 'POST',
          headers: { Authorization: SHOP.auth },
          body: form({ token: signedIn.tokens.access_token }),
        }),
      ],
      [
        'GET /logout',
        await timedFetch(
          `${idp.url}/logout?${new URLSearchParams({
            id_token_hint: signedIn.tokens.id_token,
            post_logout_redirect_uri: SHOP.postLogout,
          }).toString()}`,
          {},
          signedIn.browser,
        ),
      ],
    ];
    for (const [what, answer] of answers) expectCleanUnavailable(answer, what);
    const slowest = Math.max(...answers.map(([, answer]) => answer.ms));
    process.stdout.write(
      `[promise 2] slowest 503 while Redis was down: ${Math.round(slowest)} ms\n`,
    );
    expect((await timedFetch(`${idp.url}/healthz`)).status).toBe(200);

    // Redis is back (with its data, as a persistent Redis restarts): no IdP restart needed.
    const pid = idp.pid;
    await redis.start();
    const backAt = performance.now();
    await waitFor('the IdP to be ready again', async () => (await fetch(`${idp.url}/readyz`)).ok, {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    process.stdout.write(
      `[promise 2] ready ${Math.round(performance.now() - backAt)} ms after Redis returned\n`,
    );
    expect(idp.pid).toBe(pid);

    // Nothing was spent by the failed attempts: the code redeems exactly once, the refresh
    // token still rotates, and the session still signs in silently.
    expect((await redeemCode(idp.url, pendingCode)).status).toBe(200);
    const replay = await redeemCode(idp.url, pendingCode);
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(idp.url, signedIn.tokens.refresh_token)).status).toBe(200);
    const again = await browserSignIn(idp.url, ALICE, signedIn.browser);
    expect((await redeemCode(idp.url, again)).status).toBe(200);
    const fresh = await fullSignIn(idp.url, BOB);
    expect(fresh.tokens.access_token).toEqual(expect.any(String));
  });

  describe('a connection lost between any two store operations leaves nothing half-written', () => {
    let redis: TestRedis;
    let faulty: FaultyStore;
    let idp: TestIdp;
    let inspector: RedisInspector;

    const setUp = async () => {
      if (idp) return;
      redis = await startTestRedis();
      stops.push(() => redis.kill());
      faulty = faultyStore(createStore(redis.url));
      idp = await startTestIdp({ LOG_LEVEL: 'warn' }, faulty.store);
      stops.push(() => idp.close());
      inspector = inspectRedis(redis.url);
      stops.push(() => inspector.close());
    };

    /**
     * Runs `operation` with the store lost at step 1, 2, 3... (before the command, then after
     * it ran with its reply lost) until a run completes without reaching the failing step.
     */
    async function atEveryStep(
      prepare: () => Promise<void>,
      operation: () => Promise<Answer>,
      afterFailure: (failed: { mode: 'before' | 'after'; op: string }) => Promise<void>,
    ): Promise<number> {
      let failures = 0;
      for (const mode of ['before', 'after'] as const) {
        for (let step = 1; step <= 40; step += 1) {
          await prepare();
          faulty.failAt(step, mode);
          const answer = await operation();
          const reached = faulty.operations.length >= step;
          const op = faulty.operations[step - 1] ?? '';
          faulty.heal();
          if (!reached) break;
          failures += 1;
          expectCleanUnavailable(answer, `${mode} ${op}`);
          expect(await inspector.brokenInvariants(), `${mode} ${op}`).toEqual([]);
          await afterFailure({ mode, op });
        }
      }
      return failures;
    }

    it('a code redemption: a failure before the spend leaves the code usable once; after it, never twice', async () => {
      await setUp();
      let signedIn!: SignedIn;
      const failures = await atEveryStep(
        async () => {
          signedIn = await browserSignIn(idp.url, ALICE);
        },
        () => redeemCode(idp.url, signedIn),
        async ({ mode, op }) => {
          const retry = await redeemCode(idp.url, signedIn);
          if (mode === 'after' && op.startsWith('compareAndSet latchkey:code:')) {
            // Spent, but the client never heard: a retry is a replay, and the session goes
            // (the fail-safe side of an unknown outcome).
            expect(retry.status, op).toBe(400);
          } else {
            // Nothing was committed: the retry gets the tokens.
            expect(retry.status, `${mode} ${op}`).toBe(200);
          }
          expect((await redeemCode(idp.url, signedIn)).status, op).toBe(400);
        },
      );
      expect(failures).toBeGreaterThanOrEqual(6);
    });

    it('a refresh rotation: a failure before the compare-and-set leaves the presented token current', async () => {
      await setUp();
      let refreshToken = '';
      const failures = await atEveryStep(
        async () => {
          faulty.heal();
          refreshToken = (await fullSignIn(idp.url, ALICE)).tokens.refresh_token;
        },
        () => refresh(idp.url, refreshToken),
        async ({ mode, op }) => {
          const retry = await refresh(idp.url, refreshToken);
          if (mode === 'after' && op.startsWith('compareAndSet latchkey:refresh:')) {
            // Rotated, but the client never heard: its retry is reuse, the session is revoked.
            expect(retry.status, op).toBe(400);
          } else {
            expect(retry.status, `${mode} ${op}`).toBe(200);
            const next = (retry.json as { refresh_token: string }).refresh_token;
            expect((await refresh(idp.url, next)).status, op).toBe(200);
          }
        },
      );
      expect(failures).toBeGreaterThanOrEqual(4);
    });

    it('a login: a failure at any step leaves every session listed for its user, and the browser can sign in again', async () => {
      await setUp();
      let browser = createBrowser();
      let fields: { authz: string; csrf: string } = { authz: '', csrf: '' };
      const failures = await atEveryStep(
        async () => {
          browser = createBrowser();
          const toLogin = await browser.fetch(
            authorizeUrl(idp.url, { clientId: SHOP.clientId, redirectUri: SHOP.redirectUri }).url,
          );
          const page = await browser.fetch(new URL(toLogin.headers.get('location')!, idp.url));
          fields = loginFormFields(await page.text());
        },
        () =>
          timedFetch(
            `${idp.url}/login`,
            {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: form({ ...fields, ...ALICE }),
            },
            browser,
          ),
        async ({ mode, op }) => {
          const again = await browserSignIn(idp.url, ALICE, browser);
          expect((await redeemCode(idp.url, again)).status, `${mode} ${op}`).toBe(200);
        },
      );
      expect(failures).toBeGreaterThanOrEqual(6);
    });
  });

  it('no code is redeemed twice while the connection to Redis is cut and restored at random', async () => {
    const redis = await startTestRedis();
    stops.push(() => redis.kill());
    const gate: TcpGate = await startTcpGate(redis.port);
    stops.push(() => gate.close());
    const idp = await startIdp({ REDIS_URL: `redis://127.0.0.1:${gate.port}`, LOG_LEVEL: 'warn' });
    idpForLogs = idp;
    stops.push(() => idp.kill());
    const inspector = inspectRedis(redis.url);
    stops.push(() => inspector.close());

    const codes: SignedIn[] = [];
    for (let i = 0; i < 10; i += 1) codes.push(await browserSignIn(idp.url, i % 2 ? ALICE : BOB));
    const outcomes = codes.map(() => [] as Answer[]);

    // Cuts at random moments for at most ~7 s, while three attempts per code run at random
    // moments, some of them concurrently.
    const deadline = Date.now() + 7_000;
    let cuts = 0;
    const cutter = (async () => {
      for (let round = 0; round < 12 && Date.now() < deadline; round += 1) {
        await sleep(200 + Math.random() * 600);
        gate.shut();
        cuts += 1;
        // Some cuts outlast the 1 s a request waits for the connection to come back.
        await sleep(500 + Math.random() * 1_100);
        gate.open();
      }
    })();
    const attempts = codes.flatMap((signedIn, index) =>
      [0, 1, 2].map(async () => {
        await sleep(Math.random() * 5_000);
        outcomes[index]!.push(await redeemCode(idp.url, signedIn));
      }),
    );
    await Promise.all([cutter, ...attempts]);
    gate.open();
    await waitFor('the IdP to be ready again', async () => (await fetch(`${idp.url}/readyz`)).ok, {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    // And once more each, after the outage.
    for (const [index, signedIn] of codes.entries()) {
      outcomes[index]!.push(await redeemCode(idp.url, signedIn));
    }

    const all = outcomes.flat();
    for (const answer of all) expect([200, 400, 503]).toContain(answer.status);
    for (const answer of all.filter((a) => a.status === 503)) {
      expectCleanUnavailable(answer, 'a /token answer during a cut');
    }
    for (const [index, answers] of outcomes.entries()) {
      expect(
        answers.filter((answer) => answer.status === 200).length,
        `code ${index}`,
      ).toBeLessThanOrEqual(1);
    }
    expect(await inspector.brokenInvariants()).toEqual([]);
    const redeemed = outcomes.filter((answers) => answers.some((a) => a.status === 200)).length;
    process.stdout.write(
      `[promise 2] ${cuts} cuts, ${all.length} attempts (${all.filter((a) => a.status === 503).length} 503), ` +
        `${redeemed}/${codes.length} codes redeemed once, none twice\n`,
    );
    const after = await fullSignIn(idp.url, ALICE);
    expect(after.tokens.access_token).toEqual(expect.any(String));
  });
});
