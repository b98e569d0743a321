import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../audit/audit-event.js';
import {
  codeFor,
  post,
  redeem,
  refresh,
  SHOP,
  signIn,
  signInToShop,
  WIKI,
} from '../../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

/** What the token and revocation endpoints leave in the audit trail (issue: audit trail). */

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

const eventsAbout = async (filter: { subject?: string; client?: string; type?: string }) =>
  idp.audit.list(filter, 50);

const dump = async () => JSON.stringify(await idp.database.query('SELECT * FROM audit_events'));

describe('the token endpoint in the audit trail', () => {
  it('a failed client authentication: the client named, why (server side only), never the secret', async () => {
    const wrong = await post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: basicAuth('reports', 'not-the-reports-secret') },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('wrong secret');
    const [event] = await eventsAbout({ client: 'reports', type: 'client.authentication_failed' });
    expect(event).toMatchObject<Partial<AuditEvent>>({
      detail: { error: 'invalid_client', grant_type: 'client_credentials', detail: 'wrong secret' },
      address: '127.0.0.1',
    });
    expect(event!.requestId).toBe(wrong.headers.get('x-request-id'));
    expect(await dump()).not.toContain('not-the-reports-secret');
  });

  it('an unknown client is recorded under the client_id it gave', async () => {
    await post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: basicAuth('nobody-here', 'x') },
    );
    const [event] = await eventsAbout({ client: 'nobody-here' });
    expect(event?.detail).toMatchObject({ detail: 'unknown client' });
  });

  it('a refused grant: the error the client saw, and the detail it did not (PKCE mismatch)', async () => {
    const { session } = await signIn(idp, { username: 'pkce-audit' });
    const issued = await codeFor(idp.store, session, SHOP);
    const result = await redeem(idp, issued, SHOP, { code_verifier: 'x'.repeat(43) });
    expect(result.status).toBe(400);
    const [event] = await eventsAbout({ client: SHOP.id, type: 'grant.refused' });
    expect(event).toMatchObject({
      actor: { kind: 'client', id: SHOP.id },
      detail: { error: 'invalid_grant', grant_type: 'authorization_code', detail: 'PKCE mismatch' },
    });
    expect(await dump()).not.toContain(issued.code);
    expect(await dump()).not.toContain(issued.verifier);
  });

  it('a code issued to another client: refused alike, told apart in the trail', async () => {
    const { session } = await signIn(idp, { username: 'stolen-code' });
    const issued = await codeFor(idp.store, session, SHOP);
    const result = await redeem(idp, issued, { ...WIKI, redirectUri: SHOP.redirectUri });
    expect(result.json.error).toBe('invalid_grant');
    expect(result.text).not.toContain('issued to shop');
    const [event] = await eventsAbout({ client: 'wiki', type: 'grant.refused' });
    expect(event?.detail.detail).toBe('code issued to shop');
  });

  it('refresh-token reuse: detected, and the session revoked for that reason', async () => {
    const { session, tokens } = await signInToShop(idp, 'reuse-audit');
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(400);
    const events = await eventsAbout({ subject: session.sub });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['refresh_token.reuse_detected', 'session.revoked']),
    );
    expect(events.find((e) => e.type === 'session.revoked')).toMatchObject({
      session: session.sid,
      detail: { reason: 'refresh_token_reuse' },
    });
    expect(await dump()).not.toContain(tokens.refresh_token!);
  });

  it('a revoked access token is recorded with its client; an unknown one is not (RFC 7009 2.2)', async () => {
    const { session, tokens } = await signInToShop(idp, 'revoke-audit');
    const before = (await eventsAbout({ type: 'token.revoked' })).length;
    await post(idp, '/revoke', { token: 'not-a-token' }, { Authorization: SHOP.auth });
    expect(await eventsAbout({ type: 'token.revoked' })).toHaveLength(before);
    await post(idp, '/revoke', { token: tokens.access_token! }, { Authorization: SHOP.auth });
    const [event] = await eventsAbout({ subject: session.sub, type: 'token.revoked' });
    expect(event).toMatchObject({
      actor: { kind: 'client', id: SHOP.id },
      session: session.sid,
      detail: { revoked: 'access_token' },
    });
    expect(await dump()).not.toContain(tokens.access_token!);
  });
});
