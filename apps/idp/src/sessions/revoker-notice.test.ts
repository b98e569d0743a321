import { readRevocationNotice, revocationKeys } from '@latchkey/protocol';
import { waitFor } from '@latchkey/testing';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createRevoker } from './revoker.js';
import { createSessionRepository } from './session.js';

const LIMITS = { idleTtlMs: 30 * 60_000, maxTtlMs: 12 * 60 * 60_000 };
const ALICE = { sub: 'id-alice', username: 'alice' };

function setUp() {
  const clock = Date.now();
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
  return { store, sessions, revoker, now };
}

describe('the revocation notice', () => {
  it('carries the time of the revocation, for the SDK to measure its lag', async () => {
    const { store, sessions, revoker, now } = setUp();
    const heard: string[] = [];
    await store.subscribe(revocationKeys.channel, (message) => heard.push(message));
    const session = await sessions.create(ALICE, now());
    await revoker.revokeSession(session, 'logout');
    await waitFor('the notice', () => heard.length === 1);
    expect(readRevocationNotice(heard[0]!)).toEqual({
      revocation: { kind: 'session', sid: session.sid, expiresAt: now() + 60_000 },
      revokedAt: now(),
    });
  });
});
