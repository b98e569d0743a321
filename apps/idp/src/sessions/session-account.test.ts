import { storeKeys } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { isRecentLogin, RECENT_LOGIN_MS } from './recent-login.js';
import { createRevoker } from './revoker.js';
import { createSessionRepository, MAX_USER_AGENT } from './session.js';

/** What the account page reads from sessions: device, apps, page CSRF digest, recency. */

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

describe('the device a session started on', () => {
  it('records the user agent (capped) and the address; a re-authentication keeps them', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now(), {
      userAgent: `Firefox/133.0 ${'x'.repeat(2000)}`,
      address: '192.0.2.7',
    });
    expect(session.userAgent).toHaveLength(MAX_USER_AGENT);
    expect(session.address).toBe('192.0.2.7');
    advance(60_000);
    const again = await sessions.reauthenticate(session, now());
    expect(again).toMatchObject({ userAgent: session.userAgent, address: '192.0.2.7' });
    expect(await sessions.find(session.sid, now())).toMatchObject({ address: '192.0.2.7' });
  });

  it('reads sessions stored before these fields existed; refuses ones of the wrong type', async () => {
    const { store, sessions, now } = repository();
    const old = await sessions.create(ALICE, now());
    expect(old).not.toHaveProperty('userAgent');
    expect(await sessions.find(old.sid, now())).toEqual(old);
    await store.set(storeKeys.session(old.sid), JSON.stringify({ ...old, userAgent: 42 }));
    expect(await sessions.find(old.sid, now())).toBeNull();
  });
});

describe('the apps signed in through a session', () => {
  it('keeps every app of concurrent sign-ins (a set, not a read-modify-write)', async () => {
    const { sessions, now } = repository();
    const session = await sessions.create(ALICE, now());
    const apps = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    await Promise.all(apps.map((app) => sessions.addClient(session, app)));
    await sessions.addClient(session, 'app-3');
    expect((await sessions.clientsOf(session.sid)).sort()).toEqual([...apps].sort());
  });

  it('are forgotten with the session, and expire with it', async () => {
    const { store, sessions, now, advance } = repository();
    const ended = await sessions.create(ALICE, now());
    await sessions.addClient(ended, 'shop');
    await sessions.remove(ended);
    expect(await sessions.clientsOf(ended.sid)).toEqual([]);

    const expiring = await sessions.create(ALICE, now());
    await sessions.addClient(expiring, 'shop');
    advance(LIMITS.maxTtlMs + 1);
    expect(await store.setMembers(storeKeys.sessionClients(expiring.sid))).toEqual(new Map());
  });
});

describe('the page CSRF digest', () => {
  it('is stored on the live session, survives a touch, and is never written back once it ended', async () => {
    const { sessions, now, advance } = repository();
    const session = await sessions.create(ALICE, now());
    const bound = await sessions.bindPageCsrf(session, 'digest-1', now());
    expect(bound?.pageCsrfDigest).toBe('digest-1');
    advance(2 * 60_000);
    // A stale copy loses its compare-and-set to the stored one and is retried, not lost.
    await sessions.touch(bound!, now());
    const rebound = await sessions.bindPageCsrf(session, 'digest-2', now());
    expect(rebound?.pageCsrfDigest).toBe('digest-2');
    expect((await sessions.find(session.sid, now()))?.lastSeenAt).toBe(now());

    await sessions.remove(session);
    expect(await sessions.bindPageCsrf(session, 'digest-3', now())).toBeNull();
    expect(await sessions.find(session.sid, now())).toBeNull();
  });
});

describe('Revoker.revokeOtherSessions', () => {
  it("revokes every session of the user but the kept one, and nobody else's", async () => {
    const { store, sessions, now } = repository();
    const keep = await sessions.create(ALICE, now());
    const others = [await sessions.create(ALICE, now()), await sessions.create(ALICE, now())];
    const bob = await sessions.create({ sub: 'id-bob', username: 'bob' }, now());
    const revoker = createRevoker({
      store,
      sessions,
      logger: silentLogger,
      now,
      retentionMs: 60_000,
    });
    expect(await revoker.revokeOtherSessions(ALICE.sub, keep.sid, 'signed_out_elsewhere')).toBe(2);
    expect((await sessions.listForUser(ALICE.sub, now())).map(({ sid }) => sid)).toEqual([
      keep.sid,
    ]);
    expect(await sessions.find(bob.sid, now())).not.toBeNull();
    for (const other of others) expect(await sessions.find(other.sid, now())).toBeNull();
  });
});

describe('isRecentLogin: sensitive actions need a login at most 10 minutes old', () => {
  const at = Date.UTC(2026, 0, 1);
  it.each([
    [0, true],
    [RECENT_LOGIN_MS, true],
    [RECENT_LOGIN_MS + 1, false],
    [-5_000, true],
  ])('%i ms after the login: %s', (elapsed, recent) => {
    expect(isRecentLogin({ authTime: at / 1000, authTimeMs: at }, at + elapsed)).toBe(recent);
  });

  it('a session with whole seconds only reads older, never younger', () => {
    const ms = at + 999;
    expect(isRecentLogin({ authTime: Math.floor(ms / 1000) }, ms + RECENT_LOGIN_MS)).toBe(false);
  });
});
