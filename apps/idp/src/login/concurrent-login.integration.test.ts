import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../store/redis-store.js';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  type Browser,
} from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { createSlots, type Slots } from '../users/hashing-slots.js';
import { createPasswordVerifier } from '../users/password-hash.js';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-throttle.js';

// Attacks on the login limits by sending attempts together, against an IdP on a real Redis
// (a private redis-server) and real Argon2. The test owns the IdP's hashing slots, so it can
// count the attempts that reached Argon2 and hold the slot to freeze a burst in flight.
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const BOB = { username: 'bob', password: 'builder-bob' };
const LIMIT = DEFAULT_LOGIN_LIMITS.perAccount;

let redis: TestRedis;
let database = 0;
let idp: TestIdp | undefined;
beforeAll(async () => {
  redis = await startTestRedis();
}, 30_000);
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});
afterAll(async () => {
  await redis?.kill();
});

/** An IdP on its own Redis database (fresh counters), with hashing slots the test watches. */
async function startIdp(slots: Slots, loginLimits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  database += 1;
  idp = await startTestIdp(
    // The request-rate limit per address would cut the flood before the login limits.
    { RATE_LIMIT_LOGIN_PER_ADDRESS: 'off', RATE_LIMIT_AUTHORIZE_PER_ADDRESS: 'off' },
    createRedisStore(`${redis.url}/${database}`),
    { loginLimits, verifyPassword: createPasswordVerifier(slots) },
  );
  return idp;
}

/** A browser holding an open login form (its own pending authorization and CSRF token). */
async function openForm(
  server: TestIdp,
): Promise<{ browser: Browser; fields: { authz: string; csrf: string } }> {
  const browser = createBrowser();
  const redirect = await browser.fetch(authorizeUrl(server.url, SHOP).url);
  const page = await browser.fetch(new URL(redirect.headers.get('location')!, server.url));
  return { browser, fields: loginFormFields(await page.text()) };
}

async function openForms(server: TestIdp, count: number) {
  const forms = [];
  // A few at a time: opening forms is not what is under test.
  for (let i = 0; i < count; i += 10) {
    forms.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, () => openForm(server)),
      )),
    );
  }
  return forms;
}

function post(
  server: TestIdp,
  form: { browser: Browser; fields: { authz: string; csrf: string } },
  credentials: { username: string; password: string },
) {
  return form.browser.post(new URL('/login', server.url), { ...form.fields, ...credentials });
}

/** Holds the only hashing slot until `release()`: nothing drains while a burst arrives. */
function holdSlot(slots: Slots) {
  let release = () => {};
  const held = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
  return {
    release: async () => {
      release();
      await held;
    },
  };
}

describe('login limits under concurrent attempts (counted before Argon2, atomically)', () => {
  it('99 wrong passwords for bob posted at once, then the right one while they are in flight: only the limit reach Argon2 and the right one is refused', async () => {
    const slots = createSlots(1, { maxWaiting: 1000 });
    const server = await startIdp(slots);
    const forms = await openForms(server, 100);
    const slot = holdSlot(slots);

    const statuses: number[] = [];
    const wrong = forms.slice(0, 99).map(async (form, i) => {
      const response = await post(server, form, { username: 'bob', password: `guess-${i}` });
      statuses.push(response.status);
      return response;
    });
    // Every guess has been counted: LIMIT wait for Argon2, the others were refused at once.
    // Counted after the check (the bug), all 99 would wait and none would be refused.
    await waitFor(
      'the burst to be counted',
      () => slots.stats().waiting === LIMIT && statuses.length === 99 - LIMIT,
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(statuses.every((status) => status === 429)).toBe(true);

    const right = await post(server, forms[99]!, BOB);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(right.headers.has('location')).toBe(false);

    await slot.release();
    const answers = await Promise.all(wrong);
    expect(answers.filter((response) => response.status === 401)).toHaveLength(LIMIT);
    expect(answers.filter((response) => response.status === 429)).toHaveLength(99 - LIMIT);
    for (const refused of answers.filter((response) => response.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The test's own held task, and exactly LIMIT password checks.
    expect(slots.stats().started).toBe(1 + LIMIT);
  }, 60_000);

  it('100 attempts for bob posted at once, the right password last: exactly the limit reach Argon2', async () => {
    const slots = createSlots(1, { maxWaiting: 1000 });
    const server = await startIdp(slots);
    const forms = await openForms(server, 100);
    const answers = await Promise.all(
      forms.map((form, i) =>
        post(server, form, i === 99 ? BOB : { username: 'bob', password: `guess-${i}` }),
      ),
    );
    expect(slots.stats().started).toBe(LIMIT);
    const checked = answers.filter((response) => response.status !== 429);
    expect(checked).toHaveLength(LIMIT);
    // No guess logs in; the right password is refused unless it was among the first LIMIT
    // counted (the order in which concurrent requests reach Redis is not the order sent).
    expect(answers.slice(0, 99).every((response) => response.status !== 303)).toBe(true);
    expect([429, 303]).toContain(answers[99]!.status);
  }, 60_000);
});

describe('the Argon2 waiting line is bounded', () => {
  it('a burst beyond it gets 503 with Retry-After (not a crash), and those attempts count nowhere', async () => {
    const slots = createSlots(1, { maxWaiting: 3 });
    const perAddress = 12;
    const server = await startIdp(slots, { ...DEFAULT_LOGIN_LIMITS, perAddress });
    const forms = await openForms(server, 10);
    const slot = holdSlot(slots);

    // Ten accounts at once (under every account limit, under the address limit).
    const burst = forms.map((form, i) =>
      post(server, form, { username: `user-${i}`, password: 'not-the-password' }),
    );
    const busy: Response[] = [];
    for (const attempt of burst) void attempt.then((response) => busy.push(response));
    await waitFor('the excess to be turned away', () => busy.length === 7, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    expect(slots.stats().waiting).toBe(3);
    for (const response of busy) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      // The login form again, ready for the retry.
      expect(loginFormFields(await response.text()).authz).toBeTruthy();
    }

    await slot.release();
    const statuses = (await Promise.all(burst)).map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(3).fill(401), ...Array(7).fill(503)]);
    expect(slots.stats().started).toBe(1 + 3);

    // Three failures counted against the address, not ten: perAddress - 3 more are checked
    // before the address is refused. (Had the busy ones counted, the 3rd would be refused.)
    for (let i = 0; i < perAddress - 3; i += 1) {
      const form = (await openForms(server, 1))[0]!;
      expect((await post(server, form, { username: `other-${i}`, password: 'nope' })).status).toBe(
        401,
      );
    }
    const form = (await openForms(server, 1))[0]!;
    expect((await post(server, form, { username: 'other-last', password: 'nope' })).status).toBe(
      429,
    );
  }, 60_000);
});
