import { storeKeys } from '@latchkey/protocol';
import { safeReturnPath } from '../../http/return-path.js';
import type { Store } from '../../store/store.js';
import { parseStoredRecord } from '../../store/stored-record.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../../tokens/opaque-token.js';
import type { AuthorizationRequest } from './authorization-request.js';

/** How long a person has to complete the login form. */
export const PENDING_AUTHORIZATION_TTL_MS = 10 * 60_000;

/**
 * A login the IdP's own pages asked for (the account page), rather than an application: no
 * code is issued, the browser goes back to `returnTo` on this host.
 */
export interface PageLogin {
  /** A path on this host (http/return-path.ts), checked when stored and again when followed. */
  readonly returnTo: string;
  /**
   * Asked because a sensitive action needs a recent login (sessions/recent-login.ts): the form
   * says "confirm it is you" and shows the username it expects.
   */
  readonly reauth: boolean;
  readonly loginHint?: string;
  /** The language of the page that asked, so the form speaks it too. */
  readonly uiLocale?: string;
}

interface PendingBase {
  readonly id: string;
  /**
   * SHA-256 of the login form's CSRF token, which the browser also holds in a cookie: the
   * form can be submitted only by the browser that was shown it (no login CSRF).
   */
  readonly csrfDigest: string | null;
  /**
   * Set when the record waits for a consent page's answer instead of a login (consent/):
   * the `sid` of the session that was shown the page. The answer counts only from that same
   * session, so a consent page cannot be answered from another browser or after a change of
   * user.
   */
  readonly consentSid?: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * A login waiting for the form: an application's authorization request, or a login one of
 * the IdP's own pages asked for (exactly one of `request` and `page`). Its id travels in the
 * login page's URL and form; it stands for no credential (a code or a session is granted only
 * after the password), but it is random and single use all the same.
 */
export type PendingAuthorization =
  | (PendingBase & { readonly request: AuthorizationRequest; readonly page?: undefined })
  | (PendingBase & { readonly page: PageLogin; readonly request?: undefined });

export interface PendingAuthorizations {
  /** With `consentSid`, a request waiting for the consent page of that session. */
  create(
    request: AuthorizationRequest,
    nowMs: number,
    consentSid?: string,
  ): Promise<PendingAuthorization>;
  /** A login for one of the IdP's own pages; rejects a `returnTo` that is not one of them. */
  createForPage(page: PageLogin, nowMs: number): Promise<PendingAuthorization>;
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
  const save = async (pending: PendingAuthorization): Promise<PendingAuthorization> => {
    await store.set(storeKeys.pendingAuthorization(pending.id), JSON.stringify(pending), {
      ttlMs: PENDING_AUTHORIZATION_TTL_MS,
    });
    return pending;
  };
  const fresh = (nowMs: number) => ({
    id: newOpaqueToken(),
    csrfDigest: null,
    expiresAt: nowMs + PENDING_AUTHORIZATION_TTL_MS,
  });
  return {
    create: (request, nowMs, consentSid) =>
      save({ ...fresh(nowMs), request, ...(consentSid !== undefined && { consentSid }) }),

    async createForPage(page, nowMs) {
      const returnTo = safeReturnPath(page.returnTo);
      if (returnTo === null) throw new TypeError('returnTo must be one of the IdP pages');
      return save({ ...fresh(nowMs), page: { ...page, returnTo } });
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
    const { request, page } = value;
    const base =
      typeof value.id === 'string' &&
      typeof value.expiresAt === 'number' &&
      (value.csrfDigest === null || typeof value.csrfDigest === 'string') &&
      (value.consentSid === undefined || typeof value.consentSid === 'string');
    if (!base) return false;
    if (page !== undefined) {
      return (
        request === undefined &&
        safeReturnPath(page?.returnTo) !== null &&
        typeof page.reauth === 'boolean' &&
        (page.loginHint === undefined || typeof page.loginHint === 'string') &&
        (page.uiLocale === undefined || typeof page.uiLocale === 'string')
      );
    }
    return (
      typeof request?.clientId === 'string' &&
      typeof request.redirectUri === 'string' &&
      typeof request.codeChallenge === 'string' &&
      Array.isArray(request.scope) &&
      Array.isArray(request.resources) &&
      Array.isArray(request.prompt)
    );
  });
}
