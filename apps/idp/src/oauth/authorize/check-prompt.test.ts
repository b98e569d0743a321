import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory-store.js';
import { createSessionRepository } from '../../sessions/session.js';
import { requiresFreshLogin } from './check-prompt.js';

const LIMITS = { idleTtlMs: 30 * 60_000, maxTtlMs: 12 * 60 * 60_000 };
const MAX_AGE_1 = { prompt: [], maxAge: 1 } as const;

/**
 * A login at `loginAtMs` on a controlled clock, through the real session repository, so the
 * session carries exactly what the store would hold.
 */
async function loginAt(loginAtMs: number) {
  let clock = loginAtMs;
  const store = createMemoryStore({ now: () => clock });
  const sessions = createSessionRepository(store, LIMITS);
  const session = await sessions.create({ sub: 'id-alice', username: 'alice' }, clock);
  return {
    /** Whether `max_age=1` asks for the password again `elapsedMs` after the login. */
    async freshLoginAfter(elapsedMs: number) {
      clock = loginAtMs + elapsedMs;
      const found = await sessions.find(session.sid, clock);
      if (!found) throw new Error('the session should still be live');
      return requiresFreshLogin(MAX_AGE_1, found, clock);
    },
  };
}

// Logins just after and just before a whole second: truncating to seconds failed one or the
// other (1.5 s after a login at .7 spans two second boundaries, at .2 only one).
describe.each([
  ['.200', Date.UTC(2026, 0, 1) + 200],
  ['.700', Date.UTC(2026, 0, 1) + 700],
  ['.999', Date.UTC(2026, 0, 1) + 999],
])('OIDC Core 3.1.2.1 max_age=1, login at a second%s', (_label, loginAtMs) => {
  it('0.9 s after the login: within max_age, no login form', async () => {
    expect(await (await loginAt(loginAtMs)).freshLoginAfter(900)).toBe(false);
  });

  // The spec re-authenticates when the elapsed time "is greater than" max_age: exactly
  // max_age seconds is not greater, so the session still counts as fresh enough.
  it('exactly 1.0 s after the login: not greater than max_age, no login form', async () => {
    expect(await (await loginAt(loginAtMs)).freshLoginAfter(1000)).toBe(false);
  });

  it('1.1 s after the login: older than max_age, re-authenticate', async () => {
    expect(await (await loginAt(loginAtMs)).freshLoginAfter(1100)).toBe(true);
  });

  it('1.5 s after the login: older than max_age, re-authenticate', async () => {
    expect(await (await loginAt(loginAtMs)).freshLoginAfter(1500)).toBe(true);
  });

  it('1 ms past max_age: re-authenticate', async () => {
    expect(await (await loginAt(loginAtMs)).freshLoginAfter(1001)).toBe(true);
  });
});

describe('requiresFreshLogin: other requests', () => {
  const session = { authTime: 1_767_225_600, authTimeMs: 1_767_225_600_500 };
  const now = session.authTimeMs + 10;

  it('max_age=0 always asks for the password (OIDC Core 3.1.2.1: the same as prompt=login)', () => {
    expect(requiresFreshLogin({ prompt: [], maxAge: 0 }, session, session.authTimeMs)).toBe(true);
  });

  it('prompt=login and prompt=select_account ask for it whatever the age', () => {
    expect(requiresFreshLogin({ prompt: ['login'] }, session, now)).toBe(true);
    expect(requiresFreshLogin({ prompt: ['select_account'] }, session, now)).toBe(true);
  });

  it('without max_age or a prompt, any live session will do', () => {
    expect(requiresFreshLogin({ prompt: [] }, session, now + 3_600_000)).toBe(false);
  });
});

describe('requiresFreshLogin: a session stored before authTimeMs existed', () => {
  // Its whole-second authTime is rounded down: the login may be up to 1 s more recent than it
  // says. Counting from the rounded-down second errs towards asking for the password.
  const legacy = { authTime: 1_767_225_600 };
  const loggedInAtMs = legacy.authTime * 1000;

  it('is still read: within max_age, no login form', () => {
    expect(requiresFreshLogin(MAX_AGE_1, legacy, loggedInAtMs + 900)).toBe(false);
    expect(requiresFreshLogin({ prompt: [], maxAge: 60 }, legacy, loggedInAtMs + 30_000)).toBe(
      false,
    );
  });

  it('past max_age counted from its second, re-authenticate', () => {
    expect(requiresFreshLogin(MAX_AGE_1, legacy, loggedInAtMs + 1001)).toBe(true);
  });
});
