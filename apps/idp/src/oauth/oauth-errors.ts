import type { HttpProblem } from '../http/http-problem.js';

/**
 * OAuth 2.0 errors (RFC 6749 §5.2, RFC 7009, RFC 7662, RFC 8707): one class per `error`
 * code, each knowing its HTTP status. The error handler turns them into the standard JSON
 * body; `error_description` is always safe to show to the client.
 */
export class OAuthError extends Error implements HttpProblem {
  readonly headers: Record<string, string>;
  /**
   * What the server knows and the client must not (which check refused, not only that one
   * did): written to the audit trail, never sent. See `withDetail`.
   */
  detail?: string;
  constructor(
    readonly error: string,
    readonly status: number,
    readonly description: string,
    headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
    this.headers = headers;
  }

  /** Adds the server-side detail; returns the error, to throw in one expression. */
  withDetail(detail: string): this {
    this.detail = detail;
    return this;
  }

  /** Every description here is written for the client (see above). */
  get expose(): boolean {
    return true;
  }
}

export class InvalidRequestError extends OAuthError {
  constructor(description: string, status = 400) {
    super('invalid_request', status, description);
  }
}

export class InvalidClientError extends OAuthError {
  /** The client_id the request named, for the audit trail; the caller's text, untrusted. */
  presentedClientId?: string;
  /** `basicUsed`: RFC 6749 §5.2 asks for 401 with a matching WWW-Authenticate challenge. */
  constructor(description: string, basicUsed: boolean) {
    super(
      'invalid_client',
      401,
      description,
      basicUsed ? { 'WWW-Authenticate': 'Basic realm="latchkey", charset="UTF-8"' } : {},
    );
  }
}

export class InvalidGrantError extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', 400, description);
  }
}

export class UnauthorizedClientError extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', 400, description);
  }
}

export class UnsupportedGrantTypeError extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', 400, description);
  }
}

export class InvalidScopeError extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', 400, description);
  }
}

/** RFC 8707 §2: the requested resource is unknown or not allowed for this client. */
export class InvalidTargetError extends OAuthError {
  constructor(description: string) {
    super('invalid_target', 400, description);
  }
}

export class TemporarilyUnavailableError extends OAuthError {
  constructor(description: string, retryAfterSec = 1) {
    super('temporarily_unavailable', 503, description, { 'Retry-After': String(retryAfterSec) });
  }
}

/**
 * Too many requests (RFC 6585 §4): 429 with Retry-After. RFC 6749 has no token-endpoint code
 * for this; `temporarily_unavailable` is the registered code whose meaning ("temporary
 * overloading") fits and which clients already treat as "retry later". Not RFC 8628's
 * `slow_down`, an instruction to a device-flow poller, nor Auth0's unregistered
 * `too_many_requests`. The status and Retry-After carry the rate-limit meaning.
 */
export class TooManyRequestsError extends OAuthError {
  constructor(description: string, retryAfterSec: number) {
    super('temporarily_unavailable', 429, description, { 'Retry-After': String(retryAfterSec) });
  }
}
