import { IdpUnavailableError, TokenRequestError } from '../errors.js';
import type { ResolvedNextOptions } from './options.js';

/** What a successful token response (RFC 6749 §5.1) must carry for a Latchkey app. */
export interface TokenSet {
  accessToken: string;
  /** Absent when the IdP issued none; then the session ends with the access token. */
  refreshToken: string | undefined;
  /** Present on a code redemption; a refresh may omit it (OIDC Core §12.2). */
  idToken: string | undefined;
}

export type TokenClient = (params: Record<string, string>) => Promise<TokenSet>;

const TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Calls the IdP's token endpoint as a confidential client. Throws TokenRequestError when the
 * IdP refuses (4xx with an RFC 6749 §5.2 body), IdpUnavailableError when it cannot answer.
 */
export function createTokenClient(options: ResolvedNextOptions): TokenClient {
  // RFC 6749 §2.3.1: the id and secret are form-encoded before they are Basic-encoded.
  const basic = Buffer.from(
    `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`,
  ).toString('base64');

  return async (params) => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(options.tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(params),
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await response.text();
    } catch (cause) {
      throw new IdpUnavailableError('the token endpoint could not be reached', { cause });
    }
    if (text.length > MAX_RESPONSE_BYTES) {
      throw new IdpUnavailableError('the token endpoint answered with an oversized body');
    }
    const body = parseObject(text);
    if (response.status >= 500 || response.status === 429) {
      throw new IdpUnavailableError(`the token endpoint answered ${response.status}`);
    }
    if (!response.ok) {
      const error = typeof body?.error === 'string' ? body.error : 'invalid_response';
      throw new TokenRequestError(error, response.status);
    }
    const accessToken = body?.access_token;
    if (typeof accessToken !== 'string' || String(body?.token_type).toLowerCase() !== 'bearer') {
      throw new TokenRequestError('invalid_response', response.status, 'no bearer access token');
    }
    return {
      accessToken,
      refreshToken: optionalString(body?.refresh_token),
      idToken: optionalString(body?.id_token),
    };
  };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
