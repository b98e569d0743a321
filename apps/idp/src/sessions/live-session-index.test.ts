import { storeKeys } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createRevoker } from './revoker.js';
import { createSessionRepository } from './session.js';

const LIMITS = { idleTtlMs: 30 * 60_000, maxTtlMs: 12 * 60 * 60_000 };
const ALICE = { sub: 'id-alice', username: 'alice' };

function setUp() {
  let clock = Date.now();
  const now = () => clock;
  const store = createMemoryStore({ now });
  const sessions = createSessionRepository(store, LIMITS);
  const revoker = createRevoker({
    store,
    sessions,
    logger: silentLogger,
    now,
    retentionMs: 60_000,
  });
  return { store, sessions, revoker, now, advance: (ms: number) => (clock += ms) };
}

describe('the live-sessions index the active-sessions gauge counts', () => {
  it('holds each live session once, moves with a touch, and loses a removed one', async () => {
    const { store, sessions, revoker, now, advance } = setUp();
    const count = () => store.countSet(storeKeys.liveSessions);
    const first = await sessions.create(ALICE, now());
    const second = await sessions.create(ALICE, now());
    expect(await count()).toBe(2);

    // Past the idle limit of the first, which a touch kept alive; the second expired.
    advance(20 * 60_000);
    await sessions.touch(first, now());
    advance(15 * 60_000);
    expect(await sessions.find(second.sid, now())).toBeNull();
    expect(await count()).toBe(1);

    await revoker.revokeSession(first, 'logout');
    expect(await count()).toBe(0);
  });
});
