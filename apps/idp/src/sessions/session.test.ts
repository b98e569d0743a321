import { storeKeys } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { createSessionRepository, sessionAcr, sessionAmr } from './session.js';

const LIMITS = { idleTtlMs: 30 * 60_000, maxTtlMs: 12 * 60 * 60_000 };
const ALICE = { sub: 'id-alice', username: 'alice' };

function repository() {
  let clock = Date.UTC(2026, 0, 1);
  const store = createMemoryStore({ now: () => clock });
  return {
    store,
    sessions: createSessionRepository(store, LIMITS),
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

describe('SessionRepository.reauthenticate', () => {
  it('keeps the sid and records the new authentication time and activity', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    advance(5 * 60_000);
    const again = await sessions.reauthenticate(session, now());
    expect(again).toEqual({
      ...session,
      authTime: session.authTime + 5 * 60,
      authTimeMs: now(),
      lastSeenAt: now(),
    });
    expect(await sessions.find(session.sid, now())).toEqual(again);
  });

  it('does not move the absolute limit: a login renews who, not how long', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    advance(20 * 60_000);
    const again = await sessions.reauthenticate(session, now());
    expect(again.sid).toBe(session.sid);
    expect(again.expiresAt).toBe(session.expiresAt);
  });

  it('after a concurrent touch (the stored record changed), still keeps the sid', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    advance(2 * 60_000);
    await sessions.touch(session, now());
    advance(1_000);
    const again = await sessions.reauthenticate(session, now());
    expect(again.sid).toBe(session.sid);
    expect(again.authTime).toBe(Math.floor(now() / 1000));
    expect((await sessions.find(session.sid, now()))?.authTime).toBe(again.authTime);
  });

  it('a session that ended meanwhile is not written back: a new one starts for the user', async () => {
    const { store, sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    await sessions.remove(session);
    advance(1_000);
    const fresh = await sessions.reauthenticate(session, now());
    expect(fresh.sid).not.toBe(session.sid);
    expect(fresh).toMatchObject({ ...ALICE, authTime: Math.floor(now() / 1000) });
    expect(await store.get(storeKeys.session(session.sid))).toBeNull();
    expect((await sessions.listForUser(ALICE.sub, now())).map((live) => live.sid)).toEqual([
      fresh.sid,
    ]);
  });
});

describe('sessions stored before authTimeMs existed', () => {
  it('are still found, with their whole-second authTime', async () => {
    const { store, sessions, now } = repository();
    const legacy = {
      sid: 's'.repeat(43),
      ...ALICE,
      authTime: Math.floor(now() / 1000),
      createdAt: now(),
      expiresAt: now() + LIMITS.maxTtlMs,
      lastSeenAt: now(),
    };
    await store.set(storeKeys.session(legacy.sid), JSON.stringify(legacy), { ttlMs: 60_000 });
    const found = await sessions.find(legacy.sid, now());
    expect(found).toEqual(legacy);
    expect(found?.authTimeMs).toBeUndefined();
  });
});

describe('Session amr and acr (OIDC Core §2, RFC 8176)', () => {
  it('records a password login as amr pwd at the password level by default', async () => {
    const { sessions, now } = repository();
    const session = await sessions.create(ALICE, now());
    expect(session.amr).toEqual(['pwd']);
    expect(session.acr).toBe('urn:latchkey:acr:pwd');
  });

  it('records the methods given, and the mfa level they reach', async () => {
    const { sessions, now } = repository();
    const session = await sessions.create(ALICE, now(), {}, { amr: ['pwd', 'otp', 'mfa'] });
    expect(session.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(session.acr).toBe('urn:latchkey:acr:mfa');
    expect((await sessions.find(session.sid, now()))?.acr).toBe('urn:latchkey:acr:mfa');
  });

  it('a step-up re-authentication keeps the sid and raises amr and acr', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    advance(1000);
    const stepped = await sessions.reauthenticate(session, now(), { amr: ['pwd', 'otp', 'mfa'] });
    expect(stepped.sid).toBe(session.sid);
    expect(stepped.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(stepped.acr).toBe('urn:latchkey:acr:mfa');
  });

  it('reads a session stored before amr existed as a password login', async () => {
    const { store, sessions, now } = repository();
    const session = await sessions.create(ALICE, now());
    const old: Record<string, unknown> = { ...session };
    delete old.amr;
    delete old.acr;
    await store.set(storeKeys.session(session.sid), JSON.stringify(old), { ttlMs: 60_000 });
    const found = await sessions.find(session.sid, now());
    expect(found).toEqual(old);
    expect(sessionAmr(found!)).toEqual(['pwd']);
    expect(sessionAcr(found!)).toBe('urn:latchkey:acr:pwd');
  });

  it('refuses a stored session whose amr is not a list of strings', async () => {
    const { store, sessions, now } = repository();
    const session = await sessions.create(ALICE, now());
    const bad = JSON.stringify({ ...session, amr: 'pwd' });
    await store.set(storeKeys.session(session.sid), bad, { ttlMs: 60_000 });
    expect(await sessions.find(session.sid, now())).toBeNull();
  });
});
