import type { LogoutTokenClaims } from '@latchkey/protocol';
import { TokenInvalidError, VerificationUnavailableError } from '../errors.js';
import type { Verifier } from '../verifier.js';

/**
 * The receiving end of OpenID Connect Back-Channel Logout 1.0 (§2.5–2.8), apart from any
 * framework: `@latchkey/sdk/koa` and `@latchkey/sdk/next` feed it the request and send what
 * it decides, so both answer alike.
 */

/** What the IdP asked to end: one session (`sid`), or every session of a user (`sub` only). */
export interface BackChannelLogoutEvent {
  sub: string | undefined;
  sid: string | undefined;
  /** The verified logout token's claims. */
  claims: LogoutTokenClaims;
}

export interface BackChannelLogoutOptions {
  /**
   * Ends the local session(s) the event names. Called once per accepted token. Should it
   * throw, the IdP is answered 503 so that it tries again (with a fresh token).
   */
  onLogout: (event: BackChannelLogoutEvent) => void | Promise<void>;
  /**
   * Largest request body read, in bytes; a longer one is answered 400 without reading on.
   * Default `16384`: twice the longest token the verifier accepts.
   */
  maxBodyBytes?: number;
}

/** One request, as the adapter sees it. */
export interface LogoutHttpRequest {
  method: string;
  contentType: string | null | undefined;
  contentLength: string | null | undefined;
  /** Reads the body; resolves `undefined` once it exceeds `limit` bytes, without reading on. */
  readBody(limit: number): Promise<Buffer | undefined>;
}

/** What to answer. `failure` is set when `onLogout` threw: for the adapter to log. */
export interface LogoutHttpResponse {
  status: 200 | 400 | 405 | 503;
  headers: Record<string, string>;
  body: string;
  failure?: unknown;
}

export type BackChannelLogoutHandler = (request: LogoutHttpRequest) => Promise<LogoutHttpResponse>;

export const DEFAULT_MAX_LOGOUT_BODY_BYTES = 16_384;
const RETRY_AFTER_SEC = 5;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const FORM = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** Checks the options once (TypeError) and returns the per-request handler. */
export function createBackChannelLogoutHandler(
  verifier: Pick<Verifier, 'verifyLogoutToken'>,
  options: BackChannelLogoutOptions,
): BackChannelLogoutHandler {
  if (typeof verifier?.verifyLogoutToken !== 'function') {
    throw new TypeError('a back-channel logout handler needs a verifier from createVerifier');
  }
  if (typeof options?.onLogout !== 'function') throw new TypeError('onLogout must be a function');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_LOGOUT_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1024) {
    throw new TypeError('maxBodyBytes must be a whole number ≥ 1024');
  }
  const { onLogout } = options;

  return async (request) => {
    // §2.5: the IdP POSTs. Anything else is not a logout request at all.
    if (request.method !== 'POST') {
      const body = { error: 'invalid_request', error_description: 'Use POST' };
      return answer(405, body, { allow: 'POST' });
    }
    if (typeof request.contentType !== 'string' || !FORM.test(request.contentType)) {
      return invalid('The body must be application/x-www-form-urlencoded');
    }
    // Refused before a byte is read when the size is declared, counted while reading when not.
    const declared = Number(request.contentLength ?? 0);
    if (!(declared <= maxBodyBytes)) return invalid('The request body is too large');
    let body: Buffer | undefined;
    try {
      body = await request.readBody(maxBodyBytes);
    } catch {
      return invalid('The request body could not be read');
    }
    if (body === undefined) return invalid('The request body is too large');
    const tokens = new URLSearchParams(body.toString('utf8')).getAll('logout_token');
    if (tokens.length !== 1 || tokens[0] === '') {
      return invalid('The request must carry exactly one logout_token');
    }

    let claims: LogoutTokenClaims;
    try {
      claims = await verifier.verifyLogoutToken(tokens[0]!);
    } catch (error) {
      // §2.8: an invalid logout request is answered 400, the token never echoed back.
      if (error instanceof TokenInvalidError) {
        const replayed = error.code === 'ERR_TOKEN_REPLAYED';
        return invalid(
          replayed ? 'The logout token was already received' : 'The logout token is invalid',
        );
      }
      // Keys or replay cache out of reach: not the IdP's fault, and it retries a 503.
      if (error instanceof VerificationUnavailableError) return unavailable();
      // Anything else is a fault on this side (a verifier without clientId): never a 500.
      return { ...unavailable(), failure: error };
    }
    try {
      await onLogout({ sub: claims.sub, sid: claims.sid, claims });
    } catch (failure) {
      return { ...unavailable(), failure };
    }
    return { status: 200, headers: { ...NO_STORE }, body: '' };
  };
}

/**
 * §2.8: every answer carries `Cache-Control: no-store` (and `Pragma: no-cache` for HTTP/1.0
 * caches, which the OpenID conformance suite looks for too); errors are RFC 6749 JSON.
 */
function answer(
  status: LogoutHttpResponse['status'],
  body: { error: string; error_description: string },
  extra: Record<string, string> = {},
): LogoutHttpResponse {
  return {
    status,
    headers: { ...NO_STORE, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  };
}

function invalid(description: string): LogoutHttpResponse {
  return answer(400, { error: 'invalid_request', error_description: description });
}

function unavailable(): LogoutHttpResponse {
  const description = 'The logout could not be processed right now';
  return answer(
    503,
    { error: 'temporarily_unavailable', error_description: description },
    { 'retry-after': String(RETRY_AFTER_SEC) },
  );
}
