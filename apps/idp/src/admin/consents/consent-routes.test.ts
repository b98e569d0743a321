import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentGrants, type ConsentGrants } from '../../consent/consent-grants.js';
import { createTestUser } from '../../test-support/account-flows.js';
import { admin, opsToken } from '../../test-support/admin-api.js';
import { codeFor, redeem, refresh, signIn } from '../../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const PARTNER = {
  id: 'partner',
  auth: basicAuth('partner', 'partner-demo-secret'),
  redirectUri: 'http://partner.localhost:3020/auth/callback',
  resources: ['http://wiki.localhost:3002/api'],
};

let idp: TestIdp;
let token: string;
let grants: ConsentGrants;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
  grants = createConsentGrants(idp.database);
});
afterAll(() => idp.close());

describe('admin consents (/users/{id}/consents)', () => {
  it('lists the third-party clients a user allowed, with the scopes and the date', async () => {
    const user = await createTestUser(idp, { prefix: 'consents' });
    expect((await admin(idp, token, 'GET', `/users/${user.id}/consents`)).body).toEqual({
      items: [],
    });
    await grants.grant(user.id, 'partner', ['openid', 'profile']);
    // A grant to a first-party client (it never asks) is not an app with access.
    await grants.grant(user.id, 'shop', ['openid']);
    const answer = await admin(idp, token, 'GET', `/users/${user.id}/consents`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      items: [{ client_id: 'partner', client_name: 'Partner Calendar', scope: 'openid profile' }],
    });
    expect((answer.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it("DELETE removes the consent and ends that client's refresh tokens for the user, as the operator", async () => {
    const { user, session } = await signIn(idp, { username: `consents-${Date.now()}` });
    await grants.grant(user.id, 'partner', ['openid']);
    const tokens = await redeem(
      idp,
      await codeFor(idp.store, session, PARTNER, { scope: ['openid'] }),
      PARTNER,
    );
    expect(tokens.status).toBe(200);
    const removed = await admin(idp, token, 'DELETE', `/users/${user.id}/consents/partner`);
    expect(removed.status).toBe(204);
    expect(await grants.find(user.id, 'partner')).toBeNull();
    const refused = await refresh(idp, tokens.json.refresh_token as string, PARTNER);
    expect(refused.json.error).toBe('invalid_grant');
    const [event] = await idp.audit.list({ type: 'consent.revoked', subject: user.id }, 5);
    expect(event).toMatchObject({ client: 'partner', actor: { kind: 'client' } });
    // Twice: nothing left to remove.
    expect((await admin(idp, token, 'DELETE', `/users/${user.id}/consents/partner`)).status).toBe(
      404,
    );
  });

  it('answers 404 for an unknown user and a client never allowed, 401 without a token', async () => {
    const user = await createTestUser(idp, { prefix: 'consents' });
    expect((await admin(idp, token, 'GET', '/users/no-such-user/consents')).status).toBe(404);
    expect((await admin(idp, token, 'DELETE', `/users/${user.id}/consents/wiki`)).status).toBe(404);
    expect((await admin(idp, token, 'DELETE', `/users/${user.id}/consents/%00`)).status).toBe(404);
    expect((await admin(idp, undefined, 'GET', `/users/${user.id}/consents`)).status).toBe(401);
  });
});
