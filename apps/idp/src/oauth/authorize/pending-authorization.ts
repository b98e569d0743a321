import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../../store/store.js';
import { parseStoredRecord } from '../../store/stored-record.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../../tokens/opaque-token.js';
import type { AuthorizationRequest } from './authorization-request.js';

/** How long a person has to complete the login form. */
export const PENDING_AUTHORIZATION_TTL_MS = 10 * 60_000;

/**
 * An authorization request waiting for the user to log in. Its id travels in the login page's
 * URL and form; it stands for no credential (the code is issued only after the password),
 * but it is random and single use all the same.
 */
export interface PendingAuthorization {
  readonly id: string;
  readonly request: AuthorizationRequest;
  /**
   * SHA-256 of the login form's CSRF token, which the browser also holds in a cookie: the
   * form can be submitted only by the browser that was shown it (no login CSRF).
   */
  readonly csrfDigest: string | null;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface PendingAuthorizations {
  create(request: AuthorizationRequest, nowMs: number): Promise<PendingAuthorization>;
  find(id: string, nowMs: number): Promise<PendingAuthorization | null>;
  /** Replaces the CSRF digest, unless the record changed or went meanwhile. */
  bindCsrf(pending: PendingAuthorization, csrfDigest: string, nowMs: number): Promise<boolean>;
  /** Removes and returns the record: of concurrent logins, one completes it. */
  take(id: string, nowMs: number): Promise<PendingAuthorization | null>;
}

export function createPendingAuthorizations(store: Store): PendingAuthorizations {
  const live = (raw: string | null, id: string, nowMs: number) => {
    const pending = raw === null ? null : parse(raw);
    return pending && pending.id === id && pending.expiresAt > nowMs ? pending : null;
  };
  return {
    async create(request, nowMs) {
      const pending: PendingAuthorization = {
        id: newOpaqueToken(),
        request,
        csrfDigest: null,
        expiresAt: nowMs + PENDING_AUTHORIZATION_TTL_MS,
      };
      await store.set(storeKeys.pendingAuthorization(pending.id), JSON.stringify(pending), {
        ttlMs: PENDING_AUTHORIZATION_TTL_MS,
      });
      return pending;
    },

    async find(id, nowMs) {
      if (!looksLikeOpaqueToken(id)) return null;
      return live(await store.get(storeKeys.pendingAuthorization(id)), id, nowMs);
    },

    async bindCsrf(pending, csrfDigest, nowMs) {
      const ttlMs = pending.expiresAt - nowMs;
      if (ttlMs <= 0) return false;
      return store.compareAndSet(
        storeKeys.pendingAuthorization(pending.id),
        JSON.stringify(pending),
        JSON.stringify({ ...pending, csrfDigest }),
        { ttlMs },
      );
    },

    async take(id, nowMs) {
      if (!looksLikeOpaqueToken(id)) return null;
      return live(await store.take(storeKeys.pendingAuthorization(id)), id, nowMs);
    },
  };
}

function parse(raw: string): PendingAuthorization | null {
  return parseStoredRecord<PendingAuthorization>(raw, (value) => {
    const { request } = value;
    return (
      typeof value.id === 'string' &&
      typeof value.expiresAt === 'number' &&
      (value.csrfDigest === null || typeof value.csrfDigest === 'string') &&
      typeof request?.clientId === 'string' &&
      typeof request.redirectUri === 'string' &&
      typeof request.codeChallenge === 'string' &&
      Array.isArray(request.scope) &&
      Array.isArray(request.resources) &&
      Array.isArray(request.prompt)
    );
  });
}
