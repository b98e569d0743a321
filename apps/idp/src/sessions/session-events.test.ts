import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createRevoker } from './revoker.js';
import type { SessionEnd } from './session-events.js';
import { createSessionRepository } from './session.js';

const LIMITS = { idleTtlMs: 30 * 60_000, maxTtlMs: 12 * 60 * 60_000 };
const ALICE = { sub: 'id-alice', username: 'alice' };

function revokerTelling(ends: SessionEnd[], fail = false) {
  const clock = Date.UTC(2026, 0, 1, 0, 0, 0, 999);
  const store = createMemoryStore({ now: () => clock });
  const sessions = createSessionRepository(store, LIMITS);
  const listener = {
    sessionEnded: (end: SessionEnd) => {
      if (fail) return Promise.reject(new Error('outbox unreachable'));
      ends.push(end);
      return Promise.resolve();
    },
  };
  const revoker = createRevoker({
    store,
    sessions,
    logger: silentLogger,
    now: () => clock,
    retentionMs: 60_000,
    listeners: [listener],
  });
  return { sessions, revoker, now: () => clock };
}

describe('listeners of session endings', () => {
  it('hear one session end, with its reason', async () => {
    const ends: SessionEnd[] = [];
    const { sessions, revoker, now } = revokerTelling(ends);
    const session = await sessions.create(ALICE, now());
    await revoker.revokeSession(session, 'logout');
    expect(ends).toEqual([
      { scope: 'session', sid: session.sid, sub: ALICE.sub, reason: 'logout', at: now() },
    ]);
  });

  it('hear every session of a user end at once, with the sessions that were live', async () => {
    const ends: SessionEnd[] = [];
    const { sessions, revoker, now } = revokerTelling(ends);
    const a = await sessions.create(ALICE, now());
    const b = await sessions.create(ALICE, now());
    await revoker.revokeUser(ALICE.sub, 'user_disabled');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ scope: 'user', sub: ALICE.sub, reason: 'user_disabled' });
    expect([...(ends[0] as { sids: readonly string[] }).sids].sort()).toEqual(
      [a.sid, b.sid].sort(),
    );
  });

  it('hear each other session end, not the kept one', async () => {
    const ends: SessionEnd[] = [];
    const { sessions, revoker, now } = revokerTelling(ends);
    const kept = await sessions.create(ALICE, now());
    const other = await sessions.create(ALICE, now());
    await revoker.revokeOtherSessions(ALICE.sub, kept.sid, 'password_changed');
    expect(ends.map((end) => end.scope === 'session' && end.sid)).toEqual([other.sid]);
  });

  it('a listener that fails reaches the caller, after the revocation is recorded', async () => {
    const { sessions, revoker, now } = revokerTelling([], true);
    const session = await sessions.create(ALICE, now());
    await expect(revoker.revokeSession(session, 'admin')).rejects.toThrow('outbox unreachable');
    expect(await sessions.find(session.sid, now())).toBeNull();
  });
});
