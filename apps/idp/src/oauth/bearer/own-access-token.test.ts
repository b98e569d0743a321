import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP, signInToShop } from '../../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let claims: Record<string, unknown>;
beforeAll(async () => {
  idp = await startTestIdp();
  const { tokens } = await signInToShop(idp, 'alice');
  claims = JSON.parse(Buffer.from(tokens.access_token!.split('.')[1]!, 'base64url').toString());
});
afterAll(() => idp.close());

/** An access token with the IdP's own signature and the claims given. */
function signed(overrides: Record<string, unknown>): Promise<string> {
  const key = idp.keys.signingKey('ES256');
  return new CompactSign(new TextEncoder().encode(JSON.stringify({ ...claims, ...overrides })))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .sign(key.privateKey);
}

describe('the IdP checking its own access tokens', () => {
  // Found by reliability/hostile-input.test.ts: `sid: null` reached the session lookup
  // (`sid.length`) and /userinfo, /introspect and /revoke answered 500.
  it.each([{ sid: null }, { sid: 7 }, { scope: ['openid'] }, { sub: 1 }, { aud: [1] }])(
    'bug: a token of our signature with mistyped claims (%j) is inactive, not a 500',
    async (overrides) => {
      const token = await signed(overrides);
      const userinfo = await fetch(`${idp.url}/userinfo`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(userinfo.status).toBe(401);
      expect(((await userinfo.json()) as { error: string }).error).toBe('invalid_token');
      const introspect = await fetch(`${idp.url}/introspect`, {
        method: 'POST',
        headers: { Authorization: SHOP.auth },
        body: new URLSearchParams({ token }),
      });
      expect(introspect.status).toBe(200);
      expect(await introspect.json()).toEqual({ active: false });
      const revoke = await fetch(`${idp.url}/revoke`, {
        method: 'POST',
        headers: { Authorization: SHOP.auth },
        body: new URLSearchParams({ token }),
      });
      expect(revoke.status).toBe(200);
    },
  );
});
