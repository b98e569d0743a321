import { generateKeyPairSync, sign } from 'node:crypto';
import { isLowS, signCompactJws, withNegatedS } from '@latchkey/protocol/jwt';
import { describe, expect, it } from 'vitest';
import { createOwnJwsReader } from '../../tokens/own-token-reader.js';
import { BadHintError, verifyIdTokenHint } from './id-token-hint.js';

const ISSUER = 'http://idp.localhost:4000';
const NOW_MS = 1_700_000_000_000;
const nowSec = NOW_MS / 1000;

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = { kid: 'k1', alg: 'ES256' as const, privateKey };
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
const read = createOwnJwsReader(() => ({
  etag: '"1"',
  body: Buffer.from(JSON.stringify({ keys: [jwk] })),
}));

const claims = {
  iss: ISSUER,
  sub: 'user-1',
  aud: 'shop',
  sid: 'sid-1',
  iat: nowSec - 60,
  exp: nowSec + 600,
};

/** A JWS over exactly these payload bytes, ES256 by key k1 (low-s, as the core requires). */
function signedBytes(payload: string): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const input = `${b64(JSON.stringify({ alg: 'ES256', kid: 'k1' }))}.${b64(payload)}`;
  const raw = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${(isLowS(raw) ? raw : withNegatedS(raw)).toString('base64url')}`;
}

describe('verifyIdTokenHint (RP-Initiated Logout 2)', () => {
  it('a valid hint names the user, client and session, not expired', () => {
    const hint = verifyIdTokenHint(signCompactJws(key, 'JWT', claims), read, ISSUER, NOW_MS);
    expect(hint).toEqual({ sub: 'user-1', aud: ['shop'], sid: 'sid-1', expired: false });
  });

  it('RP-Initiated Logout 2: an expired hint is accepted as identification, marked expired', () => {
    const token = signCompactJws(key, 'JWT', { ...claims, exp: nowSec - 60 });
    expect(verifyIdTokenHint(token, read, ISSUER, NOW_MS)).toMatchObject({
      sub: 'user-1',
      expired: true,
    });
  });

  it('RFC 8725 3.11: an access token is not an ID token', () => {
    const token = signCompactJws(key, 'at+jwt', claims);
    expect(() => verifyIdTokenHint(token, read, ISSUER, NOW_MS)).toThrow(BadHintError);
  });

  it('a hint from another issuer, or without the registered claims, is refused', () => {
    for (const bad of [{ iss: 'http://evil.localhost' }, { sub: 7 }, { exp: 'soon' }]) {
      const token = signCompactJws(key, 'JWT', { ...claims, ...bad });
      expect(() => verifyIdTokenHint(token, read, ISSUER, NOW_MS)).toThrow(BadHintError);
    }
  });

  it('a hint whose kid is not published counts as no hint', () => {
    const token = signCompactJws({ ...key, kid: 'gone' }, 'JWT', claims);
    expect(verifyIdTokenHint(token, read, ISSUER, NOW_MS)).toBeNull();
  });

  // Found by reliability/hostile-input.test.ts: a signed payload of `null` crashed the
  // claim reads and /logout answered 500.
  it.each(['null', '7', '"text"', 'true'])(
    'bug: a hint of our signature whose payload is %s is refused as malformed, not a crash',
    (payload) => {
      const token = signedBytes(payload);
      expect(() => verifyIdTokenHint(token, read, ISSUER, NOW_MS)).toThrow(BadHintError);
    },
  );
});
