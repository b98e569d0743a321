import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { newOpaqueToken } from '../tokens/opaque-token.js';

/**
 * The IdP (single sign-on) session: who logged in and when. It lives only in the store, under
 * an opaque random `sid` that every token issued in it carries, so ending it (logout, admin,
 * refresh-token reuse) can revoke all of them.
 */
export interface Session {
  readonly sid: string;
  readonly sub: string;
  readonly username: string;
  /** When the user last proved who they are (password), epoch seconds: OIDC `auth_time`. */
  readonly authTime: number;
  /**
   * The same moment in epoch ms, for `max_age` (OIDC Core §3.1.2.1): compared in whole
   * seconds, a login 1.5 s old could pass `max_age=1`. Absent from sessions stored before it
   * existed; see `authenticatedAtMs`.
   */
  readonly authTimeMs?: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms; the absolute limit (SESSION_MAX_TTL), whatever the activity. */
  readonly expiresAt: number;
  /** Epoch ms of the last recorded activity; the idle limit counts from here. */
  readonly lastSeenAt: number;
}

/**
 * When the session's user last authenticated, epoch ms. A session stored before `authTimeMs`
 * existed has only whole seconds, rounded down: it reads as up to 1 s older than it is, so
 * `max_age` errs towards asking for the password again, never towards skipping it.
 */
export function authenticatedAtMs(session: Pick<Session, 'authTime' | 'authTimeMs'>): number {
  return session.authTimeMs ?? session.authTime * 1000;
}

export interface SessionLimits {
  idleTtlMs: number;
  maxTtlMs: number;
}

/** Activity is written at most this often: one store write per request would be wasteful. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionRepository {
  /** Starts a session with a fresh random `sid` (never a presented one: no fixation). */
  create(user: { sub: string; username: string }, nowMs: number): Promise<Session>;
  /** The live session, or null when it is unknown, idle too long or past its limit. */
  find(sid: string, nowMs: number): Promise<Session | null>;
  /** Records activity (moves the idle limit), at most once a minute. Returns the session. */
  touch(session: Session, nowMs: number): Promise<Session>;
  /**
   * The same user proved who they are again in a live session (`prompt=login`, `max_age`):
   * records the new `authTime` and keeps the `sid`, so the tokens other applications hold
   * for this session stay valid. When the session ended meanwhile (logout, expiry, admin),
   * starts a new one for the user instead: a password just checked is never wasted, and an
   * ended session is never written back.
   */
  reauthenticate(session: Session, nowMs: number): Promise<Session>;
  /** Removes the session; true when it existed. Does not revoke tokens: see Revoker. */
  remove(session: Pick<Session, 'sid' | 'sub'>): Promise<boolean>;
  /** The user's live sessions, oldest first. */
  listForUser(sub: string, nowMs: number): Promise<Session[]>;
}

export function createSessionRepository(store: Store, limits: SessionLimits): SessionRepository {
  const ttlFor = (session: Session, nowMs: number): number =>
    Math.min(session.lastSeenAt + limits.idleTtlMs, session.expiresAt) - nowMs;

  async function find(sid: string, nowMs: number): Promise<Session | null> {
    if (sid === '' || sid.length > 100) return null;
    const raw = await store.get(storeKeys.session(sid));
    const session = raw === null ? null : parseSession(raw);
    if (!session || session.sid !== sid) return null;
    // The store's TTL enforces both limits; checking again here keeps an injected clock and
    // a store with a drifting clock honest.
    return ttlFor(session, nowMs) > 0 ? session : null;
  }

  async function create(user: { sub: string; username: string }, nowMs: number): Promise<Session> {
    const session: Session = {
      sid: newOpaqueToken(),
      sub: user.sub,
      username: user.username,
      authTime: Math.floor(nowMs / 1000),
      authTimeMs: nowMs,
      createdAt: nowMs,
      expiresAt: nowMs + limits.maxTtlMs,
      lastSeenAt: nowMs,
    };
    // The index first: a session missing from it could not be listed or revoked by user;
    // an index entry without its session is harmless and expires with it.
    await store.addToSet(storeKeys.userSessions(user.sub), session.sid, session.expiresAt);
    await store.set(storeKeys.session(session.sid), JSON.stringify(session), {
      ttlMs: ttlFor(session, nowMs),
    });
    return session;
  }

  return {
    create,
    find,

    async touch(session, nowMs) {
      if (nowMs - session.lastSeenAt < TOUCH_EVERY_MS) return session;
      const updated: Session = { ...session, lastSeenAt: nowMs };
      const ttlMs = ttlFor(updated, nowMs);
      if (ttlMs <= 0) return session;
      // Compare-and-set, so a session removed meanwhile (logout) is never written back.
      await store.compareAndSet(
        storeKeys.session(session.sid),
        JSON.stringify(session),
        JSON.stringify(updated),
        { ttlMs },
      );
      return updated;
    },

    async reauthenticate(session, nowMs) {
      let current: Session | null = session;
      // A compare-and-set that loses to a concurrent touch is retried against what is stored
      // now; one that finds nothing stored means the session ended.
      for (let attempt = 0; current !== null && attempt < 3; attempt += 1) {
        const updated: Session = {
          ...current,
          authTime: Math.floor(nowMs / 1000),
          authTimeMs: nowMs,
          lastSeenAt: nowMs,
        };
        const ttlMs = ttlFor(updated, nowMs);
        if (ttlMs <= 0) break;
        const written = await store.compareAndSet(
          storeKeys.session(current.sid),
          JSON.stringify(current),
          JSON.stringify(updated),
          { ttlMs },
        );
        if (written) return updated;
        current = await find(current.sid, nowMs);
      }
      return create({ sub: session.sub, username: session.username }, nowMs);
    },

    async remove(session) {
      const removed = await store.delete(storeKeys.session(session.sid));
      await store.removeFromSet(storeKeys.userSessions(session.sub), session.sid);
      return removed > 0;
    },

    async listForUser(sub, nowMs) {
      const sids = await store.setMembers(storeKeys.userSessions(sub));
      const sessions = await Promise.all([...sids.keys()].map((sid) => find(sid, nowMs)));
      return sessions
        .filter((session): session is Session => session !== null && session.sub === sub)
        .sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}

function parseSession(raw: string): Session | null {
  return parseStoredRecord<Session>(
    raw,
    (value) =>
      typeof value.sid === 'string' &&
      typeof value.sub === 'string' &&
      typeof value.username === 'string' &&
      typeof value.authTime === 'number' &&
      (value.authTimeMs === undefined || typeof value.authTimeMs === 'number') &&
      typeof value.createdAt === 'number' &&
      typeof value.expiresAt === 'number' &&
      typeof value.lastSeenAt === 'number',
  );
}
