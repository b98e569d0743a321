import {
  encodeRevocationReloadNotice,
  revocationKeys,
  storeKeys,
  type Revocation,
} from '@latchkey/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, type Database } from '../db/database.js';
import { silentLogger } from '../logger.js';
import { createRevoker } from '../sessions/revoker.js';
import { createSessionRepository, type SessionRepository } from '../sessions/session.js';
import { createMemoryStore } from '../store/memory-store.js';
import { ReplicationTimeoutError, StoreUnavailableError, type Store } from '../store/store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import {
  createDurableRevocations,
  type DurableRevocations,
  type DurableRevocationsDeps,
} from './durable-revocations.js';
import { createRevocationLedger } from './revocation-ledger.js';

const HOUR = 3_600_000;
const LIMITS = { idleTtlMs: HOUR, maxTtlMs: 12 * HOUR };
const NO_WAIT = { replicas: 0, timeoutMs: 0 };

let db: Database;
let store: Store;
let sessions: SessionRepository;
const started: DurableRevocations[] = [];

beforeEach(async () => {
  db = await freshTestDatabase();
  store = createMemoryStore();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((durable) => durable.stop()));
  await store.close();
  await db.close();
});

function durable(overrides: Partial<DurableRevocationsDeps> = {}): DurableRevocations {
  const made = createDurableRevocations({
    ledger: createRevocationLedger(db),
    store,
    logger: silentLogger,
    now: Date.now,
    replication: NO_WAIT,
    sessionLifeMs: LIMITS.maxTtlMs,
    // The timers stay out of the way: the tests call poll and checkMarker themselves.
    pollIntervalMs: HOUR,
    ...overrides,
  });
  started.push(made);
  return made;
}

const revocationOf = (sid: string): Revocation & { kind: 'session' } => ({
  kind: 'session',
  sid,
  expiresAt: Date.now() + HOUR,
});

/** What a Redis restored from a snapshot taken before the revocation holds. */
async function restoreSnapshot(session: { sid: string }, raw: string): Promise<void> {
  await store.set(storeKeys.session(session.sid), raw);
  await store.removeFromSet(revocationKeys.set, `sid:${session.sid}`);
  await store.set(revocationKeys.applied, '0');
}

describe('durable revocations', () => {
  it('refuses a session the ledger says is revoked, though the store shows it again', async () => {
    const ledgered = durable();
    await ledgered.start();
    sessions = createSessionRepository(store, LIMITS, ledgered);
    const session = await sessions.create({ sub: 'u1', username: 'ann' }, Date.now());
    const raw = (await store.get(storeKeys.session(session.sid)))!;
    expect(await sessions.find(session.sid, Date.now())).not.toBeNull();

    await ledgered.record(revocationOf(session.sid), Date.now());
    await restoreSnapshot(session, raw);
    expect(await sessions.find(session.sid, Date.now())).toBeNull();
    expect(await sessions.listForUser('u1', Date.now())).toEqual([]);
  });

  it("refuses a subject's sessions started before its not-before time, not those after", async () => {
    const ledgered = durable();
    await ledgered.start();
    sessions = createSessionRepository(store, LIMITS, ledgered);
    const at = Date.now();
    const before = await sessions.create({ sub: 'u2', username: 'bo' }, at - 5_000);
    await ledgered.record(
      { kind: 'subject', sub: 'u2', notBefore: Math.ceil(at / 1000), expiresAt: at + HOUR },
      at,
    );
    const after = await sessions.create({ sub: 'u2', username: 'bo' }, at + 2_000);
    expect(await sessions.find(before.sid, at + 2_000)).toBeNull();
    expect(await sessions.find(after.sid, at + 2_000)).not.toBeNull();
  });

  it('a user revoked everywhere: each session is ended and recorded, not only hidden', async () => {
    const ledgered = durable();
    await ledgered.start();
    sessions = createSessionRepository(store, LIMITS, ledgered);
    const revoker = createRevoker({
      store,
      sessions,
      logger: silentLogger,
      now: Date.now,
      retentionMs: HOUR,
      durable: ledgered,
    });
    const made = [
      await sessions.create({ sub: 'u7', username: 'di' }, Date.now() - 2_000),
      await sessions.create({ sub: 'u7', username: 'di' }, Date.now() - 1_000),
    ];
    expect(await revoker.revokeUser('u7', 'admin')).toBe(2);
    const members = await store.setMembers(revocationKeys.set);
    for (const { sid } of made) {
      expect(await store.get(storeKeys.session(sid))).toBeNull();
      expect(members.has(`sid:${sid}`)).toBe(true);
    }
  });

  it('learns the revocations of other instances from their notice, and from the ledger', async () => {
    const a = durable();
    const b = durable();
    await Promise.all([a.start(), b.start()]);
    const someone = { sub: 'u3', createdAt: Date.now() };
    await a.record(revocationOf('by-notice'), Date.now());
    await expect.poll(() => b.covers({ sid: 'by-notice', ...someone }, Date.now())).toBe(true);

    // A notice lost on the way: only the ledger has it, and the delta read finds it.
    await createRevocationLedger(db).record(
      revocationOf('by-ledger'),
      Date.now(),
      Date.now() + HOUR,
    );
    expect(b.covers({ sid: 'by-ledger', ...someone }, Date.now())).toBe(false);
    await b.poll();
    expect(b.covers({ sid: 'by-ledger', ...someone }, Date.now())).toBe(true);
  });

  it('loads the ledger at start: a new instance refuses what was revoked before it', async () => {
    await durable().record(revocationOf('earlier'), Date.now());
    const later = durable();
    await later.start();
    expect(later.covers({ sid: 'earlier', sub: 'u4', createdAt: 0 }, Date.now())).toBe(true);
    expect(later.size).toBe(1);
  });

  it('loads a ledger longer than one batch whole before it starts', async () => {
    const ledger = createRevocationLedger(db);
    const at = Date.now();
    // One multi-row statement instead of 2,100 round trips.
    await db.query(
      `INSERT INTO revocations (member, kind, expires_at, keep_until, revoked_at)
       SELECT 'sid:bulk-' || n, 'session', $1, $1, $2 FROM generate_series(1, 2100) AS n`,
      [new Date(at + HOUR), new Date(at)],
    );
    expect((await ledger.unexpired(at)).length).toBe(2100);
    const later = durable();
    await later.start();
    expect(later.size).toBe(2100);
    expect(later.covers({ sid: 'bulk-2100', sub: 'u8', createdAt: 0 }, at)).toBe(true);
  });

  it('puts Redis right when the marker is behind the ledger, and asks SDKs to reload', async () => {
    const ledgered = durable();
    await ledgered.start();
    sessions = createSessionRepository(store, LIMITS, ledgered);
    const session = await sessions.create({ sub: 'u5', username: 'cy' }, Date.now());
    const raw = (await store.get(storeKeys.session(session.sid)))!;
    await ledgered.record(revocationOf(session.sid), Date.now());
    expect(Number(await store.get(revocationKeys.applied))).toBeGreaterThan(0);

    const notices: string[] = [];
    await store.subscribe(revocationKeys.channel, (message) => notices.push(message));
    await restoreSnapshot(session, raw);
    // The first check notes what Redis must have by the next one; the second finds it behind.
    await ledgered.checkMarker();
    await ledgered.checkMarker();
    expect((await store.setMembers(revocationKeys.set)).has(`sid:${session.sid}`)).toBe(true);
    expect(await store.get(storeKeys.session(session.sid))).toBeNull();
    await expect.poll(() => notices).toContain(encodeRevocationReloadNotice());

    // Caught up: the next checks find nothing to do.
    notices.length = 0;
    await ledgered.checkMarker();
    await ledgered.checkMarker();
    await new Promise((resolve) => setImmediate(resolve));
    expect(notices).toEqual([]);
  });

  it('puts Redis right when it comes back empty (no marker at all)', async () => {
    const ledgered = durable();
    await ledgered.start();
    await ledgered.record(revocationOf('before-flush'), Date.now());
    await ledgered.checkMarker();
    await store.delete(revocationKeys.set, revocationKeys.applied);
    await ledgered.checkMarker();
    expect((await store.setMembers(revocationKeys.set)).has('sid:before-flush')).toBe(true);
  });

  it('writes nothing to Redis when PostgreSQL does not take the revocation', async () => {
    const down: Database = {
      ...db,
      query: () => Promise.reject(new DatabaseUnavailableError('database down')),
    };
    const ledgered = durable({ ledger: createRevocationLedger(down) });
    await expect(ledgered.record(revocationOf('lost'), Date.now())).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    expect(await store.setMembers(revocationKeys.set)).toEqual(new Map());
  });

  it('a revocation whose Redis half failed is put into Redis by the next tick', async () => {
    let failNext = true;
    const flaky: Store = {
      ...store,
      addToSet: (key, member, expiresAt) => {
        if (failNext && key === revocationKeys.set) {
          failNext = false;
          return Promise.reject(new StoreUnavailableError('Redis addToSet failed'));
        }
        return store.addToSet(key, member, expiresAt);
      },
    };
    const ledgered = durable({ store: flaky, pollIntervalMs: 20 });
    await ledgered.start();
    await expect(ledgered.record(revocationOf('half-done'), Date.now())).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect((await store.setMembers(revocationKeys.set)).has('sid:half-done')).toBe(false);
    await expect
      .poll(async () => (await store.setMembers(revocationKeys.set)).has('sid:half-done'))
      .toBe(true);
  });

  it('publishes nothing and fails closed when too few replicas acknowledge', async () => {
    const unreplicated: Store = {
      ...store,
      waitForReplicas: () => Promise.resolve(0),
      durable: () => unreplicated,
    };
    const notices: string[] = [];
    await store.subscribe(revocationKeys.channel, (message) => notices.push(message));
    const ledgered = durable({
      store: unreplicated,
      replication: { replicas: 1, timeoutMs: 100 },
    });
    const rejected = ledgered.record(revocationOf('unreplicated'), Date.now());
    await expect(rejected).rejects.toBeInstanceOf(ReplicationTimeoutError);
    await expect(rejected).rejects.toMatchObject({ code: 'ERR_STORE_NOT_REPLICATED' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(notices).toEqual([]);
    // Durable already, and refused by this instance: a failover cannot bring it back.
    expect(ledgered.covers({ sid: 'unreplicated', sub: 'u6', createdAt: 0 }, Date.now())).toBe(
      true,
    );
  });
});
