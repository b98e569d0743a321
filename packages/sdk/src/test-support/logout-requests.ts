import { createHmac, createPublicKey } from 'node:crypto';
import { BACKCHANNEL_LOGOUT_EVENT } from '@latchkey/protocol';
import type { Fixture } from './fixture.js';
import { b64 } from './keys.js';
import { logoutClaims, signLogout } from './logout-tokens.js';

/**
 * The bad logout tokens issue 14 names for the RP, shared by the Koa and Next handler tests,
 * and a client that POSTs them the way an IdP does (§2.5). Names in parentheses are the OpenID
 * conformance suite's RP tests for the same case, which expect a 400 with no-store.
 */

export type TokenCase = [name: string, build: (f: Fixture) => Promise<string> | string];

export const BAD_LOGOUT_TOKENS: TokenCase[] = [
  [
    'with nonce (rp-backchannel-rpinitlogout-lt-with-nonce)',
    (f) => signLogout(f, logoutClaims(f, { nonce: 'n-1' })),
  ],
  [
    'without events (rp-backchannel-rpinitlogout-lt-no-event)',
    (f) => signLogout(f, logoutClaims(f, { events: undefined })),
  ],
  [
    'with events lacking the back-channel member (rp-backchannel-rpinitlogout-lt-wrong-event)',
    (f) => signLogout(f, logoutClaims(f, { events: { 'https://example.test/x': {} } })),
  ],
  [
    'with neither sub nor sid',
    (f) => signLogout(f, logoutClaims(f, { sub: undefined, sid: undefined })),
  ],
  [
    'expired',
    (f) => signLogout(f, logoutClaims(f, { iat: f.nowSec() - 300, exp: f.nowSec() - 60 })),
  ],
  [
    'from another issuer (rp-backchannel-rpinitlogout-lt-wrong-issuer)',
    (f) => signLogout(f, logoutClaims(f, { iss: 'https://evil.example' })),
  ],
  [
    'for another audience (rp-backchannel-rpinitlogout-lt-wrong-aud)',
    (f) => signLogout(f, logoutClaims(f, { aud: 'another-app' })),
  ],
  ['untyped', (f) => signLogout(f, logoutClaims(f), { typ: undefined })],
  [
    'unsigned (rp-backchannel-rpinitlogout-lt-alg-none)',
    (f) => `${b64({ alg: 'none', kid: 'rs-1', typ: 'logout+jwt' })}.${b64(logoutClaims(f))}.`,
  ],
  [
    'HMAC-signed with the public key',
    (f) => {
      const pem = createPublicKey({ key: f.keys.rs256.publicJwk as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const input = `${b64({ alg: 'HS256', kid: 'rs-1', typ: 'logout+jwt' })}.${b64(logoutClaims(f))}`;
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    },
  ],
  [
    'signed by a key the IdP does not publish',
    (f) => signLogout(f, logoutClaims(f), { key: f.keys.rogue }),
  ],
  [
    'signed with another alg than the ID tokens (rp-backchannel-rpinitlogout-lt-wrong-alg)',
    (f) => signLogout(f, logoutClaims(f), { key: f.keys.es256 }),
  ],
  ['not a JWT', () => 'not-a-jwt'],
];

export const EVENT = BACKCHANNEL_LOGOUT_EVENT;

/** POSTs `logout_token` form-encoded, as an IdP does. */
export function postLogout(url: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }),
    ...init,
  });
}

/** A 1 MiB body, declared or streamed (chunked, no Content-Length). */
export function postHugeBody(url: string, declared: boolean): Promise<Response> {
  const body = `logout_token=${'a'.repeat(1 << 20)}`;
  if (declared) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.slice(i, i + 65_536));
      controller.close();
    },
  });
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: stream,
    duplex: 'half',
  });
}

/** §2.8: the RFC 6749 error JSON, `Cache-Control: no-store`. */
export async function errorOf(response: Response): Promise<{
  status: number;
  cacheControl: string | null;
  error: unknown;
  description: unknown;
}> {
  const body = (await response.json()) as Record<string, unknown>;
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    error: body.error,
    description: typeof body.error_description,
  };
}
