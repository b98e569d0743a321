import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../test-support/account-flows.js';
import { admin, consoleToken, opsToken, problemKind } from '../test-support/admin-api.js';
import { claimsOf, post } from '../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../test-support/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

const expectProblem = (answer: Awaited<ReturnType<typeof admin>>, status: number) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ status, title: expect.any(String) as string });
};

describe('admin API authorisation', () => {
  it('serves the ops client with latchkey:admin', async () => {
    const answer = await admin(idp, await opsToken(idp), 'GET', '/users?limit=1');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ items: expect.any(Array) as unknown[] });
  });

  it('refuses a call without a token: 401 with a bare Bearer challenge', async () => {
    const answer = await admin(idp, undefined, 'GET', '/users');
    expectProblem(answer, 401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(answer.headers.get('www-authenticate')).not.toMatch(/error=/);
  });

  it('refuses garbage and a token of another audience: 401 invalid_token', async () => {
    expectProblem(await admin(idp, 'not.a.token', 'GET', '/users'), 401);
    const reports = await post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: basicAuth('reports', 'reports-demo-secret') },
    );
    const answer = await admin(idp, reports.json.access_token as string, 'GET', '/users');
    expectProblem(answer, 401);
    expect(answer.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses a write with the read-only scope: 403 insufficient_scope; reads pass', async () => {
    const token = await opsToken(idp, 'latchkey:admin.read');
    expect((await admin(idp, token, 'GET', '/keys')).status).toBe(200);
    const answer = await admin(idp, token, 'POST', '/keys/rotate');
    expectProblem(answer, 403);
    expect(problemKind(answer)).toBe('insufficient-scope');
    expect(answer.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('takes a real login of an admin user through the console', async () => {
    const token = await consoleToken(idp, { username: 'alice', password: 'wonderland-alice' });
    expect((await admin(idp, token, 'GET', '/users?limit=1')).status).toBe(200);
  });

  it('refuses a user token without the admin scope, and a user without the admin role', async () => {
    const noScope = await consoleToken(
      idp,
      { username: 'alice', password: 'wonderland-alice' },
      'openid',
    );
    const refused = await admin(idp, noScope, 'GET', '/users');
    expectProblem(refused, 403);
    expect(problemKind(refused)).toBe('insufficient-scope');

    const bob = await consoleToken(idp, { username: 'bob', password: 'builder-bob' });
    const notAdmin = await admin(idp, bob, 'GET', '/users');
    expectProblem(notAdmin, 403);
    expect(problemKind(notAdmin)).toBe('not-an-admin');
  });

  it('refuses the token of a disabled admin, and of a revoked session', async () => {
    const user = await createTestUser(idp, { prefix: 'admin' });
    await idp.users.setRoles(user.id, ['admin']);
    const credentials = { username: user.username, password: user.password };

    const token = await consoleToken(idp, credentials);
    expect((await admin(idp, token, 'GET', '/keys')).status).toBe(200);
    // The state alone (sessions untouched) is enough to refuse.
    await idp.users.setState(user.id, 'disabled');
    expectProblem(await admin(idp, token, 'GET', '/keys'), 401);
    await idp.users.setState(user.id, 'active');

    const again = await consoleToken(idp, credentials);
    expect((await admin(idp, again, 'GET', '/keys')).status).toBe(200);
    const sid = claimsOf(again).sid as string;
    await idp.revoker.revokeSession({ sid, sub: user.id }, 'admin');
    const revoked = await admin(idp, again, 'GET', '/keys');
    expectProblem(revoked, 401);
    expect(revoked.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('answers unknown admin paths and methods with problems, not OAuth errors', async () => {
    const token = await opsToken(idp);
    const missing = await admin(idp, token, 'GET', '/nothing-here');
    expectProblem(missing, 404);
    const method = await admin(idp, token, 'PUT', '/keys');
    expectProblem(method, 405);
  });
});

describe('RATE_LIMIT_ADMIN_PER_CALLER', () => {
  let limited: TestIdp;
  beforeAll(async () => {
    limited = await startTestIdp({ RATE_LIMIT_ADMIN_PER_CALLER: '3/1m' });
  });
  afterAll(() => limited.close());

  it('the call past the caller rate is a 429 problem with Retry-After; another caller goes on', async () => {
    const ops = await opsToken(limited);
    for (let i = 0; i < 3; i += 1) {
      expect((await admin(limited, ops, 'GET', '/users?limit=1')).status).toBe(200);
    }
    const refused = await admin(limited, ops, 'GET', '/users?limit=1');
    expectProblem(refused, 429);
    expect(problemKind(refused)).toBe('too-many-requests');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const alice = await consoleToken(limited, { username: 'alice', password: 'wonderland-alice' });
    expect((await admin(limited, alice, 'GET', '/users?limit=1')).status).toBe(200);
  });
});
