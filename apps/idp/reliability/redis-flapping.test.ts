import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sleep, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { runSessionsCommand, startIdp, type IdpProcess } from '../src/test-support/idp-process.js';
import { startResourceServer, type ResourceServer } from '../src/test-support/resource-server.js';
import {
  ALICE,
  BOB,
  fullSignIn,
  ISSUER,
  jwtClaims,
  refresh,
  SHOP,
  timedFetch,
  WIKI_API,
} from './support/oauth-flows.js';
import { inspectRedis, type RedisInspector } from './support/redis-inspect.js';

/**
 * Promise 3: Redis stopped and started every few seconds while sign-ins, refreshes, userinfo
 * calls and token checks at an SDK-verifying API run. The IdP process survives (same pid,
 * /healthz), its memory and Redis connections do not grow, and no token of a session whose
 * revocation was confirmed (a logout or a `sessions revoke` that answered success) is ever
 * accepted by the API afterwards.
 */

const RUN_MS = 15_000;
/**
 * The API's staleness bound, which only matters for a connection that is silently gone: an SDK
 * that sees its subscription drop refuses at once until it has resynced (fail closed), so a
 * Redis restart lets no revoked token through. What remains is propagation: a check sent in
 * the instant between the IdP's answer and the notice's arrival. Issue 3 bounds that at
 * 100 ms, so an acceptance within it is reported as propagation, and any later one fails.
 */
const MAX_STALENESS_MS = 2_000;
const PROPAGATION_MS = 100;

let redis: TestRedis | undefined;
let idp: IdpProcess | undefined;
let api: ResourceServer | undefined;
let inspector: RedisInspector | undefined;

afterAll(async () => {
  await inspector?.close();
  await api?.stop();
  await idp?.kill();
  await redis?.kill();
});

afterEach((context) => {
  if (context.task.result?.state === 'fail' && idp) process.stderr.write(idp.output());
});

/** Resident memory of a process in KiB, read from /proc: no debugger, no flags on the process. */
function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

interface Revoked {
  how: 'logout' | 'sessions revoke';
  tokens: string[];
  /** When the revocation's success came back (performance.now()). */
  confirmedAt: number;
}

describe('promise 3: Redis flapping under load', () => {
  it('no crash, no growth in memory or Redis connections, and no revoked session accepted during or after the flapping', async () => {
    redis = await startTestRedis(undefined, { persistent: true });
    idp = await startIdp({ REDIS_URL: redis.url, LOG_LEVEL: 'error' });
    api = await startResourceServer({
      ISSUER,
      JWKS_URI: `${idp.url}/jwks`,
      AUDIENCE: WIKI_API,
      REDIS_URL: redis.url,
      MAX_STALENESS_MS: String(MAX_STALENESS_MS),
    });
    inspector = inspectRedis(redis.url);
    const { pid } = idp;
    const idpUrl = idp.url;
    const theApi = api;
    const theRedis = redis;

    // Warm up (JIT, key cache, Argon2 buffers), then take the baseline.
    for (const user of [ALICE, BOB, ALICE]) {
      const { tokens } = await fullSignIn(idpUrl, user);
      expect(await theApi.statusFor(tokens.access_token)).toBe(200);
    }
    await waitFor(
      'the IdP connections to settle',
      async () => (await inspector!.idpConnections()) === 2,
      {
        timeoutMs: 5_000,
        intervalMs: 50,
      },
    );
    const connectionsBefore = await inspector.idpConnections();
    const rssBefore = rssKiB(pid);

    const deadline = Date.now() + RUN_MS;
    const revoked: Revoked[] = [];
    const acceptedAfterRevocation: string[] = [];
    /** Milliseconds after its confirmed revocation at which a revoked token was accepted. */
    const acceptedInPropagation: number[] = [];
    const accepted = (entry: Revoked, when: string, sentAt: number) => {
      const late = sentAt - entry.confirmedAt;
      if (late <= PROPAGATION_MS) acceptedInPropagation.push(Math.round(late));
      else acceptedAfterRevocation.push(`${entry.how}, ${when}, ${Math.round(late)} ms after`);
    };
    const serverErrors: string[] = [];
    const counts = { signIns: 0, failures: 0, checks: 0, revocations: 0, flaps: 0 };

    const noteStatus = (what: string, status: number) => {
      if (status >= 500 && status !== 503) serverErrors.push(`${what}: ${status}`);
    };

    const flapper = async () => {
      for (let round = 0; round < 8 && Date.now() < deadline - 2_000; round += 1) {
        await sleep(1_000 + Math.random() * 1_500);
        await theRedis.kill();
        counts.flaps += 1;
        await sleep(500 + Math.random() * 1_000);
        await theRedis.start();
      }
    };

    const worker = async (id: number) => {
      for (let i = 0; i < 100 && Date.now() < deadline; i += 1) {
        try {
          const { browser, tokens } = await fullSignIn(idpUrl, (i + id) % 2 ? ALICE : BOB);
          counts.signIns += 1;
          const sessionTokens = [tokens.access_token];
          const userinfo = await timedFetch(`${idpUrl}/userinfo`, {
            headers: { Authorization: `Bearer ${tokens.access_token}` },
          });
          noteStatus('userinfo', userinfo.status);
          const refreshed = await refresh(idpUrl, tokens.refresh_token);
          noteStatus('refresh', refreshed.status);
          if (refreshed.status === 200) {
            sessionTokens.push((refreshed.json as { access_token: string }).access_token);
          }
          noteStatus('api', await theApi.statusFor(tokens.access_token));
          if (i % 2 === 1) continue;
          // Revoke this session, by logout or by the operator's command.
          const how = (i / 2 + id) % 2 === 0 ? 'logout' : 'sessions revoke';
          let confirmed = false;
          if (how === 'logout') {
            const url = new URL('/logout', idpUrl);
            url.searchParams.set('id_token_hint', tokens.id_token);
            url.searchParams.set('post_logout_redirect_uri', SHOP.postLogout);
            const answer = await timedFetch(url, {}, browser);
            noteStatus('logout', answer.status);
            confirmed = answer.status >= 300 && answer.status < 400;
          } else {
            const sid = String(jwtClaims(tokens.access_token).sid);
            const result = await runSessionsCommand(['revoke', sid], { REDIS_URL: theRedis.url });
            confirmed = result.code === 0;
          }
          if (confirmed) {
            counts.revocations += 1;
            revoked.push({ how, tokens: sessionTokens, confirmedAt: performance.now() });
          }
        } catch (error) {
          counts.failures += 1;
          const status = /\b(5\d\d)\b/.exec((error as Error).message)?.[1];
          if (status) noteStatus('sign-in', Number(status));
        }
      }
    };

    const checker = async () => {
      for (let round = 0; round < 1_000 && Date.now() < deadline; round += 1) {
        for (const entry of [...revoked]) {
          for (const token of entry.tokens) {
            counts.checks += 1;
            const sentAt = performance.now();
            if ((await theApi.statusFor(token)) === 200) accepted(entry, 'during', sentAt);
          }
        }
        await sleep(50);
      }
    };

    await Promise.all([flapper(), worker(0), worker(1), worker(2), checker()]);
    await theRedis.start();
    await waitFor('the IdP to be ready', async () => (await fetch(`${idpUrl}/readyz`)).ok, {
      timeoutMs: 15_000,
      intervalMs: 50,
    });

    // After: every revoked token refused, now and once the API has caught up.
    for (const entry of revoked) {
      for (const token of entry.tokens) {
        const sentAt = performance.now();
        if ((await theApi.statusFor(token)) === 200) accepted(entry, 'after', sentAt);
      }
    }
    await waitFor(
      'the API to answer 401 for every revoked token',
      async () => {
        for (const { tokens } of revoked) {
          for (const token of tokens) if ((await theApi.statusFor(token)) !== 401) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    for (const { tokens } of revoked) {
      for (const token of tokens) expect(await theApi.statusFor(token)).toBe(401);
    }

    // The same process, alive and answering; a full sign-in works.
    process.kill(pid, 0);
    expect(idp.pid).toBe(pid);
    expect((await timedFetch(`${idpUrl}/healthz`)).status).toBe(200);
    const after = await fullSignIn(idpUrl, ALICE);
    expect(await theApi.statusFor(after.tokens.access_token)).toBe(200);

    // No leaked connections: back to the command connection and the subscriber.
    await waitFor(
      'the IdP connections to settle',
      async () => (await inspector!.idpConnections()) <= connectionsBefore,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const connectionsAfter = await inspector.idpConnections();
    const rssAfter = rssKiB(pid);
    process.stdout.write(
      `[promise 3] ${counts.flaps} flaps, ${counts.signIns} sign-ins (${counts.failures} failed), ` +
        `${counts.revocations} confirmed revocations, ${counts.checks} checks of revoked tokens, ` +
        `${acceptedInPropagation.length} accepted while the notice was in flight ` +
        `(${JSON.stringify(acceptedInPropagation)} ms after confirmation); ` +
        `RSS ${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MiB; ` +
        `IdP connections ${connectionsBefore} → ${connectionsAfter}\n`,
    );

    expect(acceptedAfterRevocation).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(counts.flaps).toBeGreaterThanOrEqual(3);
    expect(counts.revocations).toBeGreaterThanOrEqual(3);
    expect(connectionsAfter).toBeLessThanOrEqual(connectionsBefore);
    // Generous: the heap may settle higher after a load run; a leak per request or per
    // reconnect would show as far more over hundreds of requests and several reconnects.
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024);
    expect(idp.output()).not.toMatch(/fatal|unhandled/i);
  });
});
