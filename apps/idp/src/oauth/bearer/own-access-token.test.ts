import { MAX_TOKEN_LENGTH } from '@latchkey/protocol';
import { signCompactJws, withNegatedS } from '@latchkey/protocol/jwt';
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
function signed(overrides: Record<string, unknown>): string {
  return signCompactJws(idp.keys.signingKey('ES256'), 'at+jwt', { ...claims, ...overrides });
}

async function userinfoStatus(token: string): Promise<number> {
  const response = await fetch(`${idp.url}/userinfo`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return response.status;
}

describe('the IdP checking its own access tokens', () => {
  // Found by reliability/hostile-input.test.ts: `sid: null` reached the session lookup
  // (`sid.length`) and /userinfo, /introspect and /revoke answered 500.
  it.each([{ sid: null }, { sid: 7 }, { scope: ['openid'] }, { sub: 1 }, { aud: [1] }])(
    'bug: a token of our signature with mistyped claims (%j) is inactive, not a 500',
    async (overrides) => {
      const token = signed(overrides);
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

  it('the same signer and claims unchanged: active (the control for the cases above)', async () => {
    expect(await userinfoStatus(signed({}))).toBe(200);
  });

  it('one set of limits: a token up to the core MAX_TOKEN_LENGTH is read (the IdP once stopped at 4,096)', async () => {
    const padding = 'x'.repeat(5000);
    const token = signed({ preferred_username: padding });
    expect(token.length).toBeGreaterThan(4096);
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(await userinfoStatus(token)).toBe(200);
    const tooLong = signed({ preferred_username: 'x'.repeat(MAX_TOKEN_LENGTH) });
    expect(await userinfoStatus(tooLong)).toBe(401);
  });

  it('one spelling: the high-s twin of our ES256 signature is refused', async () => {
    const token = signed({});
    const dot = token.lastIndexOf('.');
    const twin = withNegatedS(Buffer.from(token.slice(dot + 1), 'base64url'));
    expect(await userinfoStatus(`${token.slice(0, dot + 1)}${twin.toString('base64url')}`)).toBe(
      401,
    );
  });
});
