import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { newOpaqueToken } from '../tokens/opaque-token.js';
import { acrForAmr } from './assurance.js';

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
  /**
   * The browser's `User-Agent` at login (at most {@link MAX_USER_AGENT} characters), for the
   * account page's list of devices. What the browser said, never trusted: escape it to show it.
   */
  readonly userAgent?: string;
  /** The client address at login (http/client-address.ts), for the same list. */
  readonly address?: string;
  /**
   * SHA-256 of the CSRF token of the IdP's own pages (the account page) in this session; the
   * browser holds the token in a cookie (login/csrf-cookie.ts). Set on the first such page.
   */
  readonly pageCsrfDigest?: string;
  /**
   * How the user authenticated, RFC 8176 values (`pwd`, `otp`, `mfa`, `hwk`…), for the ID
   * token's `amr` (OIDC Core §2). Absent from sessions stored before second factors existed:
   * those were password logins (see `sessionAmr`).
   */
  readonly amr?: readonly string[];
  /** The assurance level those methods reach, for the ID token's `acr` (see `sessionAcr`). */
  readonly acr?: string;
}

/** How a user just authenticated: RFC 8176 `amr` values. */
export interface Authentication {
  readonly amr: readonly string[];
}

/** Password only: every session stored before `amr` existed was made this way. */
export const PASSWORD_AUTHENTICATION: Authentication = { amr: ['pwd'] };

/** The session's `amr`; a session stored before the field existed was a password login. */
export function sessionAmr(session: Pick<Session, 'amr'>): readonly string[] {
  return session.amr ?? PASSWORD_AUTHENTICATION.amr;
}

/** The session's `acr`, derived from its `amr` when stored before the field existed. */
export function sessionAcr(session: Pick<Session, 'amr' | 'acr'>): string {
  return session.acr ?? acrForAmr(sessionAmr(session));
}

/** Where a login came from: shown on the account page, nothing decides on it. */
export interface LoginDevice {
  userAgent?: string | undefined;
  address?: string | undefined;
}

/** Enough for any real browser's User-Agent; more is someone filling the store. */
export const MAX_USER_AGENT = 512;

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
  create(
    user: { sub: string; username: string },
    nowMs: number,
    device?: LoginDevice,
    authentication?: Authentication,
  ): Promise<Session>;
  /** The live session, or null when it is unknown, idle too long or past its limit. */
  find(sid: string, nowMs: number): Promise<Session | null>;
  /** Records activity (moves the idle limit), at most once a minute. Returns the session. */
  touch(session: Session, nowMs: number): Promise<Session>;
  /**
   * The same user proved who they are again in a live session (`prompt=login`, `max_age`):
   * records the new `authTime` and keeps the `sid`, so the tokens other applications hold
   * for this session stay valid. When the session ended meanwhile (logout, expiry, admin),
   * starts a new one for the user instead: a password just checked is never wasted, and an
   * ended session is never written back. The session's `amr`/`acr` become those of this
   * authentication (default: password only); a step-up passes what it adds to what the
   * session already had (login/second-factor-step.ts).
   */
  reauthenticate(
    session: Session,
    nowMs: number,
    authentication?: Authentication,
  ): Promise<Session>;
  /** Removes the session; true when it existed. Does not revoke tokens: see Revoker. */
  remove(session: Pick<Session, 'sid' | 'sub'>): Promise<boolean>;
  /** The user's live sessions, oldest first. */
  listForUser(sub: string, nowMs: number): Promise<Session[]>;
  /**
   * Notes that the session issued a code to `clientId` (the apps signed in through it). A set
   * in the store, added to in one step: two apps signing in at once both stay listed, as a
   * read-modify-write of the session record could not promise. Kept as long as the session.
   */
  addClient(
    session: Pick<Session, 'sid' | 'sub' | 'expiresAt' | 'lastSeenAt'>,
    clientId: string,
  ): Promise<void>;
  /** The client ids the session issued codes to, in no particular order. */
  clientsOf(sid: string): Promise<string[]>;
  /**
   * Stores the digest of the session's page CSRF token, unless the session ended; returns the
   * session as stored, or null when it is gone.
   */
  bindPageCsrf(session: Session, digest: string, nowMs: number): Promise<Session | null>;
}

/**
 * What the durable record of revocations says (revocations/): a session Redis still holds,
 * because it was restored from a snapshot taken before the session was revoked, is revoked
 * all the same. Answered from memory: it is asked on every lookup.
 */
export interface RevokedSessions {
  covers(session: Pick<Session, 'sid' | 'sub' | 'createdAt'>, nowMs: number): boolean;
}

export function createSessionRepository(
  store: Store,
  limits: SessionLimits,
  revoked?: RevokedSessions,
): SessionRepository {
  const endsAt = (session: Session): number =>
    Math.min(session.lastSeenAt + limits.idleTtlMs, session.expiresAt);
  const ttlFor = (session: Session, nowMs: number): number => endsAt(session) - nowMs;
  /**
   * The index the active-sessions gauge counts (storeKeys.liveSessions), moved with each
   * session's own deadline. One more write per login, touch (at most once a minute) and
   * logout buys a count in O(log n) at scrape time; the alternatives were worse: SCAN walks
   * every key of the store (codes, limits, refresh families) on each scrape, and a counter
   * kept in process memory is wrong with several instances, after a restart, and for every
   * session that ends by expiring rather than by logout.
   */
  const index = (session: Session): Promise<void> =>
    store.addToSet(storeKeys.liveSessions, session.sid, endsAt(session));

  async function find(sid: string, nowMs: number): Promise<Session | null> {
    if (sid === '' || sid.length > 100) return null;
    const raw = await store.get(storeKeys.session(sid));
    const session = raw === null ? null : parseSession(raw);
    if (!session || session.sid !== sid) return null;
    if (revoked?.covers(session, nowMs)) return null;
    // The store's TTL enforces both limits; checking again here keeps an injected clock and
    // a store with a drifting clock honest.
    return ttlFor(session, nowMs) > 0 ? session : null;
  }

  async function create(
    user: { sub: string; username: string },
    nowMs: number,
    device: LoginDevice = {},
    authentication: Authentication = PASSWORD_AUTHENTICATION,
  ): Promise<Session> {
    const session: Session = {
      sid: newOpaqueToken(),
      sub: user.sub,
      username: user.username,
      authTime: Math.floor(nowMs / 1000),
      authTimeMs: nowMs,
      createdAt: nowMs,
      expiresAt: nowMs + limits.maxTtlMs,
      lastSeenAt: nowMs,
      ...(device.userAgent && { userAgent: device.userAgent.slice(0, MAX_USER_AGENT) }),
      ...(device.address && { address: device.address }),
      ...assurance(authentication),
    };
    // The indexes first: a session missing from them could not be listed or revoked by user,
    // nor counted; an index entry without its session is harmless and expires with it.
    await store.addToSet(storeKeys.userSessions(user.sub), session.sid, session.expiresAt);
    await index(session);
    await store.set(storeKeys.session(session.sid), JSON.stringify(session), {
      ttlMs: ttlFor(session, nowMs),
    });
    return session;
  }

  /**
   * Writes `change(current)` with compare-and-set; one that loses to a concurrent write (a
   * touch) is retried against what is stored now. Null when the session ended meanwhile.
   */
  async function update(
    session: Session,
    nowMs: number,
    change: (current: Session) => Session,
  ): Promise<Session | null> {
    let current: Session | null = session;
    for (let attempt = 0; current !== null && attempt < 3; attempt += 1) {
      const updated = change(current);
      const ttlMs = ttlFor(updated, nowMs);
      if (ttlMs <= 0) return null;
      const written = await store.compareAndSet(
        storeKeys.session(current.sid),
        JSON.stringify(current),
        JSON.stringify(updated),
        { ttlMs },
      );
      if (written) {
        await index(updated);
        return updated;
      }
      current = await find(current.sid, nowMs);
    }
    return null;
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
      const written = await store.compareAndSet(
        storeKeys.session(session.sid),
        JSON.stringify(session),
        JSON.stringify(updated),
        { ttlMs },
      );
      if (written) await index(updated);
      return updated;
    },

    async reauthenticate(session, nowMs, authentication = PASSWORD_AUTHENTICATION) {
      const updated = await update(session, nowMs, (current) => ({
        ...current,
        authTime: Math.floor(nowMs / 1000),
        authTimeMs: nowMs,
        lastSeenAt: nowMs,
        ...assurance(authentication),
      }));
      const device = { userAgent: session.userAgent, address: session.address };
      const user = { sub: session.sub, username: session.username };
      return updated ?? create(user, nowMs, device, authentication);
    },

    bindPageCsrf: (session, digest, nowMs) =>
      update(session, nowMs, (current) => ({ ...current, pageCsrfDigest: digest })),

    async remove(session) {
      const removed = await store.delete(storeKeys.session(session.sid));
      await store.removeFromSet(storeKeys.userSessions(session.sub), session.sid);
      await store.removeFromSet(storeKeys.liveSessions, session.sid);
      // Its own call: under Redis Cluster the two keys need not share a slot.
      await store.delete(storeKeys.sessionClients(session.sid));
      return removed > 0;
    },

    addClient: (session, clientId) =>
      store.addToSet(storeKeys.sessionClients(session.sid), clientId, session.expiresAt),

    async clientsOf(sid) {
      return [...(await store.setMembers(storeKeys.sessionClients(sid))).keys()];
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

function assurance(authentication: Authentication): { amr: string[]; acr: string } {
  const amr = [...new Set(authentication.amr)];
  return { amr, acr: acrForAmr(amr) };
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
      typeof value.lastSeenAt === 'number' &&
      (value.userAgent === undefined || typeof value.userAgent === 'string') &&
      (value.address === undefined || typeof value.address === 'string') &&
      (value.pageCsrfDigest === undefined || typeof value.pageCsrfDigest === 'string') &&
      (value.amr === undefined ||
        (Array.isArray(value.amr) && value.amr.every((item) => typeof item === 'string'))) &&
      (value.acr === undefined || typeof value.acr === 'string'),
  );
}
