import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createMemoryStore } from '../store/memory-store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createUserRepository } from '../users/user.js';
import { createSecondFactorThrottle } from './second-factor-throttle.js';
import { createSecondFactors } from './second-factors.js';
import { TOTP_PERIOD_S, timeStep, totpCodeAt } from './totp-code.js';

const STEP_MS = TOTP_PERIOD_S * 1000;
const LIMITS = { perAccount: 5, windowMs: 15 * 60_000 };

// One database for the file (starting one takes seconds); each test has its own users.
let database: Database;
beforeAll(async () => {
  database = await freshTestDatabase();
}, 60_000);
let made = 0;

async function setUp() {
  let clock = Date.UTC(2026, 0, 1, 12, 0, 10);
  const now = () => clock;
  const users = createUserRepository(database);
  made += 1;
  const bob = `id-bob-${made}`;
  const carol = `id-carol-${made}`;
  await users.save({ id: bob, username: `bob${made}`, passwordHash: 'x', roles: [] });
  await users.save({ id: carol, username: `carol${made}`, passwordHash: 'x', roles: [] });
  const store = createMemoryStore({ now });
  const factors = createSecondFactors({
    database,
    kek: randomBytes(32),
    issuerName: 'idp.localhost',
    throttle: createSecondFactorThrottle(store, LIMITS),
    now,
  });
  return { database, factors, bob, carol, now, advance: (ms: number) => (clock += ms) };
}

/** Enrols `userId` and returns its secret; the confirmation used the current step's code. */
async function enrol(setup: Awaited<ReturnType<typeof setUp>>, userId: string) {
  const begun = await setup.factors.beginTotp({ id: userId, username: userId });
  const confirmed = await setup.factors.confirmTotp(
    userId,
    totpCodeAt(begun!.secret, timeStep(setup.now())),
  );
  if (!confirmed.ok) throw new Error('enrolment failed');
  return { secret: begun!.secret, recoveryCodes: confirmed.recoveryCodes };
}

describe('TOTP enrolment', () => {
  it('makes a secret of at least 160 bits and an otpauth URI naming the account', async () => {
    const setup = await setUp();
    const begun = await setup.factors.beginTotp({ id: setup.bob, username: 'bob' });
    expect(Buffer.from(begun!.secret, 'ascii').length * 5).toBeGreaterThanOrEqual(160);
    expect(begun!.uri).toMatch(/^otpauth:\/\/totp\/idp\.localhost:bob\?/);
    expect(begun!.uri).toContain(`secret=${begun!.secret}`);
  });

  it('shows the same waiting secret again until it is confirmed', async () => {
    const setup = await setUp();
    const first = await setup.factors.beginTotp({ id: setup.bob, username: 'bob' });
    const again = await setup.factors.beginTotp({ id: setup.bob, username: 'bob' });
    expect(again!.secret).toBe(first!.secret);
    expect(await setup.factors.hasTotp(setup.bob)).toBe(false);
  });

  it('counts only once confirmed by a first code, and then gives ten recovery codes', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    expect(await setup.factors.hasTotp(setup.bob)).toBe(true);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await setup.factors.status(setup.bob)).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(await setup.factors.beginTotp({ id: setup.bob, username: 'bob' })).toBeNull();
  });

  it('refuses a wrong first code', async () => {
    const setup = await setUp();
    const begun = await setup.factors.beginTotp({ id: setup.bob, username: 'bob' });
    const wrong = totpCodeAt(begun!.secret, timeStep(setup.now()) + 5);
    expect(await setup.factors.confirmTotp(setup.bob, wrong)).toEqual({
      ok: false,
      reason: 'wrong',
    });
    expect(await setup.factors.hasTotp(setup.bob)).toBe(false);
  });

  it('stores the secret encrypted at rest, bound to its user', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    const rows = await setup.database.query('SELECT secret FROM user_totp WHERE user_id = $1', [
      setup.bob,
    ]);
    expect(JSON.stringify(rows)).not.toContain(secret);
    // Moved to another user, the sealed secret no longer opens: carol's check fails.
    await setup.database.query(
      `INSERT INTO user_totp (user_id, secret, created_at, confirmed_at)
       SELECT $1, secret, created_at, confirmed_at FROM user_totp WHERE user_id = $2`,
      [setup.carol, setup.bob],
    );
    setup.advance(STEP_MS);
    const code = totpCodeAt(secret, timeStep(setup.now()));
    expect((await setup.factors.check(setup.carol, code)).ok).toBe(false);
  });
});

describe('TOTP check (RFC 6238)', () => {
  it('accepts the current code once', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(STEP_MS);
    const code = totpCodeAt(secret, timeStep(setup.now()));
    expect(await setup.factors.check(setup.bob, code)).toEqual({ ok: true, method: 'totp' });
  });

  it('refuses a replayed TOTP code in the same window', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(STEP_MS);
    const code = totpCodeAt(secret, timeStep(setup.now()));
    expect((await setup.factors.check(setup.bob, code)).ok).toBe(true);
    expect(await setup.factors.check(setup.bob, code)).toEqual({ ok: false, reason: 'wrong' });
    // Still inside the ±1 window a step later: still refused.
    setup.advance(STEP_MS);
    expect((await setup.factors.check(setup.bob, code)).ok).toBe(false);
  });

  it('refuses the enrolment code replayed at the first login', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    const code = totpCodeAt(secret, timeStep(setup.now()));
    expect((await setup.factors.check(setup.bob, code)).ok).toBe(false);
  });

  it('accepts a code one step old or one step ahead (±1 window)', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(5 * STEP_MS);
    const previous = totpCodeAt(secret, timeStep(setup.now()) - 1);
    expect((await setup.factors.check(setup.bob, previous)).ok).toBe(true);
    const next = totpCodeAt(secret, timeStep(setup.now()) + 1);
    expect((await setup.factors.check(setup.bob, next)).ok).toBe(true);
  });

  it('refuses a code one step too old (outside ±1)', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(5 * STEP_MS);
    const old = totpCodeAt(secret, timeStep(setup.now()) - 2);
    expect(await setup.factors.check(setup.bob, old)).toEqual({ ok: false, reason: 'wrong' });
  });

  it('refuses an older step once a later one was used', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(5 * STEP_MS);
    const step = timeStep(setup.now());
    expect((await setup.factors.check(setup.bob, totpCodeAt(secret, step))).ok).toBe(true);
    expect((await setup.factors.check(setup.bob, totpCodeAt(secret, step - 1))).ok).toBe(false);
  });

  it("refuses another user's valid code exactly as a wrong one", async () => {
    const setup = await setUp();
    await enrol(setup, setup.bob);
    const carol = await enrol(setup, setup.carol);
    setup.advance(STEP_MS);
    const carolsCode = totpCodeAt(carol.secret, timeStep(setup.now()));
    expect(await setup.factors.check(setup.bob, carolsCode)).toEqual({
      ok: false,
      reason: 'wrong',
    });
  });

  it('accepts one of two concurrent submissions of the same code', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    setup.advance(STEP_MS);
    const code = totpCodeAt(secret, timeStep(setup.now()));
    const answers = await Promise.all([1, 2, 3].map(() => setup.factors.check(setup.bob, code)));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
  });

  it('throttles 100 wrong codes, without locking the account out for good', async () => {
    const setup = await setUp();
    const { secret } = await enrol(setup, setup.bob);
    const answers = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      answers.push(await setup.factors.check(setup.bob, String(attempt).padStart(6, '9')));
    }
    const wrong = answers.filter((answer) => !answer.ok && answer.reason === 'wrong');
    expect(wrong).toHaveLength(LIMITS.perAccount);
    expect(answers.at(-1)).toMatchObject({ ok: false, reason: 'throttled' });
    // Even the right code waits for the window to end…
    setup.advance(STEP_MS);
    const right = totpCodeAt(secret, timeStep(setup.now()));
    expect(await setup.factors.check(setup.bob, right)).toMatchObject({ reason: 'throttled' });
    // …and then works.
    setup.advance(LIMITS.windowMs);
    const later = totpCodeAt(secret, timeStep(setup.now()));
    expect(await setup.factors.check(setup.bob, later)).toEqual({ ok: true, method: 'totp' });
  });

  it('counts the throttle per account: carol is not slowed by guesses at bob', async () => {
    const setup = await setUp();
    await enrol(setup, setup.bob);
    const carol = await enrol(setup, setup.carol);
    for (let attempt = 0; attempt < 10; attempt += 1)
      await setup.factors.check(setup.bob, '000000');
    setup.advance(STEP_MS);
    const code = totpCodeAt(carol.secret, timeStep(setup.now()));
    expect((await setup.factors.check(setup.carol, code)).ok).toBe(true);
  });
});

describe('recovery codes', () => {
  it('accepts each code once, in any case and spacing', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    const code = recoveryCodes[3]!;
    const typed = ` ${code.toUpperCase().replace(/-/g, ' ')} `;
    expect(await setup.factors.check(setup.bob, typed)).toEqual({ ok: true, method: 'recovery' });
    expect(await setup.factors.status(setup.bob)).toEqual({ totp: true, recoveryCodesLeft: 9 });
  });

  it('refuses a recovery code used twice', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    expect((await setup.factors.check(setup.bob, recoveryCodes[0]!)).ok).toBe(true);
    expect(await setup.factors.check(setup.bob, recoveryCodes[0]!)).toEqual({
      ok: false,
      reason: 'wrong',
    });
  });

  it('stores only digests', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    const rows = await setup.database.query('SELECT * FROM recovery_codes WHERE user_id = $1', [
      setup.bob,
    ]);
    const dump = JSON.stringify(rows);
    for (const code of recoveryCodes) expect(dump).not.toContain(code.replace(/-/g, ''));
  });

  it('regenerating makes the old codes stop working', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    const fresh = await setup.factors.regenerateRecoveryCodes(setup.bob);
    expect((await setup.factors.check(setup.bob, recoveryCodes[0]!)).ok).toBe(false);
    expect((await setup.factors.check(setup.bob, fresh[0]!)).ok).toBe(true);
  });

  it("refuses another user's recovery code", async () => {
    const setup = await setUp();
    await enrol(setup, setup.bob);
    const carol = await enrol(setup, setup.carol);
    expect((await setup.factors.check(setup.bob, carol.recoveryCodes[0]!)).ok).toBe(false);
  });
});

describe('removal', () => {
  it('removes the TOTP and the recovery codes together', async () => {
    const setup = await setUp();
    const { recoveryCodes } = await enrol(setup, setup.bob);
    expect(await setup.factors.removeTotp(setup.bob)).toBe(true);
    expect(await setup.factors.status(setup.bob)).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await setup.factors.check(setup.bob, recoveryCodes[0]!)).ok).toBe(false);
  });
});
