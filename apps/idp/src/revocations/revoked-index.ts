import type { DurableRevocation } from './revocation-ledger.js';

/**
 * The durable revocations in process memory, for the hot path: a session Redis still shows
 * (restored from an old snapshot) but the ledger says is revoked must count as revoked, and
 * asking PostgreSQL on every request would put it on the path of every token. Filled from the
 * ledger at start, then by this instance's revocations at once, other instances' notices and
 * the ledger's delta poll (durable-revocations.ts). Forgets an entry once it expired.
 */
export class RevokedIndex {
  /** sid → expiry (epoch ms). */
  readonly #sessions = new Map<string, number>();
  /** sub → the latest "not before" (epoch s) and when it may be forgotten (epoch ms). */
  readonly #subjects = new Map<string, { notBefore: number; expiresAt: number }>();

  /** `keepUntil`: epoch ms until which the revocation still counts (the ledger's). */
  add(revocation: DurableRevocation, keepUntil: number): void {
    const until = Math.max(keepUntil, revocation.expiresAt);
    if (revocation.kind === 'session') {
      const known = this.#sessions.get(revocation.sid) ?? 0;
      this.#sessions.set(revocation.sid, Math.max(known, until));
      return;
    }
    const known = this.#subjects.get(revocation.sub);
    this.#subjects.set(revocation.sub, {
      notBefore: Math.max(known?.notBefore ?? 0, revocation.notBefore),
      expiresAt: Math.max(known?.expiresAt ?? 0, until),
    });
  }

  /**
   * Whether the session is revoked: its own `sid`, or its subject revoked (every session
   * started before the "not before" second).
   */
  covers(session: { sid: string; sub: string; createdAt: number }, nowMs: number): boolean {
    const sessionUntil = this.#sessions.get(session.sid);
    if (sessionUntil !== undefined && sessionUntil > nowMs) return true;
    const subject = this.#subjects.get(session.sub);
    return (
      subject !== undefined &&
      subject.expiresAt > nowMs &&
      session.createdAt < subject.notBefore * 1000
    );
  }

  /** Drops what expired; what the periodic tasks call. */
  sweep(nowMs: number): void {
    for (const [sid, expiresAt] of this.#sessions) {
      if (expiresAt <= nowMs) this.#sessions.delete(sid);
    }
    for (const [sub, { expiresAt }] of this.#subjects) {
      if (expiresAt <= nowMs) this.#subjects.delete(sub);
    }
  }

  get size(): number {
    return this.#sessions.size + this.#subjects.size;
  }
}
